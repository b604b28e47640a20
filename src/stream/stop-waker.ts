/**
 * A loader's stop request (its AbortSignal: SIGINT/SIGTERM in the CLI) and the waits it cuts
 * short: the trigger interval, a reconnect's backoff. The file loader and the broker loader share it.
 */
export class StopWaker {
  stopped = false;
  private wake: (() => void) | null = null;
  private readonly onAbort = (): void => {
    this.stopped = true;
    this.wake?.();
  };

  constructor(private readonly signal?: AbortSignal) {
    if (signal?.aborted) this.stopped = true;
    signal?.addEventListener('abort', this.onAbort);
  }

  /** Resolves after `ms`, or at once when a stop is (or gets) requested. */
  sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((res) => {
      const done = (): void => {
        clearTimeout(t);
        if (this.wake === done) this.wake = null;
        res();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

const MAX_BACKOFF_MS = 30_000;

/** Wait before reconnect attempt `attempt` (1-based): doubling to 30 s, ±25% so loaders do not retry in step. */
export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
}
