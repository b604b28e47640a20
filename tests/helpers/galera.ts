/**
 * A three-node MariaDB Galera cluster of the test's own on 127.0.0.1: free ports, data folders
 * under a temporary directory, node 1 bootstrapped with --wsrep-new-cluster and the others
 * joined through rsync SST. The machine's shared MariaDB (3306) is never touched.
 *
 *   const c = new GaleraCluster();  await c.start();      // waits for wsrep_cluster_size = 3
 *   c.nodes[0].port …  await c.query(1, 'select …');  await c.kill(2);  await c.stop();
 *
 * `galeraMissing()` says why tests skip (no galera-4 library, no mariadbd, not root).
 * `MARIADBD_BIN` and `GALERA_PROVIDER` override the Debian paths.
 * Run by hand: `npx tsx tests/helpers/galera.ts` starts one and prints its ports until Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';

export const MARIADBD_BIN = process.env.MARIADBD_BIN ?? '/usr/sbin/mariadbd';
export const GALERA_PROVIDER = process.env.GALERA_PROVIDER ?? ['/usr/lib/galera/libgalera_smm.so', '/usr/lib/libgalera_smm.so'].find((p) => existsSync(p)) ?? '/usr/lib/galera/libgalera_smm.so';

export function galeraMissing(): string | null {
  if (!existsSync(GALERA_PROVIDER)) return `Galera library not found at ${GALERA_PROVIDER} (install the Debian package galera-4, or set GALERA_PROVIDER)`;
  if (!existsSync(MARIADBD_BIN)) return `mariadbd not found at ${MARIADBD_BIN} (install mariadb-server, or set MARIADBD_BIN)`;
  if (spawnSync('which', ['mariadb-install-db']).status !== 0) return 'mariadb-install-db not found (install mariadb-server)';
  if (spawnSync('which', ['rsync']).status !== 0) return 'rsync not found (Galera state transfer uses it; install rsync)';
  return null;
}

async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
      s.on('error', rej);
    });
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
}

export interface GaleraNode {
  index: number;
  /** the SQL port */
  port: number;
  gcommPort: number;
  istPort: number;
  sstPort: number;
  datadir: string;
  proc: ChildProcess | null;
}

/** mariadbd refuses to run as root unless told --user=root; as anyone else it runs as that user */
const osUser = () => (process.getuid?.() === 0 ? 'root' : userInfo().username);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class GaleraCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'ft-galera-'));
  readonly nodes: GaleraNode[] = [];
  private stopped = false;

  /**
   * `quickEviction`: a killed node is evicted after Galera's default 5 s of silence instead of
   * the 30 s the other tests allow a loaded machine; the survivors' writes wait that long.
   */
  constructor(readonly size = 3, private readonly opts: { quickEviction?: boolean } = {}) {}

  /** connection settings of node i (0-based) */
  db(i: number) {
    return { host: '127.0.0.1', port: this.nodes[i]!.port, user: 'root', password: '' };
  }

  /**
   * A connection to node i whose reads wait until the node has applied every write set the
   * cluster committed before them (wsrep_sync_wait): replication is virtually synchronous,
   * so a plain read on node 3 right after a commit through node 2 may not see it yet.
   */
  async connect(i: number, database?: string): Promise<mysql.Connection> {
    const c = await mysql.createConnection({ ...this.db(i), database, multipleStatements: true, timezone: 'Z', dateStrings: true, connectTimeout: 5000 });
    await c.query('SET SESSION wsrep_sync_wait = 1').catch(() => undefined);
    return c;
  }

  async query<T = Record<string, unknown>>(i: number, sql: string, params: unknown[] = []): Promise<T[]> {
    const c = await this.connect(i);
    try {
      const [rows] = await c.query(sql, params);
      return rows as T[];
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** Starts the nodes; a start that fails stops what it started (no node left running, no folder left). */
  async start(timeoutMs = 180_000): Promise<void> {
    try {
      await this.startNodes(timeoutMs);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async startNodes(timeoutMs: number): Promise<void> {
    const taken = new Set<number>();
    chmodSync(this.dir, 0o755);
    for (let i = 0; i < this.size; i++) {
      const datadir = join(this.dir, `node${i + 1}`);
      mkdirSync(datadir, { recursive: true });
      // rsync's SST daemon, started as root, writes as `nobody`: the joiner's folder must let it
      chmodSync(datadir, 0o777);
      this.nodes.push({ index: i, port: await freePort(taken), gcommPort: await freePort(taken), istPort: await freePort(taken), sstPort: await freePort(taken), datadir, proc: null });
    }
    // Only node 1 gets a fresh system database; the joiners receive node 1's state by SST.
    const init = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${this.nodes[0]!.datadir}`, `--user=${osUser()}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
    for (const n of this.nodes) writeFileSync(this.cnf(n), this.config(n));
    const deadline = Date.now() + timeoutMs;
    this.launch(this.nodes[0]!, true);
    await this.waitReady(0, 1, deadline);
    // joiners one at a time: two SSTs at once from one donor are slow on a loaded machine
    for (let i = 1; i < this.size; i++) {
      this.launch(this.nodes[i]!, false);
      await this.waitReady(i, i + 1, deadline);
    }
    await this.waitReady(0, this.size, deadline);
  }

  private cnf(n: GaleraNode): string {
    return join(this.dir, `node${n.index + 1}.cnf`);
  }

  private config(n: GaleraNode): string {
    const addresses = this.nodes.map((m) => `127.0.0.1:${m.gcommPort}`).join(',');
    return [
      '[mysqld]',
      `datadir=${n.datadir}`,
      `socket=${join(this.dir, `node${n.index + 1}.sock`)}`,
      `pid-file=${join(this.dir, `node${n.index + 1}.pid`)}`,
      `log-error=${join(this.dir, `node${n.index + 1}.err`)}`,
      'bind-address=127.0.0.1',
      `port=${n.port}`,
      'skip-name-resolve',
      'innodb_buffer_pool_size=64M',
      'innodb_log_file_size=16M',
      'performance_schema=OFF',
      'max_connections=200',
      'local_infile=ON',
      'binlog_format=ROW',
      'default_storage_engine=InnoDB',
      'innodb_autoinc_lock_mode=2',
      'innodb_flush_log_at_trx_commit=0',
      'wsrep_on=ON',
      `wsrep_provider=${GALERA_PROVIDER}`,
      `wsrep_cluster_address=gcomm://${addresses}`,
      'wsrep_cluster_name=ft_test',
      `wsrep_node_name=node${n.index + 1}`,
      `wsrep_node_address=127.0.0.1:${n.gcommPort}`,
      `wsrep_node_incoming_address=127.0.0.1:${n.port}`,
      `wsrep_sst_receive_address=127.0.0.1:${n.sstPort}`,
      'wsrep_sst_method=rsync',
      // generous timeouts: two shared cores under a test suite's load
      `wsrep_provider_options="base_host=127.0.0.1;base_port=${n.gcommPort};ist.recv_addr=127.0.0.1:${n.istPort};gcache.size=64M;${this.opts.quickEviction ? 'evs.suspect_timeout=PT5S;evs.inactive_timeout=PT15S;evs.install_timeout=PT15S' : 'evs.suspect_timeout=PT30S;evs.inactive_timeout=PT60S;evs.install_timeout=PT60S'};pc.wait_prim_timeout=PT60S"`,
      '',
    ].join('\n');
  }

  private launch(n: GaleraNode, bootstrap: boolean): void {
    const args = [`--defaults-file=${this.cnf(n)}`, `--user=${osUser()}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])];
    n.proc = spawn(MARIADBD_BIN, args, { stdio: 'ignore' });
    n.proc.on('exit', () => {
      n.proc = null;
    });
  }

  /** waits until node i answers, is ready and sees `size` members */
  async waitReady(i: number, size: number, deadline = Date.now() + 120_000): Promise<void> {
    let last = '';
    while (Date.now() < deadline) {
      if (!this.nodes[i]!.proc) throw new Error(`Galera node ${i + 1} exited while starting:\n${this.logTail(i)}${i > 0 ? `\nnode 1 (donor):\n${this.logTail(0, 15)}` : ''}`);
      try {
        const rows = await this.query<{ Variable_name: string; Value: string }>(i, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_ready', 'wsrep_local_state_comment')");
        const s = Object.fromEntries(rows.map((r) => [r.Variable_name.toLowerCase(), r.Value]));
        last = JSON.stringify(s);
        if (Number(s.wsrep_cluster_size) === size && s.wsrep_ready === 'ON' && s.wsrep_local_state_comment === 'Synced') return;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(500);
    }
    throw new Error(`Galera node ${i + 1} not ready with ${size} members in time (last: ${last}):\n${this.logTail(i)}`);
  }

  /** the end of node i's error log, for failures (the folder is gone after stop()) */
  logTail(i: number, lines = 25): string {
    const f = join(this.dir, `node${i + 1}.err`);
    return existsSync(f) ? readFileSync(f, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no error log)';
  }

  /** kill -9 of node i, as a crash */
  async kill(i: number): Promise<void> {
    const n = this.nodes[i]!;
    const p = n.proc;
    if (!p) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  /**
   * Restarts a killed node i and waits for the full cluster. Its data folder is emptied first: a
   * node killed -9 has no saved position, so it needs a full state transfer anyway, and rsync's
   * SST daemon (running as `nobody`) cannot take over the folders mariadb-install-db made.
   */
  async restart(i: number, timeoutMs = 180_000): Promise<void> {
    const n = this.nodes[i]!;
    rmSync(n.datadir, { recursive: true, force: true });
    mkdirSync(n.datadir, { recursive: true });
    chmodSync(n.datadir, 0o777);
    this.launch(n, false);
    await this.waitReady(i, this.size, Date.now() + timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.nodes.map((_, i) => this.kill(i)));
    // FT_GALERA_KEEP=1 keeps the data folders and logs for a look after a failure
    if (!process.env.FT_GALERA_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}

// By hand: start a cluster, print its ports, stop it on Ctrl-C.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const why = galeraMissing();
  if (why) {
    console.error(why);
    process.exit(1);
  }
  const c = new GaleraCluster();
  const stop = () => void c.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const t0 = Date.now();
  c.start()
    .then(() => console.log(`Galera cluster up in ${Math.round((Date.now() - t0) / 1000)}s: SQL ports ${c.nodes.map((n) => n.port).join(', ')} (root, no password); data in ${c.dir}. Ctrl-C stops it.`))
    .catch(async (e) => {
      console.error((e as Error).message);
      await c.stop();
      process.exit(1);
    });
}
