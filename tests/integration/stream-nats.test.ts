/**
 * ft stream-load from NATS JetStream (issue #19): every published message lands exactly once in
 * bronze ∪ __rejected, compared by stream sequence — with bad messages, --once, a loader killed
 * -9 mid-run, a loader that committed but died before acknowledging (redelivery), the
 * nats-server killed and restarted mid-run, 2 and 4 loaders at once, and a continuous --build.
 * Each test starts its own nats-server (free port, temporary store).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runProduceCli } from '../../src/generator/produce-cli.js';
import { BrokerWriter, brokerBatch } from '../../src/stream/broker/broker-writer.js';
import { ensureBrokerTables, ensureCheckpointRow } from '../../src/stream/broker/broker-ddl.js';
import { NatsSource } from '../../src/stream/broker/nats-source.js';
import { TEST_DB, connect as dbConnect } from '../helpers/db.js';
import { natsServerMissing, publish, TestNatsServer } from '../helpers/nats-server.js';
import { createProject, REPO_ROOT, type RunningCli, type TestProject } from '../helpers/project-builder.js';

const missing = natsServerMissing();
if (missing) console.log(`skipping NATS stream-load tests: ${missing}`);

let p: TestProject | null = null;
let server: TestNatsServer | null = null;
const running: RunningCli[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await r.done;
  }
  await p?.cleanup();
  p = null;
  await server?.dispose();
  server = null;
});

const STREAM = 'EVENTS';

const COLUMNS = `
          - {name: id, data_type: int, required: true}
          - {name: k, data_type: varchar(8), required: true}
          - {name: ts, data_type: datetime(3), required: true}`;

function sources(url: string, over: { batch?: number; ackWait?: string; auth?: string; columns?: string; eventTime?: string } = {}): string {
  return `
version: 2
sources:
  - name: bronze
    schema: "{{target.database}}_bronze"
    tables:
      - name: events
        loader:
          nats: {servers: ["${url}"], stream: ${STREAM}, subject: "ev.>", durable: ft_bronze, ack_wait: ${over.ackWait ?? '2s'}${over.auth ?? ''}}
          format: ndjson
          max_batch_rows: ${over.batch ?? 100}
          trigger_interval: 200ms
${over.eventTime ? `          event_time: ${over.eventTime}\n` : ''}        columns:${over.columns ?? COLUMNS}
`;
}

async function setup(over: { batch?: number; ackWait?: string; auth?: string; columns?: string; eventTime?: string; models?: Record<string, string>; yaml?: Record<string, string>; server?: TestNatsServer } = {}): Promise<{ p: TestProject; s: TestNatsServer }> {
  server = over.server ?? new TestNatsServer();
  await server.start();
  p = await createProject({ label: 'natsload', yaml: { 'sources.yml': sources(server.url, over), ...over.yaml }, models: over.models ?? {} });
  return { p, s: server };
}

let nextId = 0;
const event = (k = 'a') => JSON.stringify({ id: ++nextId, k, ts: '2026-12-05T10:00:00.000Z' });
const events = (n: number) => Array.from({ length: n }, (_x, i) => event(i % 2 ? 'a' : 'b'));

async function publishTo(s: TestNatsServer, payloads: Array<string | Uint8Array>): Promise<number[]> {
  const nc = await s.client();
  try {
    return await publish(nc, STREAM, 'ev.flash', payloads);
  } finally {
    await nc.close();
  }
}

const bronze = (q: TestProject, suffix = '') => `\`${q.database}_bronze\`.\`events${suffix}\``;

/** bronze ∪ rejected holds every published sequence exactly once. */
async function expectExactlyOnce(q: TestProject, seqs: number[]): Promise<void> {
  const rows = await q.query<{ s: string | number }>(`SELECT _source_seq AS s FROM ${bronze(q)} WHERE _source_stream = ? UNION ALL SELECT _source_seq FROM ${bronze(q, '__rejected')} WHERE _source_stream = ?`, [STREAM, STREAM]);
  const got = rows.map((r) => Number(r.s)).sort((a, b) => a - b);
  const want = [...seqs].sort((a, b) => a - b);
  expect(got.length).toBe(want.length);
  expect(got).toEqual(want);
}

async function bronzeCount(q: TestProject): Promise<number> {
  try {
    const [r] = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${bronze(q)}`);
    return Number(r!.n);
  } catch {
    return 0;
  }
}

async function until(cond: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(missing !== null)('stream-load from NATS JetStream', () => {
  it('loads every message once, quarantines bad ones, and --once exits when drained', async () => {
    const { p: q, s } = await setup();
    const bad = ['{"id": 1, "k": "a"', JSON.stringify({ id: 5, k: null, ts: '2026-12-05T10:00:00Z' }), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), '', '{"id": "x", "k": "a", "ts": "2026-12-05T10:00:00Z"}'];
    const seqs = await publishTo(s, [...events(250), ...bad, ...events(250)]);
    const r = await q.ft(['stream-load', '--once']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/500 rows loaded, 5 rejected/);
    await expectExactlyOnce(q, seqs);
    const reasons = (await q.query<{ reason: string }>(`SELECT reason FROM ${bronze(q, '__rejected')} ORDER BY _source_seq`)).map((x) => x.reason.split(':')[0]);
    expect(reasons).toEqual(['malformed_json', 'missing_required', 'bad_encoding', 'empty_message', 'bad_type']);
    const [ck] = await q.query<{ rows_loaded: number; rows_rejected: number; duplicates: number }>(`SELECT rows_loaded, rows_rejected, duplicates FROM ${bronze(q, '__nats_checkpoint')}`);
    expect(ck).toMatchObject({ rows_loaded: 500, rows_rejected: 5 });
    // nothing new: a second run loads nothing and exits
    const again = await q.ft(['stream-load', '--once']);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/0 rows loaded, 0 rejected/);
    await expectExactlyOnce(q, seqs);
  });

  it('reads each message as the file loader reads a line: the same rows and reasons on the byte path and off it', async () => {
    const { p: q, s } = await setup();
    const invalidUtf8 = new Uint8Array([...Buffer.from('{"id": 12, "k": "'), 0xc3, 0x28, ...Buffer.from('", "ts": "2026-12-05T10:00:00Z"}')]);
    const payloads: Array<string | Uint8Array> = [
      '{"id": 1, "k": "a", "ts": "2026-12-05T10:00:00.123Z"}\r\n', // one terminator is not part of the record
      '{"ts":"2026-12-05 10:00:01","extra":[1,{"x":2}],"k":"b","id":2}', // nesting, keys in another order
      '{"id": 3, "k": "\\u00e9t\\u00e9", "ts": "2026-12-05T10:00:02Z"}', // escapes
      '{"id": 4, "k": "été", "ts": "2026-12-05T10:00:03Z"}', // not ASCII
      '  {"id": 5, "k": "c", "ts": "2026-12-05T10:00:04.5"}  ',
      '{"id": 6, "k": "toolongvalue", "ts": "2026-12-05T10:00:05Z"}',
      '[1, 2, 3]',
      '{"id": 8, "k": "d", "ts": "2026-13-45T10:00:00Z"}',
      '{"id": 9, "k": "e", "ts": "2026-12-05T10:00:06Z"} x',
      '{"id": 10, "k": "f", "ts": "2026-12-05T10:00:07Z"}\n',
      '{"id": 11.5, "k": "g", "ts": "2026-12-05T10:00:08Z"}',
      invalidUtf8,
      '\r\n',
    ];
    const seqs = await publishTo(s, payloads);
    const r = await q.ft(['stream-load', '--once']);
    expect(r.code, r.output).toBe(0);
    await expectExactlyOnce(q, seqs);
    const rows = await q.query<{ s: number; id: number; k: string; ts: string }>(`SELECT _source_seq AS s, id, k, CAST(ts AS CHAR) AS ts FROM ${bronze(q)} ORDER BY _source_seq`);
    expect(rows.map((x) => [Number(x.s), x.id, x.k, x.ts])).toEqual([
      [seqs[0], 1, 'a', '2026-12-05 10:00:00.123'],
      [seqs[1], 2, 'b', '2026-12-05 10:00:01.000'],
      [seqs[2], 3, 'été', '2026-12-05 10:00:02.000'],
      [seqs[3], 4, 'été', '2026-12-05 10:00:03.000'],
      [seqs[4], 5, 'c', '2026-12-05 10:00:04.500'],
      [seqs[9], 10, 'f', '2026-12-05 10:00:07.000'],
    ]);
    const rejected = await q.query<{ s: number; reason: string }>(`SELECT _source_seq AS s, reason FROM ${bronze(q, '__rejected')} ORDER BY _source_seq`);
    expect(rejected.map((x) => [Number(x.s), x.reason])).toEqual([
      [seqs[5], 'bad_type: k expects varchar(8), got "toolongvalue"'],
      [seqs[6], 'malformed_json: expected a JSON object, got an array'],
      [seqs[7], 'bad_type: ts expects datetime(3), got "2026-13-45T10:00:00Z"'],
      [seqs[8], expect.stringMatching(/^malformed_json: /)],
      [seqs[10], 'bad_type: id expects int, got 11.5'],
      [seqs[11], 'bad_encoding: the message is not valid UTF-8'],
      [seqs[12], 'empty_message: the message has no record'],
    ]);
  });

  it('a loader killed -9 mid-run loses nothing and doubles nothing after a restart', async () => {
    const { p: q, s } = await setup({ batch: 50 });
    const seqs = await publishTo(s, events(3000));
    const a = q.spawn(['stream-load']);
    running.push(a);
    await until(async () => (await bronzeCount(q)) >= 300, 'a first part loaded');
    a.child.kill('SIGKILL');
    await a.done;
    expect(await bronzeCount(q)).toBeLessThan(3000);
    const r = await q.ft(['stream-load', '--once']);
    expect(r.code, r.output).toBe(0);
    await expectExactlyOnce(q, seqs);
  });

  it('messages committed by a loader that died before acknowledging are redelivered and not loaded twice', async () => {
    // the ack wait outlasts an empty fetch (1 s): --once must wait for the unacknowledged messages, not stop at "nothing pending"
    const { p: q, s } = await setup({ ackWait: '3s' });
    const seqs = await publishTo(s, events(120));
    const target = { database: `${q.database}_bronze`, table: 'events', columns: [
      { name: 'id', dataType: 'int', required: true },
      { name: 'k', dataType: 'varchar(8)', required: true },
      { name: 'ts', dataType: 'datetime(3)', required: true },
    ] };
    // a loader's first half: fetch and commit, then "die" without acking
    const src = new NatsSource({ servers: [s.url], stream: STREAM, subject: 'ev.>', durable: 'ft_bronze', ackWaitMs: 3000 });
    await src.open();
    const msgs = await src.fetch(80, 1000);
    expect(msgs.length).toBeGreaterThan(0);
    const conn = await dbConnect();
    await ensureBrokerTables(conn, target);
    await ensureCheckpointRow(conn, target, STREAM);
    const w = new BrokerWriter(conn, target, 'dead', () => undefined);
    const dec = new TextDecoder();
    const rows = msgs.map((m) => {
      const e = JSON.parse(dec.decode(m.data)) as { id: number; k: string };
      return { seq: m.seq, tsv: `${e.id}\t${e.k}\t2026-12-05 10:00:00.000` };
    });
    await w.commit(brokerBatch(STREAM, rows, [], msgs.map((m) => m.seq)));
    await conn.end();
    await src.close(); // drain: no ack was sent
    const r = await q.ft(['stream-load', '--once']);
    expect(r.code, r.output).toBe(0);
    await expectExactlyOnce(q, seqs);
    const [ck] = await q.query<{ rows_loaded: number; duplicates: number }>(`SELECT rows_loaded, duplicates FROM ${bronze(q, '__nats_checkpoint')}`);
    expect(Number(ck!.rows_loaded)).toBe(120);
    expect(Number(ck!.duplicates)).toBe(msgs.length);
    void TEST_DB;
  });

  it('survives the nats-server being killed and restarted mid-run', async () => {
    const { p: q, s } = await setup({ batch: 50 });
    const first = await publishTo(s, events(1500));
    const a = q.spawn(['stream-load']);
    running.push(a);
    await until(async () => (await bronzeCount(q)) >= 200, 'a first part loaded');
    await s.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    await s.start();
    const second = await publishTo(s, events(500));
    await until(async () => (await bronzeCount(q)) >= 2000, 'everything loaded after the restart', 90_000);
    a.child.kill('SIGTERM');
    const r = await a.done;
    expect(r.code, r.output).toBe(0);
    await expectExactlyOnce(q, [...first, ...second]);
  }, 150_000);

  it('a loader killed -9 beside another: the survivor takes over its unacknowledged messages', async () => {
    const { p: q, s } = await setup({ batch: 50 });
    const seqs = await publishTo(s, events(3000));
    const [a, b] = [q.spawn(['stream-load']), q.spawn(['stream-load'])];
    running.push(a, b);
    await until(async () => (await bronzeCount(q)) >= 300, 'a first part loaded');
    a.child.kill('SIGKILL');
    await a.done;
    // nobody restarts it: the other loader alone finishes, its dead peer's messages coming back after ack_wait
    await until(async () => (await bronzeCount(q)) >= 3000, 'everything loaded by the survivor', 90_000);
    b.child.kill('SIGTERM');
    const r = await b.done;
    expect(r.code, r.output).toBe(0);
    await expectExactlyOnce(q, seqs);
  }, 150_000);

  for (const loaders of [2, 4]) {
    it(`${loaders} loaders at once share the work and load every message exactly once`, async () => {
      // small batches: the work outlasts a loader's start-up, so the last one started still finds some
      // (with 100-message batches the first could finish all 40 before another began, seen once in CI)
      const { p: q, s } = await setup({ batch: 20 });
      const good = events(4000);
      const payloads: string[] = [];
      good.forEach((g, i) => payloads.push(i % 400 === 7 ? '{broken' : g));
      const seqs = await publishTo(s, payloads);
      // the tables exist before they race (each loader creates what is missing, IF NOT EXISTS)
      const runs = Array.from({ length: loaders }, () => q.spawn(['stream-load', '--once']));
      running.push(...runs);
      for (const r of await Promise.all(runs.map((x) => x.done))) expect(r.code, r.output).toBe(0);
      await expectExactlyOnce(q, seqs);
      const [rej] = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${bronze(q, '__rejected')}`);
      expect(Number(rej!.n)).toBe(10);
      const who = await q.query<{ loader: string }>(`SELECT DISTINCT loader FROM ${bronze(q, '__nats_batches')}`);
      expect(who.length).toBeGreaterThan(1);
      // batch ids follow commit order: strictly increasing with the commit time
      const b = await q.query<{ batch_id: number }>(`SELECT batch_id FROM ${bronze(q, '__nats_batches')} ORDER BY committed_at, batch_id`);
      const ids = b.map((x) => Number(x.batch_id));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
    });
  }

  it('the producer publishes to JetStream (dirt included) and every line lands once', async () => {
    const columns = `
          - {name: event_id, data_type: varchar(64), required: true}
          - {name: event_type, data_type: varchar(32), required: true}
          - {name: event_ts, data_type: datetime(3), required: true}`;
    const { p: q, s } = await setup({ batch: 500, columns });
    let err = '';
    const stderr = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
    const code = await runProduceCli(['--nats-subject', 'ev.flash', '--nats-url', s.url, '--nats-stream', STREAM, '--events', '2000', '--malformed', '0.05', '--nulls', '0.05', '--seed', '3', '--catalog', join(REPO_ROOT, 'seeds', 'products.csv')], { stderr });
    expect(code, err).toBe(0);
    expect(err).toMatch(/produced 2,000 lines .* to NATS subject ev\.flash/);
    const r = await q.ft(['stream-load', '--once']);
    expect(r.code, r.output).toBe(0);
    const nc = await s.client();
    const info = await (await nc.jetstreamManager()).streams.info(STREAM);
    await nc.close();
    expect(info.state.messages).toBe(2000);
    await expectExactlyOnce(q, Array.from({ length: 2000 }, (_x, i) => i + 1));
    const [rej] = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${bronze(q, '__rejected')} WHERE reason LIKE 'malformed_json%'`);
    expect(Number(rej!.n)).toBeGreaterThan(0);
  });

  it('reads NATS credentials from environment variables and never prints them', async () => {
    const auth = { user: 'loader', pass: 'S3cret-pass-42' };
    const { p: q, s } = await setup({ server: new TestNatsServer(auth), auth: ', user_env: T_NATS_USER, password_env: T_NATS_PASS' });
    const seqs = await publishTo(s, events(50));
    const r = await q.ft(['stream-load', '--once', '--status-interval', '100ms'], { env: { T_NATS_USER: auth.user, T_NATS_PASS: auth.pass } });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain(auth.pass);
    // the status line: rate, counts, the consumer's backlog
    expect(r.output).toMatch(/stream-load: [\d,]+ events\/s \| [\d,]+ loaded \| [\d,]+ rejected \| [\d,]+ redelivered \| backlog /);
    await expectExactlyOnce(q, seqs);
    // unset: a clear error naming the variable and the YAML file
    const bad = await q.ft(['stream-load', '--once'], { env: { T_NATS_USER: auth.user, T_NATS_PASS: undefined } });
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/password_env names the environment variable T_NATS_PASS, which is not set.*sources\.yml/s);
    expect(bad.output).not.toMatch(/\n\s+at /);
  });

  it('reports a bad broker setup clearly: multi-line batching, a missing stream, no server', async () => {
    const { p: q, s } = await setup();
    const yml = q.read('models/sources.yml');
    q.write('models/sources.yml', yml.replace('format: ndjson', 'format: ndjson\n          batching: lines'));
    const lines = await q.ft(['stream-load', '--once']);
    expect(lines.code).toBe(2);
    expect(lines.output).toMatch(/loader batching of bronze\.events is "lines": a NATS source reads one record per message/);
    expect(lines.output).toMatch(/sources\.yml/);
    q.write('models/sources.yml', yml);
    const noStream = await q.ft(['stream-load', '--once']);
    expect(noStream.code).not.toBe(0);
    expect(noStream.output).toMatch(/NATS stream EVENTS does not exist/);
    q.write('models/sources.yml', yml.replace(s.url, 'nats://127.0.0.1:1'));
    const noServer = await q.ft(['stream-load', '--once']);
    expect(noServer.code).not.toBe(0);
    expect(noServer.output).toMatch(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
    for (const r of [lines, noStream, noServer]) expect(r.output).not.toMatch(/\n\s+at /);
  });

  it('continuous --build builds from the broker source and measures freshness by event time', async () => {
    const { p: q, s } = await setup({
      eventTime: 'ts',
      models: { 'totals.sql': '{{config materialized="table"}}\nselect k, count(*) as n, max(ts) as last_ts from {{source "bronze" "events"}} group by k\n' },
      yaml: { 'models.yml': 'version: 2\nmodels:\n  - name: totals\n    config:\n      event_time: last_ts\n      freshness: {warn_after: 1h, error_after: 2h}\n' },
    });
    const payloads = Array.from({ length: 300 }, (_x, i) => JSON.stringify({ id: ++nextId, k: i % 2 ? 'a' : 'b', ts: new Date(Date.UTC(2026, 11, 5, 10, 0, 0, i)).toISOString() }));
    const seqs = await publishTo(s, payloads);
    const r = await q.ft(['stream-load', '--once', '--build', 'totals', '--log-format', 'json']);
    expect(r.code, r.output).toBe(0);
    await expectExactlyOnce(q, seqs);
    const rows = await q.query<{ k: string; n: number }>(`SELECT k, n FROM ${q.rel('totals')} ORDER BY k`);
    expect(rows.map((x) => [x.k, Number(x.n)])).toEqual([['a', 150], ['b', 150]]);
    // the newest event loaded is known from the broker batches (by _batch_id): caught up, lag 0
    const builds = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; newest_event_loaded?: string; freshness?: unknown[] }).filter((e) => e.event === 'build');
    expect(builds.at(-1)).toMatchObject({ newest_event_loaded: '2026-12-05T10:00:00.299Z', freshness: [{ model: 'totals', newestEvent: '2026-12-05T10:00:00.299Z', lagSeconds: 0, status: 'pass' }] });
  });
});
