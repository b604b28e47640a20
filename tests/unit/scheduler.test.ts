import { describe, expect, it } from 'vitest';
import type { NodeResult } from '../../src/runner/node-result.js';
import { schedule, type ScheduleOptions } from '../../src/runner/scheduler.js';

const result = (id: string, status: NodeResult['status']): NodeResult => ({
  unique_id: id, status, message: status, rowsAffected: null, failures: null, startedAt: '', completedAt: '', executionTime: 0, threadId: 't',
});

function options(outcome: (id: string) => NodeResult['status'] = () => 'success'): ScheduleOptions & { seen: NodeResult[]; ran: string[] } {
  const seen: NodeResult[] = [];
  const ran: string[] = [];
  return {
    seen,
    ran,
    threads: 2,
    failFast: false,
    isCancelled: () => false,
    execute: async (id) => {
      ran.push(id);
      return result(id, outcome(id));
    },
    skipped: (id, because) => ({ ...result(id, 'skipped'), message: `skipped because ${because} did not succeed`, skippedBecause: because }),
    onResult: (r) => seen.push(r),
  };
}

describe('schedule', () => {
  it('gives every node a result: nodes whose dependencies never resolve are internal errors naming what they waited for', async () => {
    // a → b → c → b: b and c wait on each other, d waits on c
    const order = ['a', 'b', 'c', 'd'];
    const deps = new Map([['a', []], ['b', ['a', 'c']], ['c', ['b']], ['d', ['c']]]);
    const o = options();
    const results = await schedule(order, deps, o);
    expect(o.ran).toEqual(['a']);
    expect([...results.keys()].sort()).toEqual(order);
    for (const id of ['b', 'c', 'd']) {
      expect(results.get(id)!.status).toBe('error');
      expect(results.get(id)!.internalError).toBe(true);
    }
    expect(results.get('b')!.message).toMatch(/waiting for c$/);
    expect(results.get('d')!.message).toMatch(/waiting for c$/);
    // reported as they are given, like any other result
    expect(o.seen.map((r) => r.unique_id).sort()).toEqual(order);
  });

  it('skips the descendants of a failed node with the reason and runs the rest', async () => {
    const order = ['a', 'b', 'c', 'x'];
    const deps = new Map([['a', []], ['b', ['a']], ['c', ['b']], ['x', []]]);
    const o = options((id) => (id === 'a' ? 'fail' : 'success'));
    const results = await schedule(order, deps, o);
    expect(o.ran.sort()).toEqual(['a', 'x']);
    expect(results.get('b')!.skippedBecause).toBe('a');
    expect(results.get('c')!.skippedBecause).toBe('a');
    expect([...results.values()].some((r) => r.internalError)).toBe(false);
  });
});
