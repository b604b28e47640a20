import { afterEach, describe, expect, it } from 'vitest';
import { createAdapter } from '../../src/adapters/mysql/mysql-adapter.js';
import type { Adapter } from '../../src/adapters/adapter.js';
import { FileBatchWriter } from '../../src/artifacts/file-batch-writer.js';
import { compileNodesReading } from '../../src/compile/compile-reading.js';
import { newCompiler } from '../../src/compile/compile-nodes.js';
import { buildGraph } from '../../src/graph/build-graph.js';
import { loadProject } from '../../src/project/load-project.js';
import { Introspector } from '../../src/template/introspector.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Introspection costs one round trip per distinct relation per invocation, not one per call:
 * counted on the real adapter's calls (a wrapper that counts and passes every call on), never timed.
 */
describe('compile-time introspection round trips', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  /** The adapter, with its describeRelations and withSession calls counted. */
  function counting(adapter: Adapter): { adapter: Adapter; describes: Array<Array<{ schema: string; name: string }>>; sessions: number } {
    const seen = { describes: [] as Array<Array<{ schema: string; name: string }>>, sessions: 0 };
    const wrapped = new Proxy(adapter, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'describeRelations') {
          return (rels: Array<{ schema: string; name: string }>) => {
            seen.describes.push(rels);
            return target.describeRelations(rels);
          };
        }
        if (prop === 'withSession') {
          return <T>(fn: (s: never) => Promise<T>) => {
            seen.sessions++;
            return target.withSession(fn as never);
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return Object.assign(seen, { adapter: wrapped });
  }

  it('reads all relations of all models in one statement and each distinct query once', async () => {
    const cols = (m: string): string => `{{#each (get_columns_in_relation (ref "${m}"))}}{{name}},{{/each}}`;
    p = await createProject({
      label: 'introtrips',
      models: {
        'a.sql': '{{config materialized="table"}}\nselect 1 as a1, 2 as a2',
        'b.sql': '{{config materialized="table"}}\nselect 1 as b1',
        // seven column reads of two relations and two existence checks over three models
        'x.sql': `-- ${cols('a')} ${cols('a')} ${cols('b')}\nselect 1 as x from {{ref "a"}} join {{ref "b"}}`,
        'y.sql': `-- ${cols('b')} ${cols('a')} {{#if (get_relation (ref "a"))}}yes{{/if}}\nselect 1 as y from {{ref "a"}} join {{ref "b"}}`,
        'z.sql': `-- ${cols('a')} ${cols('b')} {{#if (get_relation (ref "b"))}}yes{{/if}}\n-- {{#each (run_query "select 7 as n")}}{{n}}{{/each}}\nselect 1 as z from {{ref "a"}} join {{ref "b"}}`,
        'w.sql': '-- {{#each (run_query "select 7 as n")}}{{n}}{{/each}}\nselect 1 as w',
      },
    });
    const built = await p.ft(['run', '--select', 'a', 'b']);
    expect(built.code, built.output).toBe(0);

    const project = await loadProject({ projectDir: p.dir, partialParse: false });
    const graph = buildGraph(project);
    const db = counting(createAdapter(project.target, 1));
    const introspector = new Introspector(db.adapter);
    const { compiler, cache } = newCompiler(project, { introspector });
    const writer = new FileBatchWriter();
    try {
      await compileNodesReading(project, graph, new Set(project.nodes.keys()), compiler, cache, writer);
    } finally {
      await writer.close();
      await db.adapter.close();
    }
    // one information_schema statement for both relations, one statement for the query both models run
    expect(db.describes).toHaveLength(1);
    expect(db.describes[0]!.map((r) => r.name).sort()).toEqual(['a', 'b']);
    expect(db.sessions).toBe(1);
    expect(introspector.roundTrips).toBe(2);
    expect(project.nodes.get('model.proj.x')!.compiled_code).toContain('-- a1,a2, a1,a2, b1,');
    expect(project.nodes.get('model.proj.z')!.compiled_code).toContain('-- 7');
    expect([...compiler.introspecting].sort()).toEqual(['model.proj.w', 'model.proj.x', 'model.proj.y', 'model.proj.z']);

    // the same invocation asks again: nothing more is read
    const again = newCompiler(project, { introspector }).compiler;
    again.compile(project.nodes.get('model.proj.y')!);
    expect(db.describes).toHaveLength(1);
  });
});
