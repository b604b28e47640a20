import { Worker } from 'node:worker_threads';
import type { Stamp } from './parse-cache.js';

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
  private readonly done: Promise<Map<string, PrefetchedFile>>;

  /** Starts reading `files` (absolute paths) at once. */
  constructor(files: string[]) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { files } });
    this.worker = worker;
    const got = new Map<string, PrefetchedFile>();
    this.done = new Promise((resolve, reject) => {
      worker.on('message', (batch: Array<string | Stamp> | null) => {
        if (batch === null) {
          resolve(got);
          return;
        }
        for (let i = 0; i < batch.length; i += 4) got.set(batch[i] as string, { text: batch[i + 1] as string, checksum: batch[i + 2] as string, stamp: batch[i + 3] as Stamp });
      });
      worker.once('error', reject);
      worker.once('exit', () => resolve(got));
    });
    this.done.catch(() => undefined);
  }

  /** The files read, by absolute path; a file missing from it is read by the caller. */
  async files(): Promise<Map<string, PrefetchedFile>> {
    try {
      return await this.done;
    } catch {
      // the thread failed: the caller reads every file itself
      return new Map();
    }
  }

  /** Stops reading (the load failed before it needed the files). */
  cancel(): void {
    void this.worker.terminate();
  }
}
