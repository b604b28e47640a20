import { isTransient } from '../adapters/adapter.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `attempt` again after a transient error — a deadlock, a Galera certification conflict, or
 * the node in use gone (the driver then drops its pool, so the next attempt's session goes to
 * the next usable host of the profile) — up to `maxRetries` times, with a short backoff. Every
 * node kind runs through it (models, seeds, snapshots, data and unit tests): each attempt is
 * whole and safe to repeat (a table is swapped in by RENAME, a snapshot's changes are one
 * transaction, a test only reads). Returns the value and how many retries it took.
 */
export async function retryTransient<T>(attempt: () => Promise<T>, maxRetries = 3): Promise<{ value: T; retries: number }> {
  for (let n = 0; ; n++) {
    try {
      return { value: await attempt(), retries: n };
    } catch (e) {
      if (n >= maxRetries || !isTransient(e)) throw e;
      await sleep(200 * 2 ** n + Math.random() * 100);
    }
  }
}
