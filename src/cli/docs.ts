import { join, resolve } from 'node:path';
import { readRelations } from '../docs/catalog.js';
import { readDashboard } from '../docs/dashboard-data.js';
import { connectForDocs, docsDir, generateDocs, writeDashboard } from '../docs/generate.js';
import { parseInterval, startDocsServer } from '../docs/serve.js';
import type { Adapter } from '../adapters/adapter.js';
import { FtError } from '../util/errors.js';
import { onInterrupt } from '../util/interrupt.js';
import { openProject, type GlobalFlags } from './context.js';

/** ft docs generate: target/catalog.json and the static site in target/docs/. */
export async function docsGenerateCommand(flags: GlobalFlags): Promise<number> {
  const started = performance.now();
  const ctx = await openProject(flags);
  const r = await generateDocs(ctx);
  const l = r.lineage;
  ctx.out.info(
    `Docs for ${r.nodes} nodes written to ${r.dir}/index.html in ${((performance.now() - started) / 1000).toFixed(2)}s` +
      `${r.catalogFile ? `; catalog at ${r.catalogFile}` : '; no catalog (database not reachable)'}` +
      `; column lineage: ${l.resolvedColumns} columns resolved, ${l.unknownColumns} unknown${l.parseErrors ? `, ${l.parseErrors} models not parsed` : ''}.`,
  );
  ctx.out.event('docs_generated', { dir: r.dir, catalog: r.catalogFile, database: r.database, nodes: r.nodes, lineage: l });
  return 0;
}

export interface DocsServeFlags extends GlobalFlags {
  port?: string;
  host?: string;
  refresh?: string;
  live?: boolean;
}

const LIVE_FALLBACK_SECONDS = 30;

/** ft docs serve: serves target/docs until Ctrl-C; --refresh re-reads the gold tables periodically. */
export async function docsServeCommand(flags: DocsServeFlags): Promise<number> {
  const port = Number(flags.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FtError(`--port must be a port number (0-65535), not "${flags.port}".`);
  // --live: an open dashboard follows builds (ft stream-load --build) as they land, and is read at least every 30s
  const refreshSeconds = flags.refresh !== undefined ? parseInterval(flags.refresh) : flags.live ? LIVE_FALLBACK_SECONDS : null;
  const ctx = await openProject(flags);
  const { out, project } = ctx;
  let adapter: Adapter | null = null;
  let refresh: Parameters<typeof startDocsServer>[0]['refresh'];
  const dir = docsDir(ctx);
  if (refreshSeconds !== null) {
    let warned = false;
    refresh = {
      seconds: refreshSeconds,
      watch: flags.live ? join(resolve(project.root, project.config.targetPath), 'run_results.json') : undefined,
      read: async () => {
        if (!adapter) {
          const conn = await connectForDocs(ctx);
          if ('error' in conn) throw new Error(conn.error);
          adapter = conn.adapter;
        }
        const relations = await readRelations(adapter, project, { exactCountBudgetMs: 0 });
        const d = await readDashboard(project, adapter, relations);
        d.refresh_seconds = refreshSeconds;
        d.live = flags.live === true;
        // keep the files in step, so the site opened from disk shows the last data too
        writeDashboard(dir, d);
        warned = false;
        return d;
      },
      onError: (e) => {
        if (!warned) out.warn(`cannot refresh the dashboard data: ${(e as Error).message ?? String(e)} (will retry every ${refreshSeconds}s)`);
        warned = true;
        const a = adapter;
        adapter = null;
        void a?.close().catch(() => undefined);
      },
    };
  }
  const server = await startDocsServer({ dir, host: flags.host ?? '127.0.0.1', port, refresh });
  out.info(`Serving docs at ${server.url}${flags.live ? ` (dashboard read again as each build lands, and every ${refreshSeconds}s)` : refreshSeconds ? ` (dashboard refreshed every ${refreshSeconds}s)` : ''} — Ctrl-C to stop`);
  out.event('docs_serving', { url: server.url, port: server.port });
  await new Promise<void>((done) => {
    const stopListening = onInterrupt(() => {
      stopListening();
      done();
    });
  });
  await server.close();
  const a = adapter as Adapter | null;
  if (a) await a.close().catch(() => undefined);
  out.info('Docs server stopped.');
  return 0;
}
