import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cannotWrite } from './write-json.js';

/**
 * Writes many small files (target/compiled) off the main thread once there are enough of
 * them to be worth a thread.
 *
 * Why: creating a file costs tens of microseconds of kernel time on a journaling
 * filesystem; a cold `ft compile` of 5,000 models writes 15,000 of them, about a second
 * the main thread would otherwise spend waiting instead of rendering and building the
 * manifest. Below `threshold` files nothing is started and the files are written in
 * `close()`, on this thread.
 */

// Plain CommonJS evaluated in the worker, so it runs the same from dist/ and from the
// TypeScript sources under test. Messages: an array [file, content, …], or null to finish.
// The body of writeOne, once more. It stops at the first failure and reports it when finishing.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
let failure = null;
let written = 0;
const put = (file, content) => {
  try {
    writeFileSync(file, content);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
};
parentPort.on('message', (batch) => {
  if (batch === null) {
    parentPort.postMessage({ written, failure });
    parentPort.close();
    return;
  }
  for (let i = 0; i < batch.length && !failure; i += 2) {
    const file = batch[i];
    try {
      put(file, batch[i + 1]);
      written++;
    } catch (e) {
      failure = { file, message: e.message };
    }
  }
});
`;

const BATCH = 256;

export class FileBatchWriter {
  private pending: string[] = [];
  private queued = 0;
  private worker: Worker | undefined;
  private result: Promise<{ written: number; failure: { file: string; message: string } | null }> | undefined;

  constructor(private readonly threshold = 512) {}

  /** Queues a file; nothing is on disk until `close()` has resolved. */
  write(file: string, content: string): void {
    this.pending.push(file, content);
    this.queued++;
    if (this.worker) {
      if (this.pending.length >= 2 * BATCH) this.send();
    } else if (this.queued >= this.threshold) {
      this.start();
      this.send();
    }
  }

  /** Waits until every queued file is written; throws an FtError naming the first that could not be. */
  async close(): Promise<number> {
    if (!this.worker) {
      const files = this.pending;
      this.pending = [];
      for (let i = 0; i < files.length; i += 2) writeOne(files[i]!, files[i + 1]!);
      return files.length / 2;
    }
    this.send();
    this.worker.ref();
    this.worker.postMessage(null);
    const { written, failure } = await this.result!;
    if (failure) throw cannotWrite(failure.file, failure.message);
    return written;
  }

  private start(): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    // until close() the thread must not keep the process alive: a command that fails
    // before closing the writer still ends
    worker.unref();
    this.worker = worker;
    this.result = new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the file-writing thread stopped early (exit code ${code})`)));
    });
    // a failure before close() is reported by close(); never as an unhandled rejection
    this.result.catch(() => undefined);
  }

  private send(): void {
    if (this.pending.length === 0) return;
    this.worker!.postMessage(this.pending);
    this.pending = [];
  }
}

function writeOne(file: string, content: string): void {
  try {
    try {
      writeFileSync(file, content);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  } catch (e) {
    throw cannotWrite(file, (e as Error).message);
  }
}
