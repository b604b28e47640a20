    {{#each columns as |c|}}{{c}}{{#if (not @last)}} + {{/if}}{{/each}}
