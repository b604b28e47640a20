/**
 * Which data tests of a continuous build's test run read its snapshot (createSnapshotAdapter:
 * the database as one build left it). Those reading only relations the builds change without
 * DDL: incremental models and snapshots (INSERT, merge, UPDATE), sources (a loader appends to
 * them; a selection such as source:bronze+ holds them, but no build replaces them — a loader's
 * rare ALTER TABLE for a new column waits for the test run), and what the builds do not touch
 * (seeds and models outside the selection). A table or view model of the
 * selection is replaced by RENAME or CREATE OR REPLACE on every build, and that would wait for
 * the snapshot's metadata lock until the test run ends; a test of one reads it as it is (one
 * statement sees one version of it) and has the re-check to fall back on.
 */
import type { Project } from '../project/project.js';

export function snapshotReadingTests(project: Project, built: ReadonlySet<string>, tests: Iterable<string>): Set<string> {
  const safe = (id: string, seen: Set<string>): boolean => {
    if (seen.has(id)) return true;
    seen.add(id);
    const node = project.nodes.get(id);
    if (!node) return true;
    // an ephemeral model is its parents' SQL, inlined
    if (node.resource_type === 'model' && node.config.materialized === 'ephemeral') return node.depends_on.nodes.every((d) => safe(d, seen));
    if (!built.has(id) || node.resource_type === 'source') return true;
    return node.resource_type === 'snapshot' || (node.resource_type === 'model' && node.config.materialized === 'incremental');
  };
  const out = new Set<string>();
  for (const id of tests) {
    const test = project.nodes.get(id);
    if (!test || test.resource_type !== 'test' || test.unit_test) continue;
    if (test.depends_on.nodes.every((d) => safe(d, new Set()))) out.add(id);
  }
  return out;
}
