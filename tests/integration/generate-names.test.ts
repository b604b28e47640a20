import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * generate_schema_name and generate_alias_name overridden by the project, as in dbt: a partial
 * receiving the custom name, the node and the target, or a JS helper; refs follow the names.
 */
describe('project overrides of generate_schema_name and generate_alias_name', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const tablesIn = async (schema: string): Promise<string[]> =>
    (await queryRows<{ t: string }>('select table_name as t from information_schema.tables where table_schema = ? order by 1', [schema])).map((r) => r.t);

  it('builds where a generate_schema_name partial and a generate_alias_name helper say, and refs follow', async () => {
    p = await createProject({
      label: 'gennames',
      seeds: { 'codes.csv': 'code\na\nb\n' },
      models: {
        'plain.sql': '{{config materialized="table"}}\nselect code from {{ref "codes"}}',
        'custom.sql': '{{config materialized="table" schema="mart"}}\nselect count(*) as n from {{ref "plain"}}',
        'named.sql': '{{config materialized="view" alias="named_by_config"}}\nselect n from {{ref "custom"}}',
      },
      macros: {
        // no custom schema: the node's resource type; a custom one as given (not prefixed), both under the target database
        'generate_schema_name.sql': '{{target.database}}_{{#if custom_schema_name}}{{custom_schema_name}}{{else}}{{node.resource_type}}{{/if}}',
        'names.js': 'export function generate_alias_name(custom, node) { return custom ?? `${node.name}_${node.resource_type === "seed" ? "ref" : "v2"}`; }\n',
      },
    });
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    expect(await tablesIn(`${p.prefix}_seed`)).toEqual(['codes_ref']);
    expect(await tablesIn(`${p.prefix}_model`)).toEqual(['named_by_config', 'plain_v2']);
    expect(await tablesIn(`${p.prefix}_mart`)).toEqual(['custom_v2']);
    expect(await p.query(`select n from \`${p.prefix}_model\`.named_by_config`)).toEqual([{ n: 2 }]);
  });

  it("dbt's built-in naming macros, called from an override: generate_schema_name_for_env, default__generate_schema_name, default__generate_alias_name", async () => {
    p = await createProject({
      label: 'genenv',
      macros: {
        'generate_schema_name.sql': '{{#if (eq target.name "prod")}}{{generate_schema_name_for_env custom_schema_name node}}{{else}}{{default__generate_schema_name custom_schema_name node}}{{/if}}',
        'generate_alias_name.sql': '{{default__generate_alias_name custom_alias_name node}}_t',
      },
    });
    const custom = `${p.prefix}x`;
    p.write('models/plain.sql', '{{config materialized="table"}}\nselect 1 as n');
    p.write('models/custom.sql', `{{config materialized="table" schema="${custom}"}}\nselect n from {{ref "plain"}}`);
    p.write('profiles.yml', p.read('profiles.yml').replace(/(\n\s+)dev:/, '$1prod:$1  type: mysql$1  host: 127.0.0.1$1  port: 3306$1  user: root$1  password: ""$1  database: ' + p.prefix + '$1dev:'));
    const dev = await p.ft(['build']);
    expect(dev.code, dev.output).toBe(0);
    expect(await tablesIn(p.prefix)).toEqual(['plain_t']);
    expect(await tablesIn(`${p.prefix}_${custom}`)).toEqual(['custom_t']);
    const prod = await p.ft(['build', '-t', 'prod']);
    expect(prod.code, prod.output).toBe(0);
    // on prod the custom schema is used as it is
    expect(await tablesIn(custom)).toEqual(['custom_t']);
    expect(await p.query(`select n from \`${custom}\`.custom_t`)).toEqual([{ n: 1 }]);
  });

  it('says which macro gave an empty name, for which node', async () => {
    p = await createProject({
      label: 'genempty',
      models: { 'a.sql': 'select 1 as x' },
      macros: { 'generate_schema_name.sql': '{{#if custom_schema_name}}{{custom_schema_name}}{{/if}}' },
    });
    const r = await p.ft(['parse']);
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/macros\/generate_schema_name\.sql: macros\/generate_schema_name\.sql gave an empty name for model\.proj\.a/);
  });
});
