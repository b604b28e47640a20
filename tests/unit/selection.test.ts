import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeManifest } from '../../src/artifacts/manifest.js';
import { buildGraph, type Graph } from '../../src/graph/build-graph.js';
import { selectNodes } from '../../src/graph/selector.js';
import { loadStateManifest } from '../../src/graph/state.js';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';
import { FtError } from '../../src/util/errors.js';

// dbt's node selection syntax against a small bronze → silver → gold project.
//
//   raw.events ─> b_events ─> s_events ─> g_daily ─> g_weekly ─> exposure dash
//   customers (seed) ─> s_customers ─────────┘
//   s_events has a not_null test on id.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const FILES: Record<string, string> = {
  'project.yml': 'name: s\nprofile: s\nmodels:\n  s:\n    bronze:\n      +tags: [bronze]\n    gold:\n      +materialized: table\n',
  'profiles.yml': 's:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n',
  'seeds/customers.csv': 'id\n1\n',
  'models/bronze/b_events.sql': 'select * from {{source "raw" "events"}}\n',
  'models/silver/s_events.sql': '{{config materialized="incremental"}}select * from {{ref "b_events"}}\n',
  'models/silver/s_customers.sql': 'select * from {{ref "customers"}}\n',
  'models/gold/g_daily.sql': '{{config tags="kpi"}}select * from {{ref "s_events"}} join {{ref "s_customers"}}\n',
  'models/gold/g_weekly.sql': 'select * from {{ref "g_daily"}}\n',
  'models/schema.yml': [
    'version: 2',
    'sources:',
    '  - name: raw',
    '    tables: [{name: events}]',
    'models:',
    '  - name: s_events',
    '    columns: [{name: id, tests: [not_null]}]',
    'exposures:',
    '  - name: dash',
    '    owner: {name: x}',
    '    depends_on: ["ref(\'g_weekly\')"]',
    '',
  ].join('\n'),
};

function write(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-sel-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

let project: Project;
let graph: Graph;
const TEST = 'test.s.not_null_s_events_id';

beforeAll(async () => {
  project = await loadProject({ projectDir: write(FILES), partialParse: false });
  graph = buildGraph(project);
  expect(project.nodes.has(TEST) || [...project.nodes.keys()].some((k) => k.startsWith(TEST))).toBe(true);
});

/** Selected nodes as short names: model/seed/exposure name, source as raw.events, the test as TEST. */
function sel(select: string[] | undefined, exclude?: string[], p = project, g = graph, state?: ReturnType<typeof loadStateManifest>): string[] {
  return [...selectNodes(p, g, { select, exclude, state })]
    .map((id) => {
      const n = p.nodes.get(id)!;
      if (n.resource_type === 'source') return `${n.source_name}.${n.name}`;
      if (n.resource_type === 'test') return 'TEST';
      return n.name;
    })
    .sort();
}

describe('selection syntax', () => {
  it('name', () => expect(sel(['s_events'])).toEqual(['s_events']));
  it('+name: the node and all its ancestors', () =>
    expect(sel(['+g_daily'])).toEqual(['b_events', 'customers', 'g_daily', 'raw.events', 's_customers', 's_events']));
  it('name+: the node and all its descendants', () => expect(sel(['s_events+'])).toEqual(['TEST', 'dash', 'g_daily', 'g_weekly', 's_events']));
  it('2+name: ancestors up to two levels', () => expect(sel(['2+g_weekly'])).toEqual(['g_daily', 'g_weekly', 's_customers', 's_events']));
  it('name+1: children one level down', () => expect(sel(['b_events+1'])).toEqual(['b_events', 's_events']));
  it('@name: descendants and the ancestors of those descendants', () =>
    expect(sel(['@s_customers'])).toEqual(['b_events', 'customers', 'dash', 'g_daily', 'g_weekly', 'raw.events', 's_customers', 's_events']));
  it('tag: from folder config and inline config', () => {
    expect(sel(['tag:bronze'])).toEqual(['b_events']);
    expect(sel(['tag:kpi'])).toEqual(['g_daily']);
  });
  it('path: a folder, with or without a trailing slash, or a file', () => {
    expect(sel(['path:models/silver'])).toEqual(['s_customers', 's_events']);
    expect(sel(['path:models/silver/'])).toEqual(['s_customers', 's_events']);
    expect(sel(['path:models/gold/g_daily.sql'])).toEqual(['g_daily']);
  });
  it('config.materialized:', () => {
    expect(sel(['config.materialized:incremental'])).toEqual(['s_events']);
    expect(sel(['config.materialized:table'])).toEqual(['g_daily', 'g_weekly']);
  });
  it('source:raw+ selects the source and everything downstream', () =>
    expect(sel(['source:raw+'])).toEqual(['TEST', 'b_events', 'dash', 'g_daily', 'g_weekly', 'raw.events', 's_events']));
  it('resource_type:', () => {
    expect(sel(['resource_type:seed'])).toEqual(['customers']);
    expect(sel(['resource_type:exposure'])).toEqual(['dash']);
  });
  it('a folder name selects what is under it (fqn)', () => expect(sel(['gold'])).toEqual(['g_daily', 'g_weekly']));
  it('space = union', () => {
    expect(sel(['s_events g_weekly'])).toEqual(['g_weekly', 's_events']);
    expect(sel(['s_events', 'g_weekly'])).toEqual(['g_weekly', 's_events']);
  });
  it('comma = intersection', () => {
    expect(sel(['+g_weekly,path:models/silver'])).toEqual(['s_customers', 's_events']);
    expect(sel(['s_events+,config.materialized:table'])).toEqual(['g_daily', 'g_weekly']);
  });
  it('--exclude removes from the selection (and from everything when no --select)', () => {
    expect(sel(['+g_daily'], ['resource_type:source', 'customers'])).toEqual(['b_events', 'g_daily', 's_customers', 's_events']);
    expect(sel(undefined, ['path:models/bronze path:models/silver', 'path:models/gold', 'resource_type:test'])).toEqual(['customers', 'dash', 'raw.events']);
  });
  it('wildcards in names', () => expect(sel(['g_*'])).toEqual(['g_daily', 'g_weekly']));
  it('a dotted fqn as dbt reads it: the whole of it, without the package, and wildcards from any part', () => {
    // the model's own fqn selected nothing before (only fqn prefixes of other nodes matched)
    expect(sel(['s.gold.g_daily'])).toEqual(['g_daily']);
    expect(sel(['fqn:s.gold.g_weekly'])).toEqual(['g_weekly']);
    expect(sel(['gold.g_daily'])).toEqual(['g_daily']);
    expect(sel(['s.gold.*'])).toEqual(['g_daily', 'g_weekly']);
    expect(sel(['gold.*'])).toEqual(['g_daily', 'g_weekly']);
    expect(sel(['silver.s_*'])).toEqual(['s_customers', 's_events']);
    expect(sel(['s.gold.g_d?ily'])).toEqual(['g_daily']);
    expect(sel(['gold.g_[!d]*'])).toEqual(['g_weekly']);
    // fqn:* is everything but sources and exposures, as dbt's default include
    expect(sel(['fqn:*'])).toEqual(['TEST', 'b_events', 'customers', 'g_daily', 'g_weekly', 's_customers', 's_events']);
    // a bare selector is ft's name-or-fqn, which also reads exposures (as before)
    expect(sel(['s.*'])).toEqual(['TEST', 'b_events', 'customers', 'dash', 'g_daily', 'g_weekly', 's_customers', 's_events']);
    expect(sel(['other.gold.*'])).toEqual([]);
  });

  it('a bad selector is an error with the fix', () => {
    const bad = (s: string): string => {
      try {
        sel([s]);
      } catch (e) {
        expect(e).toBeInstanceOf(FtError);
        return (e as Error).message;
      }
      throw new Error(`"${s}" was accepted`);
    };
    expect(bad('tga:kpi')).toMatch(/unknown selector method "tga:".*Did you mean "tag"/);
    expect(bad('@+s_events')).toMatch(/@ already includes parents/);
    expect(bad('tag:')).toMatch(/has no value/);
    expect(bad('state:modified')).toMatch(/need(s)? --state/);
  });
});

describe('state:modified', () => {
  it('selects nodes whose raw SQL or config changed, or that are new, against the manifest in --state', async () => {
    const root = write(FILES);
    const before = await loadProject({ projectDir: root, partialParse: false });
    writeManifest(before, buildGraph(before));
    const stateDir = join(root, 'prod-state');
    cpSync(join(root, 'target'), stateDir, { recursive: true });

    writeFileSync(join(root, 'models/silver/s_customers.sql'), 'select id from {{ref "customers"}}\n'); // SQL changed
    writeFileSync(join(root, 'models/gold/g_weekly.sql'), '{{config materialized="view"}}select * from {{ref "g_daily"}}\n'); // config changed
    writeFileSync(join(root, 'models/gold/g_monthly.sql'), 'select * from {{ref "g_daily"}}\n'); // new
    writeFileSync(join(root, 'models/bronze/b_events.sql'), 'select * from {{source "raw" "events"}}\n'); // rewritten, same content
    const after = await loadProject({ projectDir: root, partialParse: false });
    const g = buildGraph(after);
    const state = loadStateManifest(stateDir);
    expect(sel(['state:modified'], undefined, after, g, state)).toEqual(['g_monthly', 'g_weekly', 's_customers']);
    expect(sel(['state:modified+'], undefined, after, g, state)).toEqual(['dash', 'g_daily', 'g_monthly', 'g_weekly', 's_customers']);
    expect(sel(['state:modified+'], ['g_daily+'], after, g, state)).toEqual(['s_customers']);
    // the sub-selectors, as in dbt (a new node counts as modified in each)
    expect(sel(['state:new'], undefined, after, g, state)).toEqual(['g_monthly']);
    expect(sel(['state:modified.body'], undefined, after, g, state)).toEqual(['g_monthly', 'g_weekly', 's_customers']);
    expect(sel(['state:modified.configs'], undefined, after, g, state)).toEqual(['g_monthly', 'g_weekly']);
    expect(sel(['state:unmodified,resource_type:model'], undefined, after, g, state)).toEqual(['b_events', 'g_daily', 's_events']);
    expect(sel(['state:old'], ['state:unmodified'], after, g, state)).toEqual(['g_weekly', 's_customers']);
    expect(() => sel(['state:constructor'], undefined, after, g, state)).toThrowError(/unknown state selector "constructor"/);
    expect(() => sel(['state:modifed'], undefined, after, g, state)).toThrowError(/unknown state selector "modifed"; use state:new, state:old, state:modified, state:modified.body, state:modified.configs, state:modified.contract, state:unmodified/);
    // tags and docs are not build config: changing them is no modification
    writeFileSync(join(root, 'models/gold/g_weekly.sql'), '{{config materialized="table" tags="new"}}select * from {{ref "g_daily"}}\n');
    const again = await loadProject({ projectDir: root, partialParse: false });
    expect(sel(['state:modified'], undefined, again, buildGraph(again), state)).toEqual(['g_monthly', 'g_weekly', 's_customers']);
  });

  it('--state pointing at a folder without manifest.json is a clear error', () => {
    expect(() => loadStateManifest(join(tmpdir(), 'no-such-state-dir'))).toThrowError(/no manifest\.json there/);
  });
});

describe('selectors.yml (--selector, selector:name)', () => {
  const SELECTORS = [
    'selectors:',
    '  - name: gold_kpis',
    '    definition: "tag:kpi+"',
    '  - name: silver_up',
    '    definition: {method: path, value: models/silver, parents: true}',
    '  - name: nightly',
    '    description: everything but bronze and the tests',
    '    definition:',
    '      union:',
    '        - method: fqn',
    '          value: s_events',
    '          children: true',
    '          children_depth: 1',
    '        - selector: gold_kpis',
    '        - exclude:',
    '            - resource_type: test',
    '            - g_weekly',
    '  - name: both',
    '    definition:',
    '      intersection: ["selector:silver_up", {tag: bronze}]',
    '  - name: no_tests',
    '    definition: {union: [{exclude: [{resource_type: test}, "resource_type:source"]}]}',
    '  - name: loop_a',
    '    definition: "selector:loop_b+"',
    '  - name: loop_b',
    '    definition: {method: selector, value: loop_a}',
    '',
  ].join('\n');
  let p: Project;
  let g: Graph;
  beforeAll(async () => {
    p = await loadProject({ projectDir: write({ ...FILES, 'selectors.yml': SELECTORS }), partialParse: false });
    g = buildGraph(p);
  });

  it('evaluates strings, methods with graph operators, union, intersection and exclude', () => {
    expect(sel(['selector:gold_kpis'], undefined, p, g)).toEqual(['dash', 'g_daily', 'g_weekly']);
    expect(sel(['selector:silver_up'], undefined, p, g)).toEqual(['b_events', 'customers', 'raw.events', 's_customers', 's_events']);
    expect(sel(['selector:nightly'], undefined, p, g)).toEqual(['dash', 'g_daily', 's_events']);
    expect(sel(['selector:both'], undefined, p, g)).toEqual(['b_events']);
    expect(sel(['selector:no_tests'], undefined, p, g)).toEqual(['b_events', 'customers', 'dash', 'g_daily', 'g_weekly', 's_customers', 's_events']);
    // a named selection takes the syntax's operators and set operations like any method
    expect(sel(['+selector:both'], undefined, p, g)).toEqual(['b_events', 'raw.events']);
    expect(sel(['selector:gold_kpis,tag:kpi'], ['dash'], p, g)).toEqual(['g_daily']);
  });

  it('an unknown name, a cycle or a malformed file is an error naming selectors.yml', async () => {
    expect(() => sel(['selector:nightly_'], undefined, p, g)).toThrowError(/unknown selector "nightly_": selectors.yml defines gold_kpis, silver_up, nightly, both, no_tests, loop_a, loop_b\. Did you mean "nightly"/);
    expect(() => sel(['selector:loop_a'], undefined, p, g)).toThrowError(/selectors refer to each other in a cycle: loop_a -> loop_b -> loop_a/);
    expect(() => sel(['selector:gold_kpis'])).toThrowError(/no selectors\.yml in the project folder/);
    const bad = await loadProject({ projectDir: write({ ...FILES, 'selectors.yml': 'selectors:\n  - name: x\n    definition: {union: []}\n' }), partialParse: false });
    try {
      sel(['selector:x'], undefined, bad, buildGraph(bad));
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(FtError);
      expect((e as FtError).format()).toMatch(/^selectors\.yml:2: selector "x": "union" needs a list of definitions/);
    }
  });
});
