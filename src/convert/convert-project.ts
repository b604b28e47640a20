import { rawColumnNames } from './column-name-raw.js';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { FtError } from '../util/errors.js';
import type { Emitter } from './emitter.js';
import type { Leftover } from './leftovers.js';
import { convertProfile } from './profile-convert.js';
import { fixDialect } from './sql-dialect.js';
import { findMacros, translateTemplate, type TemplateKind } from './translate-template.js';
import type { MacroSig } from './translate-expr.js';
import { verifyOutput } from './verify-output.js';
import { translateYaml } from './yaml-jinja.js';

export interface ConvertOptions {
  projectDir: string;
  out?: string;
  inPlace?: boolean;
  profile?: string;
}

export interface ConvertResult {
  outDir: string;
  /** files written (relative to outDir) */
  written: string[];
  /** templates that changed in translation */
  translated: number;
  /** source files replaced by the files of their blocks (in place: deleted) */
  removed: string[];
  leftovers: Leftover[];
  notes: string[];
}

const OTHER_ADAPTER = /^(postgres|redshift|snowflake|bigquery|databricks|spark|duckdb|fabric|sqlserver|synapse|trino|athena|clickhouse|oracle|teradata|exasol|vertica|materialize|glue|impala|hive|firebolt|dremio|sqlite)__/;

const PROJECT_FILES = ['dbt_project.yml', 'project.yml', 'ft_project.yml'];
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dbt_packages', 'dbt_modules', 'logs', '.venv', 'venv', '__pycache__', '.dbt']);

interface Paths {
  models: string[];
  macros: string[];
  tests: string[];
  snapshots: string[];
  analyses: string[];
  docs: string[];
  seeds: string[];
  skip: string[];
}

function readPaths(raw: Record<string, unknown>): Paths {
  const list = (key: string, alt: string | null, dflt: string[]): string[] => {
    const v = raw[key] ?? (alt ? raw[alt] : undefined);
    return Array.isArray(v) ? v.map((x) => String(x).replace(/\/+$/, '')) : dflt;
  };
  return {
    models: list('model-paths', 'source-paths', ['models']),
    macros: list('macro-paths', null, ['macros']),
    tests: list('test-paths', null, ['tests']),
    snapshots: list('snapshot-paths', null, ['snapshots']),
    analyses: list('analysis-paths', null, ['analyses', 'analysis']),
    docs: list('docs-paths', null, []),
    seeds: list('seed-paths', 'data-paths', ['seeds']),
    skip: [String(raw['target-path'] ?? 'target'), String(raw['packages-install-path'] ?? 'dbt_packages')],
  };
}

const under = (rel: string, folders: string[]): string | undefined => folders.find((f) => rel === f || rel.startsWith(`${f}/`));

function walk(root: string, skip: Set<string>): string[] {
  const files: string[] = [];
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !skip.has(abs)) visit(abs);
      } else if (e.isFile()) files.push(relative(root, abs).split(sep).join('/'));
    }
  };
  visit(root);
  return files.sort();
}

/** dbt packages ft has built in (by the last part of their name) */
const BUILT_IN_PACKAGES = new Set(['dbt_utils', 'dbt_date']);

/**
 * What packages.yml / dependencies.yml bring: built into ft (a note), a local folder ft deps
 * installs (a note), or a package to convert from its own folder — hand work, so a leftover:
 * the project's tests and macro calls from it fail until it is converted and listed as local.
 */
function packageNotes(root: string): { notes: string[]; leftovers: Leftover[] } {
  const notes: string[] = [];
  const leftovers: Leftover[] = [];
  for (const f of ['packages.yml', 'dependencies.yml']) {
    if (!existsSync(join(root, f))) continue;
    const text = readFileSync(join(root, f), 'utf8');
    let doc: { packages?: Array<Record<string, unknown>> };
    try {
      doc = (parse(text) ?? {}) as typeof doc;
    } catch {
      continue;
    }
    const lines = text.split('\n');
    for (const p of doc.packages ?? []) {
      const name = String(p.package ?? p.git ?? p.local ?? '');
      const short = name.replace(/\.git$/, '').split(/[/:]/).pop()!.replace(/-/g, '_');
      if (!name) continue;
      if (BUILT_IN_PACKAGES.has(short)) notes.push(`${f}: ${name} is built into ft ({{${short}.…}}): nothing to install.`);
      else if (p.local !== undefined) notes.push(`${f}: ${name} is a local package: ft deps installs it (convert it with ft convert first if it is still dbt's Jinja).`);
      else {
        const line = lines.findIndex((l) => l.includes(name)) + 1 || 1;
        leftovers.push({ file: f, line, construct: 'package', text: name, why: 'not built into ft: get its source, convert it with ft convert <its folder> --out <folder>, list that folder as `- local: <folder>` and run ft deps' });
      }
    }
  }
  return { notes, leftovers };
}

/** `ft convert`: a dbt project's templates to ft's, the rest as it is. Nothing is written when the input is unusable. */
export function convertProject(opts: ConvertOptions): ConvertResult {
  if (opts.inPlace && opts.out) throw new FtError('give --out <dir> or --in-place, not both.');
  const root = resolve(opts.projectDir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new FtError(`${opts.projectDir} is not a folder. Give the folder that holds dbt_project.yml.`);
  const projectFile = PROJECT_FILES.find((f) => existsSync(join(root, f)));
  if (!projectFile) throw new FtError(`${opts.projectDir} holds no dbt_project.yml. Give the dbt project's folder.`);
  let raw: Record<string, unknown>;
  try {
    raw = (parse(readFileSync(join(root, projectFile), 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new FtError(`cannot read ${projectFile}: ${(e as Error).message.split('\n')[0]}. Fix the YAML first.`, 2, join(opts.projectDir, projectFile));
  }
  const projectName = String(raw.name ?? basename(root));
  const paths = readPaths(raw);

  const outDir = opts.inPlace ? root : resolve(opts.out ?? `${root.replace(/[\\/]+$/, '')}-ft`);
  if (!opts.inPlace && existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new FtError(`${outDir} is not empty: ft convert will not overwrite it. Give an empty or new folder with --out, or convert in place with --in-place.`);
  }
  const skip = new Set([...paths.skip.map((p) => resolve(root, p)), outDir === root ? '' : outDir]);
  const files = walk(root, skip);

  // every macro's parameters first: a call is translated with the names of its arguments
  const macros = new Map<string, MacroSig>();
  const isTemplate = (rel: string) => rel.endsWith('.sql') && under(rel, [...paths.models, ...paths.macros, ...paths.tests, ...paths.snapshots, ...paths.analyses]);
  const texts = new Map<string, string>();
  const partialNames = new Set<string>();
  const jsHelpers = new Set<string>();
  // the project's JS helpers (a project converted before): what they export is callable
  for (const rel of files) {
    if (!/\.m?js$/.test(rel) || !under(rel, paths.macros)) continue;
    for (const m of readFileSync(join(root, rel), 'utf8').matchAll(/export\s+(?:async\s+)?(?:function\s*\*?\s*|const\s+|let\s+)([A-Za-z_$][\w$]*)/g)) jsHelpers.add(m[1]!);
  }
  for (const rel of files) {
    if (!isTemplate(rel)) continue;
    const text = readFileSync(join(root, rel), 'utf8');
    texts.set(rel, text);
    const found = findMacros(text, rel);
    for (const sig of found.macros) {
      macros.set(sig.name, sig);
      if (sig.js) jsHelpers.add(sig.name);
      else partialNames.add(sig.name);
    }
    for (const t of found.tests) partialNames.add(t);
    // an ft partial already (converted before): a macros/*.sql holding no block
    if (under(rel, paths.macros) && !found.macros.length && !found.tests.length) partialNames.add(basename(rel, '.sql'));
  }

  const leftovers: Leftover[] = [];
  const notes: string[] = [];
  const removed: string[] = [];
  let translated = 0;
  let skippedElsewhere = 0;
  const firstMacroDir = paths.macros[0] ?? 'macros';

  // a profiles.yml kept in the project is a dbt profile too: converted, never copied with its password
  // (read before anything is written: a profile that cannot be read stops the conversion)
  const profile = opts.profile ?? (existsSync(join(root, 'profiles.yml')) ? join(root, 'profiles.yml') : undefined);
  const convertedProfile = profile ? convertProfile(resolve(profile), raw.profile === undefined ? undefined : String(raw.profile)) : undefined;

  // each output is written as soon as it is made: 5,000 models' texts are not held to the end
  const written: string[] = [];
  /** what each written path holds: a text, or a copy */
  const outputs = new Map<string, 'text' | 'copy'>();
  const made = new Set<string>();
  const write = (rel: string, text: string | undefined) => {
    outputs.set(rel, text === undefined ? 'copy' : 'text');
    const dest = join(outDir, rel);
    if (opts.inPlace && (text === undefined || (existsSync(dest) && readFileSync(dest, 'utf8') === text))) return;
    const dir = dirname(dest);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    if (text !== undefined) writeFileSync(dest, text);
    else copyFileSync(join(root, rel), dest);
    written.push(rel);
  };

  const place = (path: string, text: string, from: string, line: number) => {
    if (outputs.get(path) === 'text' && path !== from) {
      leftovers.push({ file: from, line, construct: 'duplicate name', text: path, why: `${path} is written by two blocks: rename one macro, test or snapshot` });
      return false;
    }
    write(path, text);
    return true;
  };
  /** Dialect fixes, then the output read as ft will read it; `own` are the file's leftovers so far. */
  const finish = (file: string, outPath: string, out: Emitter, partial: boolean, original: string | undefined, own: number, test = false) => {
    const fixed = fixDialect(test ? rawColumnNames(out.text) : out.text);
    // another database's version of a dispatched macro: never called on MySQL, so its SQL needs no decision
    const elsewhere = OTHER_ADAPTER.test(basename(outPath));
    if (!elsewhere) for (const f of fixed.flags) leftovers.push({ file, line: out.lineOfOutputLine(f.line), construct: f.construct, text: f.text, why: f.why });
    if (place(outPath, fixed.text, file, out.startLine)) {
      if (fixed.text !== original) translated++;
      if (!elsewhere) leftovers.push(...verifyOutput({ file, text: fixed.text, out, partial, hasLeftovers: own > 0 || fixed.flags.length > 0, projectName }, partialNames, jsHelpers));
    }
  };

  for (const rel of files) {
    const text = texts.get(rel);
    if (text !== undefined) {
      const hasBlocks = (re: RegExp) => re.test(text);
      let kind: TemplateKind = 'model';
      if (under(rel, paths.macros)) kind = hasBlocks(/\{%-?\s*(macro|test)\s/) ? 'macro-file' : 'partial';
      else if (under(rel, paths.snapshots) && hasBlocks(/\{%-?\s*snapshot\s/)) kind = 'snapshot-file';
      else if (under(rel, paths.tests) && hasBlocks(/\{%-?\s*test\s/)) kind = 'macro-file';
      const r = translateTemplate(text, { file: rel, kind, macros, projectName });
      // another database's version of a dispatched macro is never called on MySQL: what it holds needs no decision
      const elsewhere = r.blocks.filter((b) => b.kind === 'macro' && OTHER_ADAPTER.test(b.name));
      const own = r.leftovers.filter((l) => !elsewhere.some((b) => l.line >= b.line && l.line <= (b.endLine ?? b.line)));
      skippedElsewhere += r.leftovers.length - own.length;
      leftovers.push(...own);
      for (const b of r.blocks) {
        if (b.kind === 'js') {
          const dir = under(rel, paths.macros) ? dirname(rel) : firstMacroDir;
          place(`${dir === '.' ? '' : `${dir}/`}${b.name}.js`, b.out.text, rel, b.line);
          translated++;
          continue;
        }
        const dir = b.kind === 'snapshot' || under(rel, paths.macros) ? dirname(rel) : firstMacroDir;
        const outPath = `${dir === '.' ? '' : `${dir}/`}${b.name}.sql`;
        finish(rel, outPath, b.out, b.kind !== 'snapshot', outPath === rel ? text : undefined, r.leftovers.length, b.kind === 'test');
      }
      if (r.main) {
        finish(rel, rel, r.main, kind === 'partial', text, r.leftovers.length);
      } else if (!outputs.has(rel)) {
        removed.push(rel);
        translated++;
      }
    } else if (rel.endsWith('.md') && under(rel, [...paths.models, ...paths.docs, ...paths.macros, ...paths.analyses, ...paths.snapshots])) {
      const md = readFileSync(join(root, rel), 'utf8');
      const r = translateTemplate(md, { file: rel, kind: 'docs', macros, projectName });
      leftovers.push(...r.leftovers);
      const out = r.main?.text ?? md;
      if (out !== md) translated++;
      write(rel, out);
    } else if (/\.ya?ml$/.test(rel) && (rel === projectFile || under(rel, [...paths.models, ...paths.macros, ...paths.tests, ...paths.snapshots, ...paths.analyses, ...paths.seeds]))) {
      const y = readFileSync(join(root, rel), 'utf8');
      const r = translateYaml(y, rel, macros, projectName);
      leftovers.push(...r.leftovers);
      if (r.text !== y) translated++;
      write(rel, r.text);
    } else if (rel === 'profiles.yml' && convertedProfile) {
      continue; // written converted below, never copied
    } else if (!outputs.has(rel)) write(rel, undefined);
  }

  const packages = packageNotes(root);
  notes.push(...packages.notes);
  leftovers.push(...packages.leftovers);
  if (skippedElsewhere) notes.push(`${skippedElsewhere} construct${skippedElsewhere === 1 ? '' : 's'} without a Handlebars form in other databases' versions of dispatched macros (postgres__x, snowflake__x, …) ${skippedElsewhere === 1 ? 'is' : 'are'} not listed: ft calls mysql__x or default__x.`);

  if (convertedProfile) {
    write('profiles.yml', convertedProfile.text);
    notes.push(...convertedProfile.notes);
  }
  if (opts.inPlace) for (const rel of removed) if (!outputs.has(rel)) rmSync(join(root, rel), { force: true });
  return { outDir, written, translated, removed, leftovers, notes };
}
