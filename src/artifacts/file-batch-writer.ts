import { availableParallelism } from 'node:os';
import { sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { stagingSuffix } from './staging-names.js';
import { cannotWrite, writeFileAtomic } from './write-json.js';

/**
 * Writes many small files (target/compiled) off the main thread once there are enough of
 * them to be worth a thread.
 *
 * Why: creating a file costs tens of microseconds of kernel time on a journaling
 * filesystem; a cold `ft compile` of 5,000 models writes 15,000 of them, about a second
 * the main thread would otherwise spend waiting instead of rendering and building the
 * manifest. Below `threshold` files nothing is started and the files are written in
 * `close()`, on this thread; above it, each folder's files go to one of the writing threads.
 */

// Plain CommonJS evaluated in the worker, so it runs the same from dist/ and from the
// TypeScript sources under test. Messages: an array [file, content, …], or null to finish.
// writeFileAtomic (write-json.ts), once more: each file under its temporary name (workerData.suffix,
// staging-names.ts), renamed over the file. It stops at the first failure and reports it when finishing.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { mkdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
let failure = null;
let written = 0;
const put = (file, content) => {
  const tmp = file + workerData.suffix;
  try {
    try {
      writeFileSync(tmp, content);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(tmp, content);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {}
    throw e;
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
      failure = { file, message: e.message, code: e.code, syscall: e.syscall, path: e.path };
    }
  }
});
`;

const BATCH = 256;

/** A failed write as the thread reports it: the file, and the system error's message, code, call and path. */
type Failure = { file: string; message: string; code?: string; syscall?: string; path?: string };
type Outcome = { written: number; failure: Failure | null };

/**
 * How many threads write: two where there are two cores. Creating files is kernel work that
 * runs in parallel across folders; on a VM whose kernel is slow to allocate (right after many
 * files were deleted, say) it took 3-10 s for 15,000 files, and once the main thread has
 * nothing left but to wait, a second thread halves that (bench/RESULTS.md, compile).
 */
const writerThreads = (): number => Math.min(2, Math.max(1, availableParallelism()));

export class FileBatchWriter {
  /** files queued for each thread (before the threads start: all in the first) */
  private pending: string[][] = [[]];
  private workers: Worker[] = [];
  private results: Array<Promise<Outcome>> = [];
  /** each folder's thread: its files are created by one thread, in order */
  private readonly threadOf = new Map<string, number>();

  constructor(
    private readonly threshold = 512,
    private readonly threads = writerThreads(),
  ) {}

  /** Queues a file; nothing is on disk until `close()` has resolved. */
  write(file: string, content: string): void {
    if (this.workers.length === 0) {
      const queued = this.pending[0]!;
      queued.push(file, content);
      if (queued.length >= 2 * this.threshold) this.start();
      return;
    }
    const i = this.route(file);
    const list = this.pending[i]!;
    list.push(file, content);
    if (list.length >= 2 * BATCH) this.send(i);
  }

  /** Waits until every queued file is written; throws an FtError naming the first that could not be. */
  async close(): Promise<number> {
    if (this.workers.length === 0) {
      const files = this.pending[0]!;
      this.pending = [[]];
      for (let i = 0; i < files.length; i += 2) writeFileAtomic(files[i]!, files[i + 1]!);
      return files.length / 2;
    }
    this.workers.forEach((worker, i) => {
      this.send(i);
      worker.ref();
      worker.postMessage(null);
    });
    const outcomes = await Promise.all(this.results);
    const failed = outcomes.find((o) => o.failure);
    if (failed) throw cannotWrite(failed.failure!.file, failed.failure);
    return outcomes.reduce((n, o) => n + o.written, 0);
  }

  private route(file: string): number {
    const at = file.lastIndexOf(sep);
    const dir = at < 0 ? '' : file.slice(0, at);
    let i = this.threadOf.get(dir);
    if (i === undefined) this.threadOf.set(dir, (i = this.threadOf.size % this.workers.length));
    return i;
  }

  private start(): void {
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { suffix: stagingSuffix() } });
      // until close() the thread must not keep the process alive: a command that fails
      // before closing the writer still ends
      worker.unref();
      this.workers.push(worker);
      const result = new Promise<Outcome>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the file-writing thread stopped early (exit code ${code})`)));
      });
      // a failure before close() is reported by close(); never as an unhandled rejection
      result.catch(() => undefined);
      this.results.push(result);
    }
    const queued = this.pending[0]!;
    this.pending = this.workers.map(() => []);
    for (let i = 0; i < queued.length; i += 2) this.pending[this.route(queued[i]!)]!.push(queued[i]!, queued[i + 1]!);
    this.workers.forEach((_, i) => this.send(i));
  }

  private send(i: number): void {
    if (this.pending[i]!.length === 0) return;
    this.workers[i]!.postMessage(this.pending[i]);
    this.pending[i] = [];
  }
}
