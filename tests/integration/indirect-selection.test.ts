import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * dbt's --indirect-selection (eager, cautious, buildable, empty) and a selectors.yml
 * definition's indirect_selection decide which tests a selection brings in; --resource-type /
 * --exclude-resource-type keep or leave out node types; -x and -f are dbt's short flags. Before,
 * ft read every selection as eager and a selector's indirect_selection was dropped without a word.
 */
describe('indirect selection and resource types, as dbt selects', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await createProject({
      label: 'indsel',
      models: {
        'a.sql': '{{config materialized="table"}}\nselect 1 as id',
        'b.sql': '{{config materialized="table"}}\nselect id as a_id from {{ref "a"}}',
        'c.sql': '{{config materialized="table"}}\nselect 1 as id',
      },
      yaml: {
        'schema.yml': [
          'models:',
          '  - name: a',
          '    columns: [{name: id, tests: [not_null]}]',
          '  - name: b',
          '    columns:',
          '      - name: a_id',
          "        tests: [not_null, {relationships: {to: ref('a'), field: id}}]",
          '  - name: c',
          '    columns: [{name: id, tests: [unique]}]',
          '',
        ].join('\n'),
      },
      files: {
        'selectors.yml': [
          'selectors:',
          '  - name: b_cautious',
          '    definition: {method: fqn, value: b, indirect_selection: cautious}',
          '  - name: b_plain',
          '    definition: b',
          '',
        ].join('\n'),
      },
    });
  });
  afterAll(async () => {
    await p?.cleanup();
  });

  const names = (out: string): string[] => out.trim().split('\n').filter(Boolean).sort();
  const ls = async (...args: string[]): Promise<string[]> => {
    const r = await p.ft(['ls', ...args]);
    expect(r.code, r.output).toBe(0);
    return names(r.stdout);
  };
  const REL = 'relationships_b_a_id__id__ref_a_';

  it('each mode brings in the tests dbt would: the relationships test reads a and b', async () => {
    expect(await ls('-s', 'b')).toEqual(['b', 'not_null_b_a_id', REL]);
    expect(await ls('-s', 'b', '--indirect-selection', 'eager')).toEqual(['b', 'not_null_b_a_id', REL]);
    expect(await ls('-s', 'b', '--indirect-selection', 'cautious')).toEqual(['b', 'not_null_b_a_id']);
    expect(await ls('-s', 'b', '--indirect-selection=cautious', '-s', 'a')).toEqual(['a', 'b', 'not_null_a_id', 'not_null_b_a_id', REL].sort());
    // a is upstream of b: buildable takes the test, cautious does not
    expect(await ls('-s', 'b', '--indirect-selection', 'buildable')).toEqual(['b', 'not_null_b_a_id', REL]);
    // buildable still needs a selected node among those the test reads
    expect(await ls('-s', 'b', '--indirect-selection', 'buildable', '--resource-type', 'test')).not.toContain('not_null_a_id');
    expect(await ls('-s', 'b', '--indirect-selection', 'empty')).toEqual(['b']);
    // a test named directly is selected in every mode
    expect(await ls('-s', 'b', 'test_name:relationships', '--indirect-selection', 'empty')).toEqual(['b', REL]);
  });

  it("a selector's indirect_selection applies to it; a wrong value or a mixed selection is an error naming selectors.yml", async () => {
    expect(await ls('--selector', 'b_cautious')).toEqual(['b', 'not_null_b_a_id']);
    // the selector's own mode wins over the command's, as in dbt
    expect(await ls('--selector', 'b_cautious', '--indirect-selection', 'eager')).toEqual(['b', 'not_null_b_a_id']);
    expect(await ls('--selector', 'b_plain', '--indirect-selection', 'empty')).toEqual(['b']);
    const mixed = await p.ft(['ls', '-s', 'selector:b_cautious', 'c']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('selectors.yml:2: selector "b_cautious" sets indirect_selection: cautious, which ft applies when the selector is the whole selection (--selector b_cautious)');
    expect(mixed.stderr).toContain('pass --indirect-selection cautious');
    const bad = await p.ft(['ls', '--indirect-selection', 'lazy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'lazy' is invalid. Allowed choices are eager, cautious, buildable, empty.");
    const original = p.read('selectors.yml');
    try {
      p.write('selectors.yml', original.replace('indirect_selection: cautious', 'indirect_selection: careful'));
      const r = await p.ft(['ls', '--selector', 'b_plain']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('selectors.yml:2: selector "b_cautious": indirect_selection must be eager, cautious, buildable, empty, not "careful".');
      p.write('selectors.yml', original.replace('definition: b\n', 'definition: {union: [{fqn: b, indirect_selection: eager}, {fqn: c, indirect_selection: empty}]}\n'));
      const two = await p.ft(['ls', '--selector', 'b_plain']);
      expect(two.code).toBe(2);
      expect(two.stderr).toContain('selectors.yml:4: selector "b_plain" sets indirect_selection to eager and empty; ft applies one mode to a whole selection.');
    } finally {
      p.write('selectors.yml', original);
    }
  });

  it("--exclude takes the excluded nodes' tests with them (dbt expands an exclusion like a selection)", async () => {
    // path:models picks the YAML tests directly; excluding b took b out but kept its tests
    expect(await ls('-s', 'path:models', '--exclude', 'b')).toEqual(['a', 'c', 'not_null_a_id', 'unique_c_id']);
    expect(await ls('--exclude', 'b')).toEqual(['a', 'c', 'not_null_a_id', 'unique_c_id']);
    // cautious: only the tests all of whose nodes are excluded go with them
    expect(await ls('-s', 'path:models', '--exclude', 'b', '--indirect-selection', 'cautious')).toEqual(['a', 'c', 'not_null_a_id', REL, 'unique_c_id'].sort());
  });

  it("ls as dbt's: -m lists models only, --output-keys picks the keys of --output json", async () => {
    expect(await ls('-m', 'a+')).toEqual(['a', 'b']);
    const r = await p.ft(['ls', '-s', 'b', '--resource-type', 'model', '--output', 'json', '--output-keys', 'name', 'resource_type', 'fqn']);
    expect(r.code, r.output).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ name: 'b', resource_type: 'model', fqn: ['proj', 'b'] });
    const bad = await p.ft(['ls', '--output', 'json', '--output-keys', 'nam']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--output-keys "nam" is not a key ft lists. Did you mean "name"');
  });

  it('the default selector stands in only when neither --select nor --exclude is given', async () => {
    const q = await createProject({
      label: 'inddef',
      models: { 'x.sql': 'select 1 as id', 'y.sql': 'select 2 as id', 'z.sql': 'select 3 as id' },
      files: { 'selectors.yml': 'selectors:\n  - name: just_x\n    default: true\n    definition: x\n' },
    });
    try {
      expect(names((await q.ft(['ls'])).stdout)).toEqual(['x']);
      expect(names((await q.ft(['ls', '--exclude', 'z'])).stdout)).toEqual(['x', 'y']);
      expect(names((await q.ft(['ls', '-s', 'y'])).stdout)).toEqual(['y']);
    } finally {
      await q.cleanup();
    }
  });

  it('ft build runs what the mode selects, records it for ft retry, and --exclude-resource-type leaves tests out', async () => {
    const cautious = await p.ft(['build', '-s', 'a', 'b', '--indirect-selection', 'cautious', '-x']);
    expect(cautious.code, cautious.output).toBe(0);
    const ran = (): string[] => (p.readJson('target/run_results.json').results as Array<{ unique_id: string }>).map((r) => r.unique_id.split('.')[2]!).sort();
    expect(ran()).toEqual(['a', 'b', 'not_null_a_id', 'not_null_b_a_id', REL].sort());
    const args = p.readJson('target/run_results.json').args;
    expect(args).toMatchObject({ indirect_selection: 'cautious', fail_fast: true });

    const only = await p.ft(['build', '-s', 'b', '--indirect-selection', 'cautious']);
    expect(only.code, only.output).toBe(0);
    expect(ran()).toEqual(['b', 'not_null_b_a_id']);

    const noTests = await p.ft(['build', '-s', 'a+', '--exclude-resource-type', 'test', '-f']);
    expect(noTests.code, noTests.output).toBe(0);
    expect(ran()).toEqual(['a', 'b']);
    expect(p.readJson('target/run_results.json').args).toMatchObject({ exclude_resource_types: ['test'] });

    const modelOnly = await p.ft(['build', '-s', 'c', '--resource-type', 'model']);
    expect(modelOnly.code, modelOnly.output).toBe(0);
    expect(ran()).toEqual(['c']);
    const testsOnly = await p.ft(['test', '--resource-type', 'test', '-s', 'c']);
    expect(testsOnly.code, testsOnly.output).toBe(0);
    expect(ran()).toEqual(['unique_c_id']);

    const typo = await p.ft(['build', '--exclude-resource-type', 'tests']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--exclude-resource-type "tests" is not a resource type. Did you mean "test"?');
  });
});
