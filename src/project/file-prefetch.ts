import { Worker } from 'node:worker_threads';
import type { Stamp } from './file-stamp.js';

/**
 * Reads and hashes many project files on a worker thread while the loader does other work.
 *
 * Why: a cold load of 5,000 models spent about a fifth of its time opening, reading and
 * hashing files one by one; the loader now reads the schema YAML meanwhile. A file the
 * worker could not read is left out: the loader reads it itself and reports the error.
 */

// Plain CommonJS evaluated in the worker (runs the same from dist/ and from the sources
// under test). It posts [file, text, sha256, [size, mtimeMs, ctimeMs], …] batches, then null:
// the stamp is taken before the text is read (parse-cache.ts's stampOf, on the open file).
// The digest is the one util/hash.ts computes.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, fstatSync, openSync, readFileSync } = require('node:fs');
const crypto = require('node:crypto');
const sha256 = crypto.hash ? (t) => crypto.hash('sha256', t, 'hex') : (t) => crypto.createHash('sha256').update(t).digest('hex');
let batch = [];
for (const file of workerData.files) {
  let text;
  let stamp;
  try {
    const fd = openSync(file, 'r');
    try {
      const st = fstatSync(fd);
      stamp = [st.size, st.mtimeMs, st.ctimeMs];
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    continue;
  }
  batch.push(file, text, sha256(text), stamp);
  if (batch.length >= 4 * 128) {
    parentPort.postMessage(batch);
    batch = [];
  }
}
parentPort.postMessage(batch);
parentPort.postMessage(null);
`;

export interface PrefetchedFile {
  text: string;
  checksum: string;
  /** taken on the open file before it was read */
  stamp: Stamp;
}

export class FilePrefetch {
  private readonly worker: Worker;
  /** batches posted and not yet taken; null once the thread is done (or failed, or was stopped) */
  private readonly queue: Array<Map<string, PrefetchedFile> | null> = [];
  private wake: (() => void) | undefined;

  /** Starts reading `files` (absolute paths) at once. */
  constructor(files: string[]) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { files } });
    this.worker = worker;
    const arrive = (batch: Map<string, PrefetchedFile> | null): void => {
      this.queue.push(batch);
      this.wake?.();
    };
    worker.on('message', (batch: Array<string | Stamp> | null) => {
      if (batch === null) return arrive(null);
      const got = new Map<string, PrefetchedFile>();
      for (let i = 0; i < batch.length; i += 4) got.set(batch[i] as string, { text: batch[i + 1] as string, checksum: batch[i + 2] as string, stamp: batch[i + 3] as Stamp });
      arrive(got);
    });
    // a failed thread ends the stream: the caller reads the files it did not get itself
    worker.once('error', () => arrive(null));
    worker.once('exit', () => arrive(null));
  }

  /**
   * The files read, batch by batch as the thread posts them, in the order they were asked
   * for: the caller can work on the first while the thread reads the rest. A file missing
   * from every batch (unreadable, or the thread failed) is read by the caller.
   */
  async *batches(): AsyncGenerator<Map<string, PrefetchedFile>> {
    for (;;) {
      while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const batch = this.queue.shift()!;
      if (batch === null) {
        this.queue.unshift(null);
        return;
      }
      yield batch;
    }
  }

  /** Stops reading (the load failed before it needed the files). */
  cancel(): void {
    void this.worker.terminate();
  }
}
