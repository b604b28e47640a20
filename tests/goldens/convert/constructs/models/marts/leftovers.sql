{% call statement('cleanup', fetch_result=False) %}
delete from {{this}}
{% endcall %}
{% do adapter.drop_relation(this) %}

select
    {{ var('base', 1) + 1 }} as plus_one,
    {{iif (eq target.name "prod") "a" "b"}} as inline_if,
    {{ graph.nodes | length }} as node_count,
    {% for i in range(3) %}{{i}} as n{{i}},{% endfor %}
    {% for m in ['a', 'b'] if m != 'b' %}'{{m}}' as m_{{m}},{% endfor %}
    {{#each (array "a" "b")}}{{ loop.index }} as i_{{this}},{{/each}}
    {{ this.database }} as db_name
from {{ref "orders"}}
