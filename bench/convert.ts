/**
 * `npm run bench:convert` — wall time of the real `ft convert` CLI on a generated dbt project
 * of 5,000 models (Jinja: config, refs, sets, for loops over lists, is_incremental, macro
 * calls, ::casts, ||, --comments; a macro file, schema YAML with docs and tests, seeds).
 * Target: ≤ 5 s.
 *
 * Baseline, measured in the same run: a plain Node process that copies the same files (walk,
 * read, write: what any conversion at least does), and `node bin/ft.js --version` (the
 * floor every ft command pays). Each figure is the median of BENCH_REPS runs (default 3).
 *
 * Env: BENCH_MODELS=5000  BENCH_REPS=3  BENCH_DIR=<tmp dir>  BENCH_KEEP=1
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ftBin = join(repo, 'bin', 'ft.js');
const models = Number(process.env.BENCH_MODELS ?? 5000);
const reps = Number(process.env.BENCH_REPS ?? 3);
const base = process.env.BENCH_DIR ? resolve(process.env.BENCH_DIR) : mkdtempSync(join(tmpdir(), 'ft-bench-convert-'));

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A dbt project in Jinja: every model uses the constructs ft convert translates. */
function generate(dir: string, n: number): void {
  write(join(dir, 'dbt_project.yml'), `name: 'bench'\nversion: '1.0.0'\nconfig-version: 2\nprofile: 'bench'\nvars:\n  methods: ['card', 'cash', 'voucher']\nmodels:\n  bench:\n    +materialized: view\n`);
  write(
    join(dir, 'macros/money.sql'),
    `{% macro cents_to_dollars(column_name, scale=2) -%}\n    round({{ column_name }} / 100, {{ scale }})\n{%- endmacro %}\n\n{% macro clean(column_name) -%}\n    lower(trim({{ column_name }}))\n{%- endmacro %}\n`,
  );
  write(join(dir, 'seeds/raw_0.csv'), 'id,amount,status,created_at\n1,100,a,2026-01-01\n');
  const folder = (i: number) => `models/layer_${Math.floor(i / 250)}`;
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? `{{ ref('raw_0') }}` : `{{ ref('model_${Math.floor(i / 2)}') }}`;
    const other = i > 3 ? `\nleft join {{ ref('model_${i - 3}') }} o on o.id = p.id` : '';
    write(
      join(dir, folder(i), `model_${i}.sql`),
      `{{ config(materialized='${i % 3 === 0 ? 'incremental' : 'table'}', unique_key='id', tags=['layer_${Math.floor(i / 250)}', 'bench']) }}
{%- set statuses = ['a', 'b', 'c'] -%}
--model ${i}: generated for the benchmark
select
    p.id,
    p.id::int as id_int,
    {{ cents_to_dollars('p.amount') }} as amount,
    {{ clean('p.status') }} as status,
    'm' || p.id || '-${i}' as code,
    {% for s in statuses %}
    case when p.status = '{{ s }}' then 1 else 0 end as is_{{ s }}{% if not loop.last %},{% endif %}
    {% endfor %}
    {% for m in var('methods') %}, '{{ m | upper }}' as method_{{ m }}{% endfor %},
    '{{ target.name }}' as built_for,
    p.created_at
from ${parent} p${other}
{% if is_incremental() and var('full', false) != true %}
where p.created_at > (select max(created_at) from {{ this }})
{% endif %}
`,
    );
    if (i % 250 === 0) {
      const names = Array.from({ length: Math.min(250, n - i) }, (_, k) => i + k);
      write(
        join(dir, folder(i), 'schema.yml'),
        `version: 2\nmodels:\n${names.map((k) => `  - name: model_${k}\n    description: "{{ doc('model_doc') }}"\n    columns:\n      - name: id\n        tests: [not_null]\n`).join('')}`,
      );
    }
  }
  write(join(dir, 'models/docs.md'), '{% docs model_doc %}\nA generated model.\n{% enddocs %}\n');
}

const COPY = `
const { readdirSync, readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const [from, to] = process.argv.slice(1);
const walk = (a, b) => { mkdirSync(b, { recursive: true }); for (const e of readdirSync(a, { withFileTypes: true })) e.isDirectory() ? walk(join(a, e.name), join(b, e.name)) : writeFileSync(join(b, e.name), readFileSync(join(a, e.name))); };
walk(from, to);`;

const useTime = existsSync('/usr/bin/time');

/** Wall time, and the child's CPU (user + system, from /usr/bin/time): on a shared machine the CPU says more. */
function time(cmd: string, args: string[]): { ms: number; cpuS: number; code: number | null; out: string } {
  const t = performance.now();
  const r = useTime ? spawnSync('/usr/bin/time', ['-f', 'FTCPU %U %S', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  const cpu = /FTCPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { ms: performance.now() - t, cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, code: r.status, out: `${r.stdout}${(r.stderr ?? '').replace(/FTCPU .*\n?/, '')}` };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const project = join(base, 'bench');
generate(project, models);
const convert: number[] = [];
const convertCpu: number[] = [];
const copy: number[] = [];
const copyCpu: number[] = [];
const floor: number[] = [];
let lastOut = '';
for (let r = 0; r < reps; r++) {
  const out = join(base, `out-${r}`);
  const c = time(process.execPath, [ftBin, 'convert', project, '--out', out]);
  lastOut = c.out;
  if (c.code !== 0) {
    console.error(c.out);
    throw new Error(`ft convert exited ${c.code}`);
  }
  convert.push(c.ms);
  convertCpu.push(c.cpuS);
  const k = time(process.execPath, ['-e', COPY, project, join(base, `copy-${r}`)]);
  copy.push(k.ms);
  copyCpu.push(k.cpuS);
  floor.push(time(process.execPath, [ftBin, '--version']).ms);
  rmSync(out, { recursive: true, force: true });
  rmSync(join(base, `copy-${r}`), { recursive: true, force: true });
}
const m = median(convert);
const b = median(copy);
console.log(`ft convert, ${models} models (${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}), median of ${reps}:`);
console.log(`  ft convert        ${(m / 1000).toFixed(2)} s wall, ${median(convertCpu).toFixed(2)} s CPU   (runs: ${convert.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
console.log(`  baseline: copy    ${(b / 1000).toFixed(2)} s wall, ${median(copyCpu).toFixed(2)} s CPU   (a Node process copying the same files)`);
console.log(`  floor: --version  ${(median(floor) / 1000).toFixed(2)} s`);
console.log(`  ratio convert/copy ${(m / b).toFixed(1)}x wall, ${(median(convertCpu) / median(copyCpu)).toFixed(1)}x CPU; target ≤ 5 s wall: ${m <= 5000 ? 'met' : 'NOT met'}`);
console.log(`  ${lastOut.split('\n')[0]}`);
if (!process.env.BENCH_KEEP && !process.env.BENCH_DIR) rmSync(base, { recursive: true, force: true });
