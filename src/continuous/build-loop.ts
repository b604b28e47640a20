/**
 * The build side of continuous mode: each committed batch asks for a build; asks that arrive
 * while a build runs become one next build (they coalesce), so builds never overlap and the
 * loader never waits for them. `stop` lets the build in flight finish and starts no other;
 * `drain` runs the build still asked for, then ends.
 */
export class BuildLoop {
  private pending = false;
  private ending: 'stop' | 'drain' | null = null;
  private wake: (() => void) | null = null;
  /** builds started so far */
  started = 0;

  constructor(private readonly build: () => Promise<void>) {}

  request(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Ends after the build in flight, if any (SIGTERM). */
  stop(): void {
    this.ending = 'stop';
    this.wake?.();
  }

  /** Ends once no build is asked for (the loader has finished: the last batches get their build). */
  drain(): void {
    this.ending ??= 'drain';
    this.wake?.();
  }

  /** Resolves when the loop has ended; a build that throws is the build's to report (it is not retried here). */
  async run(): Promise<void> {
    for (;;) {
      if (this.ending === 'stop') return;
      if (!this.pending) {
        if (this.ending === 'drain') return;
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        continue;
      }
      this.pending = false;
      this.started++;
      await this.build().catch(() => undefined);
    }
  }
}
