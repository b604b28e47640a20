import type { UnitDiff } from '../testing/unit/unit-diff.js';

/** The outcome of one node in a run, as run_results.json and the console report it. */
export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'fail' | 'warn';

export interface NodeResult {
  unique_id: string;
  status: NodeStatus;
  message: string;
  rowsAffected: number | null;
  /** an incremental merge's inserted and updated rows */
  merged?: { inserted: number; updated: number };
  /** failing rows of a test */
  failures: number | null;
  startedAt: string;
  completedAt: string;
  executionTime: number;
  threadId: string;
  compiledPath?: string;
  runPath?: string;
  /** first failing rows of a test, for the console, JUnit and annotations */
  sample?: Record<string, unknown>[];
  /** a failed unit test's rows, expected against actual (testing/unit/unit-diff.ts) */
  unitDiff?: UnitDiff;
  /** transient errors retried before the node succeeded (run_results.json `retries`) */
  retries?: number;
  /** what blocked a skipped node */
  skippedBecause?: string;
  /** ft itself failed the node (it could never start): the run exits 2 */
  internalError?: boolean;
}

/** A node whose failure should skip its descendants. */
export function blocksChildren(r: NodeResult): boolean {
  return r.status === 'error' || r.status === 'fail' || r.status === 'skipped';
}
