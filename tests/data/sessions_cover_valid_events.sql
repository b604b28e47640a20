-- sessions is complete and consistent with valid_events: every session of a valid event has
-- a row, and each row's event count matches. (A relationships test on valid_events.session_id
-- would make valid_events' tests wait for sessions, its own child.)
select v.session_id, count(*) as valid_events, max(s.events) as session_events
from {{ref "valid_events"}} v
left join {{ref "sessions"}} s on s.session_id = v.session_id
group by v.session_id
having max(s.events) is null or max(s.events) <> count(*)
