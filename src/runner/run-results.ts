import { join, relative, resolve } from 'node:path';
import { metadata } from '../artifacts/manifest.js';
import { writeJsonAtomic } from '../artifacts/write-json.js';
import type { Project } from '../project/project.js';
import type { NodeResult } from './node-result.js';

export const RUN_RESULTS_SCHEMA = 'https://ft.dev/schemas/run-results/v1.json';

/** target/run_results.json (or `name` in target/) in dbt's shape: per node status, timing, rows, message, SQL paths. */
export function writeRunResults(project: Project, results: NodeResult[], elapsed: number, args: Record<string, unknown>, name = 'run_results.json'): string {
  const file = join(resolve(project.root, project.config.targetPath), name);
  const rel = (p?: string) => (p ? relative(project.root, p) : null);
  writeJsonAtomic(file, {
    metadata: metadata(project, RUN_RESULTS_SCHEMA),
    results: results.map((r) => {
      const node = project.nodes.get(r.unique_id);
      return {
        unique_id: r.unique_id,
        status: r.status,
        timing: [{ name: 'execute', started_at: r.startedAt, completed_at: r.completedAt }],
        thread_id: r.threadId,
        execution_time: r.executionTime,
        adapter_response: { rows_affected: r.rowsAffected, ...(r.merged ? { rows_inserted: r.merged.inserted, rows_updated: r.merged.updated } : {}) },
        message: r.message,
        failures: r.failures,
        relation_name: node?.relation_name ?? null,
        compiled_path: rel(r.compiledPath),
        run_path: rel(r.runPath),
        ...(r.skippedBecause ? { skipped_because: r.skippedBecause } : {}),
        ...(r.sample?.length ? { failing_rows_sample: r.sample } : {}),
        ...(r.unitDiff ? { unit_test_diff: r.unitDiff } : {}),
        ...(r.retries ? { retries: r.retries } : {}),
      };
    }),
    elapsed_time: elapsed,
    args,
  });
  return file;
}
