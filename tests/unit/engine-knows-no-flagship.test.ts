import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * The engine knows nothing of flash sales: no file under src/ outside src/generator/ (the
 * flagship's own event producer) names a model, seed, source, exposure or column of the
 * flagship project, or its KPIs — the flagship declares what it needs (its dashboard panels
 * and KPI tiles: meta.dashboard in models/gold/gold.yml) in its own YAML.
 *
 * The names are read from the flagship itself (models/**\/*.sql and *.yml, seeds/), so a model
 * or column added there is checked too. Comments may name them (an example in a doc comment is
 * not the engine knowing the project); every identifier, string, template and regular
 * expression of the code is searched, as a whole word (`kpi_daily`, not `kpi`).
 */

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Names the flagship uses that are ordinary vocabulary, which any engine may use for its own
 * meaning: ft stream-load's own bookkeeping columns (it adds them to every bronze table, the
 * flagship only reads them), time and generic analytics words the dashboard's column guessing
 * knows in any project, and dbt/medallion terms.
 */
const GENERIC = new Set([
  // ft stream-load's columns, and the incremental watermark convention
  '_batch_id', '_ingested_at', '_source_file', '_source_line', '_rejected_at', '_max_batch_id', 'raw_line', 'reason', 'batch_id',
  // words of the docs dashboard's column guessing and formats (any project's columns)
  'category', 'day', 'day_name', 'day_of_week', 'hour_of_day', 'event_date', 'event_hour', 'events', 'views', 'purchases', 'sessions',
  'revenue', 'units_sold', 'quantity', 'price', 'product_name', 'product_id', 'products', 'z_score', 'anomaly_type',
  // schema-file, medallion and plain words
  'description', 'detail', 'rule', 'bronze', 'brand', 'user_id', 'session_id', 'event_id', 'event_type', 'event_ts',
  // dbt's time spine column (the legacy metricflow_time_spine's, dbt_date's date dimension's): the flagship's spine uses it too
  'date_day',
]);

/**
 * dbt's own vocabulary that shares a spelling with a flagship name, and the one file that may
 * spell it: dbt MetricFlow's `calculation: conversion_rate` is the flagship's KPI column too.
 * Only that word, only there: any other flagship name in that file is still reported.
 */
const DBT_VOCABULARY = new Map([['metrics/metricflow-keywords.ts', new Set(['conversion_rate'])]]);

/** Words that name the flagship whatever the case and separator, even inside a longer name. */
const FLAGSHIP_WORDS = [/flash[-_ ]?sales?/i, /cart[-_ ]abandonment/i, /demand[-_ ]pressure/i];

function filesUnder(dir: string, keep: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** Every name the flagship project declares: models, seeds, sources and their tables, exposures, columns. */
export function flagshipNames(root: string): Set<string> {
  const names = new Set<string>();
  for (const f of filesUnder(join(root, 'models'), (p) => p.endsWith('.sql'))) names.add(basename(f, '.sql'));
  for (const f of filesUnder(join(root, 'seeds'), (p) => p.endsWith('.csv'))) names.add(basename(f, '.csv'));
  const yml = [...filesUnder(join(root, 'models'), (p) => /\.ya?ml$/.test(p)), ...filesUnder(join(root, 'seeds'), (p) => /\.ya?ml$/.test(p))];
  type Named = { name?: string; columns?: Named[]; tables?: Named[] };
  const add = (list: Named[] | undefined): void => {
    for (const x of list ?? []) {
      if (typeof x?.name === 'string') names.add(x.name);
      add(x?.columns);
      add(x?.tables);
    }
  };
  for (const f of yml) {
    const doc = (parse(readFileSync(f, 'utf8')) ?? {}) as Record<string, Named[]>;
    for (const k of ['models', 'seeds', 'sources', 'exposures', 'snapshots']) add(doc[k]);
  }
  return names;
}

/** The text of a file's code tokens that can hold a name: identifiers, strings, templates, regular expressions (not comments). */
function codeTexts(file: string, text: string): Array<{ text: string; line: number }> {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Array<{ text: string; line: number }> = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isIdentifier(node) ||
      ts.isPrivateIdentifier(node) ||
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isRegularExpressionLiteral(node)
    ) {
      out.push({ text: node.getText(sf), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/**
 * Where the engine's code names one of `names` (as a whole word) or a flagship word; `allowed`:
 * the dbt words a file may spell.
 */
export function flagshipMentions(srcDir: string, names: Set<string>, skip: (rel: string) => boolean, allowed: ReadonlyMap<string, ReadonlySet<string>> = new Map()): string[] {
  const words = [...names].filter((n) => !GENERIC.has(n)).sort((a, b) => b.length - a.length);
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const whole = new RegExp(`(?<![A-Za-z0-9_])(${escaped.join('|')})(?![A-Za-z0-9_])`, 'gi');
  const hits: string[] = [];
  for (const f of filesUnder(srcDir, (p) => /\.(ts|mts|cts|js|mjs)$/.test(p))) {
    const rel = relative(srcDir, f).split('\\').join('/');
    if (skip(rel)) continue;
    const mayName = allowed.get(rel) ?? new Set<string>();
    for (const t of codeTexts(f, readFileSync(f, 'utf8'))) {
      const named = [...t.text.matchAll(whole)].find((x) => !mayName.has(x[0].toLowerCase()));
      const m = named ?? FLAGSHIP_WORDS.map((w) => w.exec(t.text)).find(Boolean);
      if (m) hits.push(`src/${rel}:${t.line}: ${m[0]} (in ${t.text.length > 120 ? `${t.text.slice(0, 120)}…` : t.text})`);
    }
  }
  return hits;
}

describe('the engine knows nothing of the flagship', () => {
  it('finds the flagship names to look for', () => {
    const names = flagshipNames(ROOT);
    for (const n of ['kpi_daily', 'conversion_rate', 'cart_abandonment_rate', 'average_order_value', 'demand_pressure_index', 'product_performance_hourly', 'category_performance_daily', 'hourly_sales_pattern', 'demand_alerts', 'flash_sale_events']) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('no code under src/ outside src/generator/ names a flagship model, column or KPI', () => {
    const hits = flagshipMentions(join(ROOT, 'src'), flagshipNames(ROOT), (rel) => rel.startsWith('generator/'), DBT_VOCABULARY);
    expect(hits, `the engine names the flagship (declare it in the flagship's YAML instead, or say it in a comment):\n${hits.join('\n')}\n`).toEqual([]);
  });
});
