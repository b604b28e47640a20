import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDashboard } from '../../src/docs/dashboard-data.js';
import { parseInterval, startDocsServer, type DocsServer } from '../../src/docs/serve.js';
import { FtError } from '../../src/util/errors.js';

let dir: string;
let server: DocsServer;
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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ft-docs-serve-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><p>hi</p>');
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ big: 'x'.repeat(100_000) }));
  writeFileSync(join(dir, 'dashboard.json'), '{"from":"disk"}');
  writeFileSync(join(tmpdir(), 'ft-docs-secret.txt'), 'secret');
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
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'ft-docs-secret.txt'), { force: true });
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

  it('refuses paths outside the site, other methods, and says 404 for missing files', async () => {
    expect((await get('/../ft-docs-secret.txt')).status).not.toBe(200);
    expect((await get('/%2e%2e/ft-docs-secret.txt')).status).not.toBe(200);
    expect((await get('/..%2fft-docs-secret.txt')).status).toBe(403);
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
