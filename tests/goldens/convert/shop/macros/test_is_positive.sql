select *
from {{model}}
where {{column_name}} {{#if (default allow_zero true)}}<{{else}}<={{/if}} 0
