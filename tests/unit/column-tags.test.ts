import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/graph/build-graph.js';
import { selectNodes } from '../../src/graph/selector.js';
import { loadFiles } from '../helpers/project-files.js';

// A column's tags (and dbt 1.10's column config: {tags, meta}) are given to every test of the
// column, as dbt does: `ft test -s tag:critical` runs them. They were read and dropped.
const FILES: Record<string, string> = {
  'models/m.sql': 'select 1 as v, 2 as w\n',
  'models/schema.yml': [
    'sources:',
    '  - name: raw',
    '    tables:',
    '      - name: t',
    '        columns: [{name: id, tags: [srccol], data_tests: [unique]}]',
    'models:',
    '  - name: m',
    '    meta: {owner: finance}',
    '    columns:',
    '      - name: v',
    '        tags: [coltag]',
    '        config: {tags: [colcfgtag], meta: {owner: data}}',
    '        data_tests: [not_null, {accepted_values: {values: [1], config: {tags: [own]}}}]',
    '      - name: w',
    '        data_tests: [not_null]',
    '',
  ].join('\n'),
};

describe('column tags on the tests of the column', () => {
  it('each test of a tagged column carries the tags, beside its own; tag: selects it', async () => {
    const warnings: string[] = [];
    const project = await loadFiles(FILES, (m) => warnings.push(m));
    const tests = new Map([...project.nodes.values()].filter((n) => n.resource_type === 'test').map((n) => [n.name, n]));
    expect(tests.get('not_null_m_v')!.tags.sort()).toEqual(['colcfgtag', 'coltag']);
    expect(tests.get('accepted_values_m_v__1')!.tags.sort()).toEqual(['colcfgtag', 'coltag', 'own']);
    expect(tests.get('not_null_m_w')!.tags).toEqual([]);
    expect(tests.get('source_unique_raw_t_id')!.tags).toEqual(['srccol']);
    expect(project.nodes.get('model.p.m')!.columns.v!.meta).toEqual({ owner: 'data' });
    const graph = buildGraph(project);
    const picked = (spec: string): string[] => [...selectNodes(project, graph, { select: [spec] })].map((id) => project.nodes.get(id)!.name).sort();
    expect(picked('tag:colcfgtag')).toEqual(['accepted_values_m_v__1', 'not_null_m_v']);
    expect(picked('tag:srccol')).toEqual(['source_unique_raw_t_id']);
    // a YAML entry's meta is config.meta too, as in dbt, and config.meta.<key>: selects by it
    expect(project.nodes.get('model.p.m')!.config.meta).toEqual({ owner: 'finance' });
    expect(picked('config.meta.owner:finance')).toEqual(['m']);
    expect(warnings).toEqual([]);
  });
});
