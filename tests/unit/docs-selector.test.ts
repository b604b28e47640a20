import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph, type Graph } from '../../src/graph/build-graph.js';
import { selectNodes } from '../../src/graph/selector.js';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';
import { parseSelector, selectIds, selectorFor, selectWithBase, SelectorError, type SelGraph } from '../../src/docs/site/selector.js';

const FIXTURE = resolve(import.meta.dirname, '../e2e/fixtures/flash');

let project: Project;
let graph: Graph;
let sel: SelGraph;

beforeAll(async () => {
  project = await loadProject({ projectDir: FIXTURE, partialParse: false });
  graph = buildGraph(project);
  sel = { nodes: new Map(), parents: new Map(), children: new Map() };
  for (const n of project.nodes.values()) {
    sel.nodes.set(n.unique_id, {
      id: n.unique_id,
      name: n.name,
      type: n.resource_type,
      tags: n.tags,
      path: n.original_file_path,
      fqn: n.fqn,
      package: n.package_name,
      source_name: n.source_name,
      test_name: n.test_metadata?.name,
      config: n.config as Record<string, unknown>,
    });
    sel.parents.set(n.unique_id, [...(graph.predecessors(n.unique_id) ?? [])]);
    sel.children.set(n.unique_id, [...(graph.successors(n.unique_id) ?? [])]);
  }
});

const names = (ids: Set<string>) => [...ids].map((id) => id.split('.').slice(2).join('.')).sort();

describe('browser selector', () => {
  const cases = [
    'kpi_daily',
    '+kpi_daily',
    'kpi_daily+',
    '1+kpi_daily+1',
    '2+kpi_daily',
    'valid_events+1',
    '@valid_events',
    'tag:gold',
    'tag:gold,+kpi_daily',
    'tag:silver tag:gold',
    'path:models/gold',
    'resource_type:seed',
    'resource_type:test',
    'resource_type:exposure',
    'exposure:kpi_dashboard',
    '+exposure:kpi_dashboard',
    'config.materialized:view',
    'test_name:unique',
    'test_type:generic',
    'file:kpi_daily.sql',
    'fqn:flash_e2e.gold',
    'gold',
    '*_daily',
    'package:flash_e2e,resource_type:model',
  ];
  it.each(cases)('%s picks what the CLI picks', (text) => {
    const cli = selectNodes(project, graph, { select: [text] });
    expect(names(selectIds(sel, text))).toEqual(names(cli));
  });

  it('returns the directly named nodes as the focus', () => {
    const { ids, base } = selectWithBase(sel, '+kpi_daily');
    expect(ids.size).toBeGreaterThan(3);
    expect([...base]).toEqual(['model.flash_e2e.kpi_daily']);
  });

  it('gives a selector that picks exactly each node', () => {
    for (const n of sel.nodes.values()) {
      if (n.type === 'test') continue;
      expect([...selectIds(sel, selectorFor(n))]).toContain(n.id);
    }
    const kpi = sel.nodes.get('model.flash_e2e.kpi_daily')!;
    expect(names(selectIds(sel, `1+${selectorFor(kpi)}+1`))).toEqual(names(selectNodes(project, graph, { select: ['1+kpi_daily+1'] })));
  });

  it('reports syntax it cannot read with a readable message', () => {
    expect(() => parseSelector('nope:x')).toThrow(SelectorError);
    expect(() => parseSelector('nope:x')).toThrow(/unknown selector method "nope:"/);
    expect(() => parseSelector('@+x')).toThrow(/@ already includes parents/);
    expect(() => parseSelector('tag:')).toThrow(/no value/);
    expect(() => parseSelector('state:modified')).toThrow(/--state/);
    expect(parseSelector('a,b c')).toHaveLength(2);
  });
});
