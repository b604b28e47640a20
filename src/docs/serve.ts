/**
 * `ft docs serve`: a small static server (node:http) for target/docs. With a
 * refresher, dashboard-data.js and dashboard.json come from memory and are
 * re-read from the gold tables every interval, so the open dashboard updates.
 */
import { createReadStream, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { FtError } from '../util/errors.js';
import { dataScript } from './generate.js';
import { SITE_CSP_HEADER } from './site-html.js';
import type { DashboardData } from './site/types.js';

const GZIP_MIN = 16 * 1024;

/** Sent with every response: the site's Content-Security-Policy and no sniffing, framing or referrers. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': SITE_CSP_HEADER,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** `host` as it appears in a Host header: IPv6 addresses in brackets, lower case. */
function hostForHeader(host: string): string {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return isIP(h) === 6 ? `[${h}]` : h;
}

/**
 * The Host header values the server answers (DNS rebinding: a page on evil.example whose name
 * is made to resolve to 127.0.0.1 sends `Host: evil.example:<port>`, and is refused): the
 * loopback names and the bound address, with the port; bound to every interface (0.0.0.0,
 * ::), the machine's addresses and name too.
 */
export function allowedHosts(bound: string, port: number): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', hostForHeader(bound)]);
  if (bound === '0.0.0.0' || bound === '::' || bound === '[::]') {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(hostForHeader(a.address.replace(/%.*$/, '')));
  }
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n}:${port}`);
    // a browser leaves the port out when it is the scheme's default
    if (port === 80) out.add(n);
  }
  return out;
}

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
  refresh?: {
    seconds: number;
    read: () => Promise<DashboardData>;
    onError?: (e: unknown) => void;
    /** a file every build rewrites (run_results.json): read again as soon as it changes (checked every second) */
    watch?: string;
  };
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
  // where the site really is (target/docs may itself be a link): what is served lies inside it
  const realRoot = realpathSync(root);
  let hosts = new Set<string>();
  let hostNames = '';
  let fresh: DashboardData | null = null;
  let timer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> | null = null;

  const refreshNow = async (): Promise<void> => {
    if (!opts.refresh) return;
    if (refreshing) return refreshing;
    refreshing = (async () => {
      try {
        const d = await opts.refresh!.read();
        fresh = { ...d, refresh_seconds: opts.refresh!.seconds, live: opts.refresh!.watch !== undefined };
      } catch (e) {
        opts.refresh!.onError?.(e);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean, gzip = false): void => {
    const headers: Record<string, string | number> = { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store', vary: 'accept-encoding' };
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
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) {
      // 421 Misdirected Request: a page whose host name was made to resolve here (DNS rebinding)
      send(res, 421, TYPES['.txt']!, `misdirected request: this server answers to ${hostNames}, not to the host "${String(req.headers.host ?? '')}"`, head);
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD' }).end();
      return;
    }
    let path = requestPath(req.url ?? '/');
    if (path === null) return send(res, 400, TYPES['.txt']!, 'bad request', head);
    if (path === '/' || path === '') path = '/index.html';
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (fresh && path === '/dashboard.json') return send(res, 200, TYPES['.json']!, JSON.stringify(fresh), head, gzip);
    if (fresh && path === '/dashboard-data.js') return send(res, 200, TYPES['.js']!, dataScript('__FT_DASHBOARD__', fresh), head, gzip);
    const found = siteFile(realRoot, path);
    if (found === 403) return send(res, 403, TYPES['.txt']!, 'forbidden', head);
    if (found === 404) return send(res, 404, TYPES['.txt']!, 'not found', head);
    const { file, size, mtime } = found;
    const type = TYPES[extname(file)];
    if (gzip && size > GZIP_MIN && type && !type.startsWith('image/png')) {
      let body: Buffer;
      try {
        body = gzipFile(file, mtime, size);
      } catch {
        return send(res, 404, TYPES['.txt']!, 'not found', head);
      }
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(head ? undefined : body);
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-store' });
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
  hosts = allowedHosts(opts.host, port);
  hostNames = [...new Set(['localhost', hostForHeader(opts.host)])].map((h) => `${h}:${port}`).join(' and ');
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

  let watcher: NodeJS.Timeout | null = null;
  if (opts.refresh) {
    const watch = opts.refresh.watch;
    const stamp = (): number => {
      try {
        return statSync(watch!).mtimeMs;
      } catch {
        return 0;
      }
    };
    let seen = watch ? stamp() : 0;
    await refreshNow();
    timer = setInterval(() => void refreshNow(), opts.refresh.seconds * 1000);
    timer.unref();
    if (watch) {
      // a build landed (its run_results.json was rewritten): the panels are read again now
      watcher = setInterval(() => {
        const now = stamp();
        if (now === seen) return;
        seen = now;
        void refreshNow();
      }, 1000);
      watcher.unref();
    }
  }
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${port}/`,
    port,
    dashboard: () => fresh,
    refreshNow,
    close: async () => {
      if (timer) clearInterval(timer);
      if (watcher) clearInterval(watcher);
      await refreshing;
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The path of a request target as the client sent it, percent-decoded but not normalised: a
 * `..` in it is refused by siteFile, never resolved (a raw `GET /../x` reaches the server as
 * written; only browsers and Node's client tidy it away). null: not decodable.
 */
export function requestPath(target: string): string | null {
  let p = target;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(p);
  if (absolute) p = p.slice(absolute[0].length);
  p = p.replace(/[?#][\s\S]*$/, '');
  if (!p.startsWith('/')) p = `/${p}`;
  try {
    return decodeURIComponent(p);
  } catch {
    return null;
  }
}

/**
 * The file a decoded request path names inside the site (realRoot: the site folder with links
 * resolved), or 403 when it would lead out of it — a `..` segment, a NUL, or a symlink (the file
 * or a folder on the way) pointing outside — or 404 when there is no such file.
 */
export function siteFile(realRoot: string, path: string): { file: string; size: number; mtime: number } | 403 | 404 {
  if (path.includes('\0') || path.split(/[\\/]/).includes('..')) return 403;
  const wanted = normalize(join(realRoot, path));
  if (!wanted.startsWith(realRoot + sep)) return 403;
  let file: string;
  try {
    file = realpathSync(wanted);
  } catch {
    return 404;
  }
  if (!file.startsWith(realRoot + sep)) return 403;
  try {
    const st = statSync(file);
    return st.isFile() ? { file, size: st.size, mtime: st.mtimeMs } : 404;
  } catch {
    return 404;
  }
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
