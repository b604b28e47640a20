/**
 * A nats-server (JetStream) of the test's own: a free port and a temporary store directory, so
 * a test can kill and restart it. The machine's shared instance on 4222 is never used.
 * `NATS_SERVER_BIN` overrides /usr/sbin/nats-server; `natsServerMissing()` says why tests skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export function natsServerMissing(): string | null {
  return existsSync(NATS_SERVER_BIN) ? null : `nats-server not found at ${NATS_SERVER_BIN} (install the Debian package nats-server, or set NATS_SERVER_BIN)`;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export class TestNatsServer {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'ft-nats-'));
  port = 0;

  /** `auth`: the server requires this user and password */
  constructor(private readonly auth?: { user: string; pass: string }) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const proc = spawn(NATS_SERVER_BIN, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.dir, ...(this.auth ? ['--user', this.auth.user, '--pass', this.auth.pass] : [])], { stdio: 'ignore' });
    this.proc = proc;
    for (let i = 0; i < 200; i++) {
      try {
        const nc = await connect({ servers: this.url, maxReconnectAttempts: 0, timeout: 500, ...this.authOptions() });
        await nc.jetstreamManager();
        await nc.close();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`nats-server on ${this.url} did not come up`);
  }

  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await gone;
  }

  private authOptions(): { user?: string; pass?: string } {
    return this.auth ? { user: this.auth.user, pass: this.auth.pass } : {};
  }

  async client(): Promise<NatsConnection> {
    return connect({ servers: this.url, ...this.authOptions() });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Creates the stream (subjects `<prefix>.>`) and publishes the payloads; returns their stream sequences in order. */
export async function publish(nc: NatsConnection, stream: string, subject: string, payloads: Array<string | Uint8Array>): Promise<number[]> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(stream);
  } catch {
    await jsm.streams.add({ name: stream, subjects: [subject.replace(/\.[^.]+$/, '.>')] });
  }
  const js = nc.jetstream();
  const seqs: number[] = [];
  const enc = new TextEncoder();
  const inflight: Array<Promise<{ seq: number }>> = [];
  for (const p of payloads) {
    inflight.push(js.publish(subject, typeof p === 'string' ? enc.encode(p) : p));
    if (inflight.length >= 500) seqs.push(...(await Promise.all(inflight.splice(0))).map((a) => a.seq));
  }
  seqs.push(...(await Promise.all(inflight)).map((a) => a.seq));
  return seqs;
}
