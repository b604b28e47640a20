import { paint, type Output } from '../cli/output.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import type { NodeResult } from './node-result.js';

// one formatter: Number#toLocaleString builds a new one (ICU) on every call, ~0.5 ms each
const intFormat = new Intl.NumberFormat('en-US');
const fmtInt = (n: number) => intFormat.format(n);

function describeNode(node: Node): string {
  if (node.resource_type === 'test') return node.name;
  const kind = node.resource_type === 'seed' ? 'seed file' : node.resource_type === 'snapshot' ? 'snapshot' : `${node.config.materialized} model`;
  return `${kind} ${node.schema}.${node.alias}`;
}

/** What a START line says a node is: dbt's `sql view model x`, `seed file x`, `test x`. */
function startedWhat(node: Node): string {
  if (node.resource_type === 'test') return `test ${node.name}`;
  if (node.resource_type === 'seed') return `seed file ${node.schema}.${node.alias}`;
  if (node.resource_type === 'snapshot') return `snapshot ${node.schema}.${node.alias}`;
  return `sql ${node.config.materialized} model ${node.schema}.${node.alias}`;
}

/**
 * dbt-style lines: `START sql table model ft_dev_silver.events ... [RUN]` when a node begins,
 * `12 of 40 OK created table model ft_dev_silver.events ... [1,234 rows in 0.42s]` when it ends.
 * With `progress` (a terminal, not CI), a last line redrawn in place: done/total, what runs now,
 * elapsed time and an estimate of the time left.
 */
export class Reporter {
  private done = 0;
  private readonly started = Date.now();
  /** running nodes' names, in the order they started */
  private readonly running = new Map<string, string>();
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly project: Project, private readonly out: Output, private readonly total: number, private readonly progress: boolean) {
    // the elapsed time and ETA move while a long node runs
    if (progress) this.ticker = setInterval(() => this.redraw(), 1000).unref();
  }

  /** A node begins: its START line (not in --log-format json, whose events are unchanged). */
  start(id: string): void {
    const node = this.project.nodes.get(id)!;
    this.running.set(id, node.name);
    if (this.out.json) return;
    const text = `START ${startedWhat(node)} `;
    const dots = '.'.repeat(Math.max(3, 80 - text.length));
    if (this.progress) process.stderr.write('\r\x1b[K');
    this.out.info(`${timestamp()}  ${text}${paint(this.out, 'dim', dots)} [RUN]`);
    if (this.progress) this.bar();
  }

  line(r: NodeResult): void {
    this.done++;
    this.running.delete(r.unique_id);
    const node = this.project.nodes.get(r.unique_id)!;
    const secs = `${r.executionTime.toFixed(2)}s`;
    let status: string;
    let detail: string;
    let what: string;
    switch (r.status) {
      case 'success':
        status = paint(this.out, 'green', 'OK');
        what = node.resource_type === 'seed' ? `loaded seed file ${node.schema}.${node.alias}` : `${r.message} ${node.resource_type === 'snapshot' ? 'snapshot' : 'model'} ${node.schema}.${node.alias}`;
        if (r.merged) detail = `${fmtInt(r.merged.inserted)} inserted, ${fmtInt(r.merged.updated)} updated in ${secs}`;
        else detail = r.rowsAffected !== null ? `${fmtInt(r.rowsAffected)} rows in ${secs}` : `OK in ${secs}`;
        break;
      case 'pass':
        status = paint(this.out, 'green', 'PASS');
        what = describeNode(node);
        detail = `PASS in ${secs}`;
        break;
      case 'warn':
        status = paint(this.out, 'yellow', `WARN ${fmtInt(r.failures ?? 0)}`);
        what = describeNode(node);
        detail = `WARN ${fmtInt(r.failures ?? 0)} in ${secs}`;
        break;
      case 'fail':
        status = paint(this.out, 'red', `FAIL ${fmtInt(r.failures ?? 0)}`);
        what = describeNode(node);
        detail = `FAIL ${fmtInt(r.failures ?? 0)} in ${secs}`;
        break;
      case 'skipped':
        status = paint(this.out, 'yellow', 'SKIP');
        what = node.resource_type === 'test' ? `test ${describeNode(node)}` : `relation ${describeNode(node)}`;
        detail = 'SKIP';
        break;
      default:
        status = paint(this.out, 'red', 'ERROR');
        what = `creating ${describeNode(node)}`;
        if (node.resource_type === 'test') what = describeNode(node);
        detail = `ERROR in ${secs}`;
    }
    const text = `${this.done} of ${this.total} ${status} ${what} `;
    const dots = '.'.repeat(Math.max(3, 80 - text.replace(/\x1b\[\d+m/g, '').length));
    if (this.progress) process.stderr.write('\r\x1b[K');
    this.out.event('node_finished', {
      unique_id: r.unique_id,
      status: r.status,
      index: this.done,
      total: this.total,
      rows_affected: r.rowsAffected,
      failures: r.failures,
      execution_time: r.executionTime,
      message: r.message,
      ...(r.unitDiff ? { unit_test_diff: r.unitDiff } : {}),
    });
    if (!this.out.json) this.out.info(`${timestamp()}  ${text}${paint(this.out, 'dim', dots)} [${detail}]`);
    if (r.status === 'error' && !this.out.json) this.out.info(indent(r.message));
    if (this.progress) this.bar();
  }

  private bar(): void {
    const width = 20;
    const filled = Math.round((this.done / Math.max(1, this.total)) * width);
    const elapsed = (Date.now() - this.started) / 1000;
    // the pace so far, over what is left; nothing to go on before the first node ends
    const eta = this.done > 0 && this.done < this.total ? ` · ETA ${formatSeconds((elapsed / this.done) * (this.total - this.done))}` : '';
    const now = [...this.running.values()];
    const running = now.length ? ` · running ${now.slice(0, 3).join(', ')}${now.length > 3 ? ` +${now.length - 3}` : ''}` : '';
    const text = `[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${this.done}/${this.total} · ${formatSeconds(elapsed)}${eta}${running}`;
    const columns = process.stderr.columns || 100;
    // one terminal line, or \r would not return to its start
    process.stderr.write(text.length >= columns ? `${text.slice(0, columns - 2)}…` : text);
  }

  private redraw(): void {
    process.stderr.write('\r\x1b[K');
    this.bar();
  }

  finish(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.progress) process.stderr.write('\r\x1b[K');
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Failing rows as a small text table for the console. */
export function formatSample(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : String(v)).slice(0, 40);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const fmt = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(cols), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => fmt(cols.map((c) => cell(r[c]))))].join('\n');
}
