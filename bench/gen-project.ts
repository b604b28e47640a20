/**
 * Generates a synthetic ft project for the compile benchmark.
 *
 * - `n` models in folders of 100 (models/layer_<k>/m_<i>.sql); model i refs up to 3
 *   earlier models (deterministic PRNG), the first 10 read a declared source;
 * - every folder has one schema YAML with an entry per model: a description and
 *   two column tests (not_null, unique);
 * - a macro partial, a JS helper and a project var used by some models, so the
 *   benchmark exercises the whole template path.
 *
 * Usage as a script: `tsx bench/gen-project.ts <dir> <n>`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const FOLDER_SIZE = 100;

/** mulberry32: a small deterministic PRNG so every run generates the same project. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function modelName(i: number): string {
  return `m_${String(i).padStart(5, '0')}`;
}

export function modelPath(dir: string, i: number): string {
  return join(dir, 'models', `layer_${String(Math.floor(i / FOLDER_SIZE)).padStart(3, '0')}`, `${modelName(i)}.sql`);
}

export function modelSql(i: number, rand: () => number, salt = ''): string {
  if (i < 10) {
    return `{{config materialized="table"}}\nselect id, amount, created_at, '${i}${salt}' as src\nfrom {{source "raw" "events"}}\nwhere amount >= {{var "min_amount" 0}}\n`;
  }
  const k = 1 + Math.floor(rand() * 3);
  const parents = new Set<number>();
  for (let j = 0; j < k; j++) parents.add(Math.floor(rand() * i));
  const [first, ...rest] = [...parents];
  const lines = [`-- model ${i}${salt}`, `select a.id, a.amount, {{> cents column="a.amount"}} as amount_cents`];
  if (i % 7 === 0) lines.push(`  , {{safe_divide "a.amount" "a.id"}} as ratio`);
  lines.push(`from {{ref "${modelName(first!)}"}} a`);
  rest.forEach((p, idx) => lines.push(`join {{ref "${modelName(p)}"}} p${idx} on p${idx}.id = a.id`));
  if (i % 5 === 0) lines.push(`{{#if (is_incremental)}}where a.created_at > (select max(created_at) from {{this}}){{/if}}`);
  return lines.join('\n') + '\n';
}

export function generateProject(dir: string, n: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'macros'), { recursive: true });
  writeFileSync(
    join(dir, 'project.yml'),
    [
      'name: bench',
      'version: "1.0.0"',
      'profile: bench',
      'vars:',
      '  min_amount: 0',
      'models:',
      '  bench:',
      '    +materialized: view',
      '    layer_000:',
      '      +tags: [first]',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'profiles.yml'),
    'bench:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      host: 127.0.0.1\n      port: 3306\n      user: root\n      password: ""\n      database: bench_dev\n',
  );
  writeFileSync(join(dir, 'macros', 'cents.sql'), 'ROUND({{column}} * 100)');
  writeFileSync(join(dir, 'macros', 'helpers.js'), 'export function safe_divide(a, b) {\n  return `(${a} / NULLIF(${b}, 0))`;\n}\n');
  const rand = prng(42);
  const folders = Math.ceil(n / FOLDER_SIZE);
  for (let f = 0; f < folders; f++) {
    const folder = join(dir, 'models', `layer_${String(f).padStart(3, '0')}`);
    mkdirSync(folder, { recursive: true });
    const yml: string[] = ['version: 2', ''];
    if (f === 0) {
      yml.push('sources:', '  - name: raw', '    tables:', '      - name: events', '        description: Raw events.', '');
    }
    yml.push('models:');
    for (let i = f * FOLDER_SIZE; i < Math.min(n, (f + 1) * FOLDER_SIZE); i++) {
      writeFileSync(modelPath(dir, i), modelSql(i, rand));
      yml.push(
        `  - name: ${modelName(i)}`,
        `    description: Model number ${i} of the benchmark project.`,
        '    columns:',
        '      - name: id',
        '        description: The key.',
        '        data_tests: [not_null, unique]',
      );
    }
    writeFileSync(join(folder, 'schema.yml'), yml.join('\n') + '\n');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, n] = process.argv.slice(2);
  if (!dir || !n) {
    process.stderr.write('usage: tsx bench/gen-project.ts <dir> <models>\n');
    process.exit(2);
  }
  generateProject(resolve(dir), Number(n));
}
