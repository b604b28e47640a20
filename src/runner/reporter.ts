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

/** dbt-style lines: `12 of 40 OK created table model ft_dev_silver.events ... [1,234 rows in 0.42s]`. */
export class Reporter {
  private done = 0;
  private readonly started = Date.now();

  constructor(private readonly project: Project, private readonly out: Output, private readonly total: number, private readonly progress: boolean) {}

  line(r: NodeResult): void {
    this.done++;
    const node = this.project.nodes.get(r.unique_id)!;
    const secs = `${r.executionTime.toFixed(2)}s`;
    let status: string;
    let detail: string;
    let what: string;
    switch (r.status) {
      case 'success':
        status = paint(this.out, 'green', 'OK');
        what = node.resource_type === 'seed' ? `loaded seed file ${node.schema}.${node.alias}` : `${r.message} ${node.resource_type === 'snapshot' ? 'snapshot' : 'model'} ${node.schema}.${node.alias}`;
        detail = r.rowsAffected !== null ? `${fmtInt(r.rowsAffected)} rows in ${secs}` : `OK in ${secs}`;
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
    const width = 30;
    const filled = Math.round((this.done / Math.max(1, this.total)) * width);
    process.stderr.write(`[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${this.done}/${this.total} ${((Date.now() - this.started) / 1000).toFixed(1)}s`);
  }

  finish(): void {
    if (this.progress) process.stderr.write('\r\x1b[K');
  }
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
