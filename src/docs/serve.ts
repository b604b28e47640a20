/**
 * `ft docs serve`: a small static server (node:http) for target/docs. With a
 * refresher, dashboard-data.js and dashboard.json come from memory and are
 * re-read from the gold tables every interval, so the open dashboard updates.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { FtError } from '../util/errors.js';
import { dataScript } from './generate.js';
import type { DashboardData } from './site/types.js';

const GZIP_MIN = 16 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServeOptions {
  dir: string;
  host: string;
  port: number;
  /** re-reads the dashboard data; called every refreshSeconds */
  refresh?: { seconds: number; read: () => Promise<DashboardData>; onError?: (e: unknown) => void };
}

export interface DocsServer {
  url: string;
  port: number;
  /** the last dashboard data read by the refresher */
  dashboard(): DashboardData | null;
  /** reads the dashboard data now (what the timer does) */
  refreshNow(): Promise<void>;
  close(): Promise<void>;
}

export async function startDocsServer(opts: ServeOptions): Promise<DocsServer> {
  const root = resolve(opts.dir);
  if (!existsSync(join(root, 'index.html'))) throw new FtError(`no docs site in ${root}. Run \`ft docs generate\` first.`);
  let fresh: DashboardData | null = null;
  let timer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> | null = null;

  const refreshNow = async (): Promise<void> => {
    if (!opts.refresh) return;
    if (refreshing) return refreshing;
    refreshing = (async () => {
      try {
        const d = await opts.refresh!.read();
        fresh = { ...d, refresh_seconds: opts.refresh!.seconds };
      } catch (e) {
        opts.refresh!.onError?.(e);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean, gzip = false): void => {
    const headers: Record<string, string | number> = { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', vary: 'accept-encoding' };
    let payload: string | Buffer = body;
    if (gzip && Buffer.byteLength(body) > GZIP_MIN) {
      payload = gzipSync(body, { level: 6 });
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = Buffer.byteLength(payload);
    res.writeHead(status, headers);
    res.end(head ? undefined : payload);
  };
  // big data files compress ~20×: gzipped once per version of the file
  const gzipped = new Map<string, { mtime: number; size: number; body: Buffer }>();
  const gzipFile = (file: string, mtime: number, size: number): Buffer => {
    const hit = gzipped.get(file);
    if (hit && hit.mtime === mtime && hit.size === size) return hit.body;
    const body = gzipSync(readFileSync(file), { level: 6 });
    gzipped.set(file, { mtime, size, body });
    return body;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      send(res, 400, TYPES['.txt']!, 'bad request', head);
      return;
    }
    if (path === '/' || path === '') path = '/index.html';
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (fresh && path === '/dashboard.json') return send(res, 200, TYPES['.json']!, JSON.stringify(fresh), head, gzip);
    if (fresh && path === '/dashboard-data.js') return send(res, 200, TYPES['.js']!, dataScript('__FT_DASHBOARD__', fresh), head, gzip);
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return send(res, 403, TYPES['.txt']!, 'forbidden', head);
    let size: number;
    let mtime: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
      mtime = st.mtimeMs;
    } catch {
      return send(res, 404, TYPES['.txt']!, 'not found', head);
    }
    const type = TYPES[extname(file)];
    if (gzip && size > GZIP_MIN && type && !type.startsWith('image/png')) {
      let body: Buffer;
      try {
        body = gzipFile(file, mtime, size);
      } catch {
        return send(res, 404, TYPES['.txt']!, 'not found', head);
      }
      res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-length': body.length, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(head ? undefined : body);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    if (head) {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };

  const server = createServer(handle);
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') fail(new FtError(`port ${opts.port} on ${opts.host} is in use. Pick another with --port (or --port 0 for any free port).`));
      else if (e.code === 'EACCES') fail(new FtError(`not allowed to listen on ${opts.host}:${opts.port}. Use a port above 1024.`));
      else fail(new FtError(`cannot listen on ${opts.host}:${opts.port}: ${e.message}`));
    });
    server.listen(opts.port, opts.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  // compress the big data files before the first page asks for them
  setImmediate(() => {
    for (const name of ['data.json', 'details.json']) {
      try {
        const f = join(root, name);
        const st = statSync(f);
        if (st.size > GZIP_MIN) gzipFile(f, st.mtimeMs, st.size);
      } catch {
        // not there: an older site
      }
    }
  });

  if (opts.refresh) {
    await refreshNow();
    timer = setInterval(() => void refreshNow(), opts.refresh.seconds * 1000);
    timer.unref();
  }
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${port}/`,
    port,
    dashboard: () => fresh,
    refreshNow,
    close: async () => {
      if (timer) clearInterval(timer);
      await refreshing;
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}

/** "30s", "2m", "500ms", "1h" or plain seconds → seconds. */
export function parseInterval(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) throw new FtError(`--refresh must be a duration like 30s, 2m or 1h, not "${text}".`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const seconds = unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
  if (seconds < 1) throw new FtError(`--refresh must be at least 1s, not "${text}".`);
  return seconds;
}
