import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Templates in schema YAML values rendered as dbt renders Jinja in YAML — var, env_var and
 * target, in dbt's form and in ft's — never kept as literal text: a source's schema and
 * identifier, a model's enabled.
 */
describe('templates in YAML values', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
    delete process.env.FT_YAML_RAW_TABLE;
  });

  it('reads a source whose schema and identifier come from vars and env_var, and enables a model from a var', async () => {
    p = await createProject({
      label: 'yamltpl',
      models: {
        'from_raw.sql': '{{config materialized="table"}}\nselect id from {{source "raw" "events"}}',
        'optional.sql': '{{config materialized="table"}}\nselect 1 as x',
      },
      yaml: {
        'sources.yml': [
          'version: 2',
          'sources:',
          '  - name: raw',
          '    schema: "{{ var(\'raw_schema\') }}"',
          '    tables:',
          '      - name: events',
          '        identifier: "{{env_var \'FT_YAML_RAW_TABLE\' \'events_v1\'}}"',
          'models:',
          '  - name: optional',
          '    config:',
          '      enabled: "{{ var(\'load_optional\', false) }}"',
          '',
        ].join('\n'),
      },
    });
    const raw = p.schema('raw');
    const c = await connect();
    try {
      await c.query(`CREATE DATABASE \`${raw}\``);
      await c.query(`CREATE TABLE \`${raw}\`.events_v1 (id int)`);
      await c.query(`INSERT INTO \`${raw}\`.events_v1 VALUES (1), (2)`);
      await c.query(`CREATE TABLE \`${raw}\`.events_v2 (id int)`);
      await c.query(`INSERT INTO \`${raw}\`.events_v2 VALUES (7)`);
    } finally {
      await c.end();
    }
    const vars = ['--vars', JSON.stringify({ raw_schema: raw })];
    const r = await p.ft(['build', ...vars]);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select id from ${p.rel('from_raw')} order by id`)).toEqual([{ id: 1 }, { id: 2 }]);
    // enabled: false from the var's default: not built
    expect(await p.tables()).not.toContain('optional');

    process.env.FT_YAML_RAW_TABLE = 'events_v2';
    const again = await p.ft(['build', '--vars', JSON.stringify({ raw_schema: raw, load_optional: true })]);
    expect(again.code, again.output).toBe(0);
    expect(await p.query(`select id from ${p.rel('from_raw')}`)).toEqual([{ id: 7 }]);
    expect(await p.tables()).toContain('optional');
  });

  it('names the file and line of a required var missing from a YAML value', async () => {
    p = await createProject({
      label: 'yamlmiss',
      models: { 'a.sql': 'select 1 as x' },
      yaml: { 'sources.yml': 'version: 2\nsources:\n  - name: raw\n    schema: "{{ var(\'nowhere\') }}"\n    tables: [{name: t}]\n' },
    });
    const r = await p.ft(['parse']);
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/models\/sources\.yml:4: required var "nowhere" is not defined \(in a YAML value\)/);
  });
});
