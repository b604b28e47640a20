    {{#each columns}}{{this}}{{#if (not @last)}} + {{/if}}{{/each}}
