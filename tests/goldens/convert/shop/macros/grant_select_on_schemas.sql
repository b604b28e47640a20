  {{#each schemas}}
    grant select on {{this}}.* to {{../role}};
  {{/each}}
