import { describe, expect, it } from 'vitest';
import { FtError } from '../../src/util/errors.js';
import { loadFiles } from '../helpers/project-files.js';

// What dbt checks of an incremental model when it parses, checked before anything runs: each
// of these ran with exit 0 and silently lost columns or ignored the config.
describe('incremental model config', () => {
  const refused = async (sql: string, yaml = ''): Promise<string> => {
    const e = await loadFiles({ 'models/m.sql': sql, ...(yaml ? { 'models/m.yml': yaml } : {}) }).then(
      () => 'loaded',
      (x: unknown) => (x instanceof FtError ? x.format() : String(x)),
    );
    return e;
  };

  it('a misspelt on_schema_change is an error naming the values', async () => {
    expect(await refused('{{config materialized="incremental" on_schema_change="append_new_column"}}\nselect 1 as id')).toBe(
      'models/m.sql:1: model m: on_schema_change "append_new_column" is not one of ignore, fail, append_new_columns, sync_all_columns. Fix the value (dbt would fall back to ignore, dropping new columns).',
    );
  });

  it('an enforced contract needs on_schema_change append_new_columns or fail, as dbt requires', async () => {
    const yaml = (osc: string) => `models:\n  - name: m\n    config: {contract: {enforced: true}${osc}}\n    columns: [{name: id, data_type: int}]\n`;
    expect(await refused('{{config materialized="incremental" unique_key="id"}}\nselect 1 as id', yaml(''))).toMatch(
      /^models\/m\.yml:2: model m is incremental with an enforced contract, so on_schema_change must be append_new_columns or fail \(it is ignore \(the default\)\)/,
    );
    expect(await refused('{{config materialized="incremental" unique_key="id"}}\nselect 1 as id', yaml(', on_schema_change: sync_all_columns'))).toContain('(it is sync_all_columns)');
    expect(await refused('{{config materialized="incremental" unique_key="id"}}\nselect 1 as id', yaml(', on_schema_change: fail'))).toBe('loaded');
    expect(await refused('{{config materialized="table"}}\nselect 1 as id', yaml(''))).toBe('loaded');
  });

  it('incremental_predicates with a merge are refused (ft applies them to delete+insert); a string is one predicate', async () => {
    expect(await refused(`{{config materialized="incremental" unique_key="id" incremental_predicates='["id > 0"]'}}\nselect 1 as id`)).toContain(
      'incremental_predicates apply to incremental_strategy "delete+insert" in ft',
    );
    expect(await refused('{{config materialized="incremental" unique_key="id" incremental_strategy="delete+insert" incremental_predicates="id > 0"}}\nselect 1 as id')).toBe('loaded');
  });
});

describe('contract column types', () => {
  it('a numeric declared without precision is warned of (MySQL rounds it to decimal(10,0)), as dbt warns', async () => {
    const warnings: string[] = [];
    await loadFiles(
      {
        'models/m.sql': '{{config materialized="table"}}\nselect cast(1.5 as decimal(5,2)) as c_num, 2 as c_ok',
        'models/m.yml': 'models:\n  - name: m\n    config: {contract: {enforced: true}}\n    columns:\n      - {name: c_num, data_type: numeric}\n      - {name: c_ok, data_type: "numeric(10,2)"}\n',
      },
      (m) => warnings.push(m),
    );
    expect(warnings).toEqual(['models/m.yml:5: column c_num of m is declared numeric without precision and scale: MySQL makes it decimal(10,0), rounding every fraction away. Write e.g. numeric(18,2).']);
  });
});

describe('snapshot unique_key', () => {
  it('an expression (dbt allows one) is refused when the project loads, with the column to add instead', async () => {
    const e = await loadFiles({
      'models/m.sql': 'select 1 as id, 2 as region',
      'snapshots/s.yml': `snapshots:\n  - name: s\n    relation: ref('m')\n    config: {strategy: check, check_cols: all, unique_key: "concat(id, '-', region)"}\n`,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FtError);
    expect((e as FtError).format()).toContain(`unique_key "concat(id, '-', region)" is an expression; ft's snapshots key on columns. Add it to the snapshot's query as a column (select concat(id, '-', region) as snapshot_key, …) and set unique_key: snapshot_key.`);
    expect((e as FtError).format()).toMatch(/^snapshots\/s\.yml:2: /);
  });
});
