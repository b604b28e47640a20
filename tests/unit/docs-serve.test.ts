import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDashboard } from '../../src/docs/dashboard-data.js';
import { allowedHosts, parseInterval, requestPath, siteFile, startDocsServer, type DocsServer } from '../../src/docs/serve.js';
import { FtError } from '../../src/util/errors.js';

/** base/site is served; base/secret.txt is beside it, where a `..` or a symlink would lead */
let base: string;
let dir: string;
let server: DocsServer;
const SECRET = 'top-secret-contents';
let reads = 0;

function get(path: string, opts: { method?: string; gzip?: boolean } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((ok, fail) => {
    const req = request(`${server.url.replace(/\/$/, '')}${path}`, { method: opts.method ?? 'GET', headers: opts.gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

/**
 * One request written to a socket exactly as given, as an attacker would (Node's HTTP client
 * normalises `/../x` and `/%2e%2e/x` to `/x` before sending, so it cannot test traversal).
 */
function raw(requestText: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((ok, fail) => {
    const sock = connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('connect', () => sock.write(requestText));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', fail);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head ?? '');
      if (!m) return fail(new Error(`no HTTP status line in: ${JSON.stringify(text.slice(0, 200))}`));
      ok({ status: Number(m[1]), head: head!, body: rest.join('\r\n\r\n') });
    });
  });
}

const rawGet = (target: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; head: string; body: string }> =>
  raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'ft-docs-serve-'));
  dir = join(base, 'site');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><p>hi</p>');
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ big: 'x'.repeat(100_000) }));
  writeFileSync(join(dir, 'dashboard.json'), '{"from":"disk"}');
  writeFileSync(join(dir, 'sub', 'page.txt'), 'inside');
  writeFileSync(join(base, 'secret.txt'), SECRET);
  // links out of the site: a file, and a folder
  symlinkSync(join(base, 'secret.txt'), join(dir, 'leak.txt'));
  symlinkSync(base, join(dir, 'up'));
  // a link that stays inside is followed
  symlinkSync(join(dir, 'sub', 'page.txt'), join(dir, 'alias.txt'));
  server = await startDocsServer({
    dir,
    host: '127.0.0.1',
    port: 0,
    refresh: {
      seconds: 3600,
      read: async () => {
        reads++;
        const d = emptyDashboard();
        d.message = `read ${reads}`;
        return d;
      },
    },
  });
});

afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

describe('ft docs serve', () => {
  it('serves the site, with content types and no caching', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.toString()).toContain('<p>hi</p>');
    expect((await get('/index.html', { method: 'HEAD' })).body.length).toBe(0);
  });

  it('gzips big files for clients that accept it', async () => {
    const r = await get('/data.json', { gzip: true });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(r.body).toString()).big).toHaveLength(100_000);
    expect((await get('/data.json')).headers['content-encoding']).toBeUndefined();
  });

  it('serves fresh dashboard data from memory when refreshing', async () => {
    expect(JSON.parse((await get('/dashboard.json')).body.toString()).message).toBe('read 1');
    await server.refreshNow();
    const d = JSON.parse((await get('/dashboard.json')).body.toString());
    expect(d.message).toBe('read 2');
    expect(d.refresh_seconds).toBe(3600);
    expect((await get('/dashboard-data.js')).body.toString()).toMatch(/^window\.__FT_DASHBOARD__ = JSON\.parse\(/);
  });

  it('refuses paths outside the site sent as raw request lines', async () => {
    // the raw socket works: a file inside is served
    const inside = await rawGet('/sub/page.txt');
    expect(inside.status).toBe(200);
    expect(inside.body).toBe('inside');
    const attacks = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/sub/../../secret.txt',
      '/sub/%2e%2e/%2e%2e/secret.txt',
      '/./../secret.txt',
      '/..\\secret.txt',
      '/..%5csecret.txt',
      '/secret.txt%00.html',
      `http://127.0.0.1:${server.port}/../secret.txt`,
    ];
    for (const target of attacks) {
      const r = await rawGet(target);
      expect({ target, status: r.status }).toEqual({ target, status: 403 });
      expect(r.body).not.toContain(SECRET);
    }
    // a target that is not a path at all is refused by the HTTP parser before the handler
    expect((await rawGet('../secret.txt')).status).toBe(400);
  });

  it('does not follow symlinks out of the site, and follows those that stay inside', async () => {
    for (const target of ['/leak.txt', '/up/secret.txt']) {
      const r = await rawGet(target);
      expect({ target, status: r.status }).toEqual({ target, status: 403 });
      expect(r.body).not.toContain(SECRET);
    }
    const alias = await rawGet('/alias.txt');
    expect(alias.status).toBe(200);
    expect(alias.body).toBe('inside');
    // out through a link and back in: the real path is inside, so it is served
    expect((await rawGet('/up/site/sub/page.txt')).body).toBe('inside');
  });

  it('answers only to its own host names (DNS rebinding), with 421 for any other', async () => {
    const port = server.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect({ host, status: (await rawGet('/', host)).status }).toEqual({ host, status: 200 });
    }
    for (const host of [`evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', 'localhost', `127.0.0.1:${port}@evil.example`, '']) {
      const r = await rawGet('/', host);
      expect({ host, status: r.status }).toEqual({ host, status: 421 });
      expect(r.body).not.toContain('<p>hi</p>');
    }
    // HTTP/1.0 without a Host header
    expect((await raw('GET / HTTP/1.0\r\n\r\n')).status).toBe(421);
  });

  it('lists the names a server bound to every interface answers to', () => {
    const any = allowedHosts('0.0.0.0', 8080);
    expect(any.has('localhost:8080')).toBe(true);
    expect(any.has('127.0.0.1:8080')).toBe(true);
    expect(any.has('evil.example:8080')).toBe(false);
    expect(allowedHosts('::1', 8080).has('[::1]:8080')).toBe(true);
    expect(allowedHosts('127.0.0.1', 80).has('localhost')).toBe(true);
    expect(allowedHosts('127.0.0.1', 8080).has('localhost')).toBe(false);
  });

  it('reads request paths as sent, and finds files only inside the site', () => {
    expect(requestPath('/a/../b?x=1#f')).toBe('/a/../b');
    expect(requestPath('/%2e%2e%2fx')).toBe('/../x');
    expect(requestPath('http://h:1/x/y')).toBe('/x/y');
    expect(requestPath('/%E0%A4%A')).toBeNull();
    const root = realpathSync(dir);
    expect(siteFile(root, '/sub/page.txt')).toMatchObject({ file: join(root, 'sub', 'page.txt'), size: 6 });
    expect(siteFile(root, '/../secret.txt')).toBe(403);
    expect(siteFile(root, '/leak.txt')).toBe(403);
    expect(siteFile(root, '/sub')).toBe(404);
    expect(siteFile(root, '/nope')).toBe(404);
  });

  it('sends a Content-Security-Policy with every response', async () => {
    for (const path of ['/', '/data.json', '/nope.js']) {
      const csp = String((await get(path)).headers['content-security-policy'] ?? '');
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
    expect((await get('/data.json', { gzip: true })).headers['content-security-policy']).toContain("default-src 'none'");
    expect((await get('/', { method: 'POST' })).headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses other methods, and says 404 for missing files', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });

  it('says clearly when the port is taken or the site is missing', async () => {
    await expect(startDocsServer({ dir, host: '127.0.0.1', port: server.port })).rejects.toThrow(/is in use.*--port/);
    await expect(startDocsServer({ dir: join(dir, 'nothing'), host: '127.0.0.1', port: 0 })).rejects.toThrow(/ft docs generate/);
  });

  it('reads --refresh durations', () => {
    expect(parseInterval('30s')).toBe(30);
    expect(parseInterval('2m')).toBe(120);
    expect(parseInterval('1h')).toBe(3600);
    expect(parseInterval('1500ms')).toBe(1.5);
    expect(parseInterval('45')).toBe(45);
    expect(() => parseInterval('soon')).toThrow(FtError);
    expect(() => parseInterval('10ms')).toThrow(/at least 1s/);
  });
});
