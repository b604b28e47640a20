import type { NodeResult } from './node-result.js';
import { blocksChildren } from './node-result.js';

export interface ScheduleOptions {
  threads: number;
  failFast: boolean;
  /** stop starting nodes (Ctrl-C) */
  isCancelled(): boolean;
  execute(id: string, slot: number): Promise<NodeResult>;
  skipped(id: string, because: string): NodeResult;
  /** called as each node finishes, in completion order */
  onResult(r: NodeResult): void;
}

/**
 * Runs a DAG with up to `threads` nodes at once: a node starts as soon as all its
 * dependencies are done; a failed node's descendants are skipped and the rest goes on.
 * Every node of `order` gets a result: one that could never start is an internal error.
 * `order` is a topological order that breaks ties between ready nodes.
 */
export async function schedule(order: string[], deps: Map<string, string[]>, opts: ScheduleOptions): Promise<Map<string, NodeResult>> {
  const results = new Map<string, NodeResult>();
  const rank = new Map(order.map((id, i) => [id, i]));
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const id of order) {
    const ds = (deps.get(id) ?? []).filter((d) => rank.has(d));
    waiting.set(id, ds.length);
    for (const d of ds) {
      const list = children.get(d) ?? [];
      list.push(id);
      children.set(d, list);
    }
  }
  const ready: string[] = order.filter((id) => waiting.get(id) === 0);
  const blockedBy = new Map<string, string>();
  let running = 0;
  let stop = false;
  let resolved = false;
  const freeSlots: number[] = Array.from({ length: Math.max(1, opts.threads) }, (_, i) => opts.threads - i);

  return new Promise((resolveAll, rejectAll) => {
    const finish = (id: string, r: NodeResult): void => {
      results.set(id, r);
      opts.onResult(r);
      if (blocksChildren(r) && opts.failFast && r.status !== 'skipped') stop = true;
      for (const c of children.get(id) ?? []) {
        if (blocksChildren(r) && !blockedBy.has(c)) blockedBy.set(c, r.status === 'skipped' ? blockedBy.get(id) ?? id : id);
        const left = waiting.get(c)! - 1;
        waiting.set(c, left);
        if (left === 0) insertReady(c);
      }
    };
    const insertReady = (id: string): void => {
      const r = rank.get(id)!;
      let i = ready.length;
      while (i > 0 && rank.get(ready[i - 1]!)! > r) i--;
      ready.splice(i, 0, id);
    };
    const pump = (): void => {
      while (ready.length && (running < opts.threads || blockedBy.has(ready[0]!) || stop || opts.isCancelled())) {
        const id = ready.shift()!;
        if (stop || opts.isCancelled()) {
          finish(id, opts.skipped(id, opts.isCancelled() ? 'the run was cancelled' : '--fail-fast stopped the run'));
          continue;
        }
        const cause = blockedBy.get(id);
        if (cause) {
          finish(id, opts.skipped(id, cause));
          continue;
        }
        running++;
        const slot = freeSlots.pop() ?? 0;
        opts
          .execute(id, slot)
          .then((r) => {
            running--;
            freeSlots.push(slot);
            finish(id, r);
            pump();
          })
          .catch(rejectAll);
      }
      if (running === 0 && ready.length === 0 && !resolved) {
        resolved = true;
        // a node never ready (its dependencies close a cycle) is ft's bug: it gets an error, never silence
        const stuck = new Set(order.filter((id) => !results.has(id)));
        for (const id of stuck) {
          const on = (deps.get(id) ?? []).filter((d) => rank.has(d) && stuck.has(d));
          const now = new Date().toISOString();
          const r: NodeResult = { unique_id: id, status: 'error', message: `internal error: ft never started this node; it was still waiting for ${on.join(', ') || 'nothing'}`, rowsAffected: null, failures: null, startedAt: now, completedAt: now, executionTime: 0, threadId: 'main', internalError: true };
          results.set(id, r);
          opts.onResult(r);
        }
        resolveAll(results);
      }
    };
    pump();
  });
}
