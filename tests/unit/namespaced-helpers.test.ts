import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';
import { CompileCache } from '../../src/template/compile-cache.js';
import { Compiler } from '../../src/template/compiler.js';
import { jinjaHint } from '../../src/template/jinja-hint.js';
import { FtError } from '../../src/util/errors.js';

// Namespaced helper names (`{{dbt.date_trunc …}}`, `{{dbt_utils.x …}}`, a project's
// `export const ns = {…}`): called as helpers in every position, refused with file, line and
// the fix when nobody defines them.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n';

async function build(files: Record<string, string>, vars?: Record<string, unknown>): Promise<Project> {
  const root = mkdtempSync(join(tmpdir(), 'ft-ns-'));
  dirs.push(root);
  const all: Record<string, string> = { 'project.yml': 'name: p\nprofile: p\n', 'profiles.yml': PROFILES, ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return loadProject({ projectDir: root, partialParse: false, vars });
}

function compile(p: Project, name: string): string {
  return new Compiler(p, new CompileCache(join(p.root, 'target'), false)).compile(p.nodes.get(`model.p.${name}`)!);
}

async function loadError(files: Record<string, string>): Promise<FtError> {
  try {
    await build(files);
  } catch (e) {
    if (e instanceof FtError) return e;
    throw e;
  }
  throw new Error('the project loaded');
}

async function renderError(files: Record<string, string>, model = 'm'): Promise<FtError> {
  const p = await build(files);
  try {
    compile(p, model);
  } catch (e) {
    if (e instanceof FtError) return e;
    throw e;
  }
  throw new Error('the model rendered');
}

describe('namespaced helpers', () => {
  it('calls library macros by their dotted names, with positional and named arguments, bare and in sub-expressions', async () => {
    const p = await build({
      'models/m.sql': 'select {{dbt.date_trunc "day" "at"}} d, {{dbt.dateadd datepart="day" interval=1 from_date_or_timestamp="at"}} e, cast(x as {{dbt.type_string}}) s, {{dbt.concat (array "a" (dbt.string_literal "-"))}} c\n',
    });
    expect(compile(p, 'm')).toBe("select cast(date_format(at, '%Y-%m-%d') as datetime) d, date_add(at, interval (1) day) e, cast(x as char) s, concat(a, '-') c\n");
  });

  it('works inside #each, where a dotted path of the item stays a path', async () => {
    const p = await build({ 'models/m.sql': '{{target.name}}: {{#each (var "cols")}}{{dbt.hash this.name}}/{{this.name}}/{{name}}/{{@root.target.name}} {{/each}}\n' }, { cols: [{ name: 'a' }, { name: 'b' }] });
    expect(compile(p, 'm')).toBe('dev: md5(cast(a as char))/a/a/dev md5(cast(b as char))/b/b/dev \n');
  });

  it('works in a template that Handlebars compiles itself (an inline partial), and inside partials', async () => {
    const p = await build({
      'macros/key.sql': '{{dbt_utils.generate_surrogate_key cols}}',
      'models/m.sql': '{{#*inline "t"}}{{dbt.type_int}}{{/inline}}select cast(1 as {{> t}}) i, {{dbt.right "s" 2}} r, {{> key cols=(array "a")}} k\n',
    });
    expect(compile(p, 'm')).toBe("select cast(1 as signed) i, right(s, 2) r, md5(cast(concat(coalesce(cast(a as char), '_dbt_utils_surrogate_key_null_')) as char)) k\n");
  });

  it("a project's macros/*.js exports namespaces of helpers, and its own win over the library's", async () => {
    const p = await build({
      'macros/pkg.js': "export const my_pkg = { twice(x) { return x + x; } };\nexport const dbt = { hash(x) { return 'H(' + x + ')'; } };\n",
      'models/m.sql': '{{my_pkg.twice "a"}} {{dbt.hash "x"}} {{dbt.length "y"}}\n',
    });
    expect(compile(p, 'm')).toBe('aa H(x) char_length(y)\n');
  });

  it('refuses a namespaced name nobody defines, with file, line and the fix', async () => {
    const lib = await loadError({ 'models/m.sql': 'select 1\n, {{dbt_utils.stra (ref "x")}}\n', 'models/x.sql': 'select 1 as a\n' });
    expect(lib.file).toBe('models/m.sql');
    expect(lib.line).toBe(2);
    expect(lib.message).toContain('unknown helper "dbt_utils.stra"');
    expect(lib.message).toContain('Did you mean "dbt_utils.star"');
    expect(lib.message).toContain('docs/dbt-macros.md');
    expect(lib.message).toContain('export const dbt_utils = { stra(...args)');
    const other = await loadError({ 'models/m.sql': 'select {{pkg.fn "a"}}\n' });
    expect(other.message).toContain('export const pkg = { fn(...args)');
    const bare = await loadError({ 'models/m.sql': 'select {{dbt.no_such_macro}}\n' });
    expect(bare.message).toContain('ft\'s library of dbt macros has no dbt.no_such_macro');
    // bare and inside #each, where a plain name reads the item and is not checked
    const inEach = await loadError({ 'models/m.sql': 'select {{#each (array 1 2)}}{{dbt.no_such_macro}}{{/each}}\n' });
    expect(inEach.message).toContain('ft\'s library of dbt macros has no dbt.no_such_macro');
  });

  it("refuses an unknown helper in a partial when the project loads, naming the partial's file and line", async () => {
    const e = await loadError({ 'macros/key.sql': 'md5(\n{{dbt_utils.generate_surogate_key cols}})', 'models/m.sql': 'select {{> key cols=(array "a")}}\n' });
    expect([e.file, e.line]).toEqual(['macros/key.sql', 2]);
    expect(e.message).toContain('unknown helper "dbt_utils.generate_surogate_key" at column 1. ft\'s library of dbt macros has no dbt_utils.generate_surogate_key. Did you mean "dbt_utils.generate_surrogate_key"');
      // a partial no model uses is left alone, as dbt leaves a macro nobody calls
    const p = await build({ 'macros/unused.sql': '{{pkg.nowhere "x"}}', 'models/m.sql': 'select 1\n' });
    expect(compile(p, 'm')).toBe('select 1\n');
  });

  it('says that a name of macros/x.sql is a partial, called with {{> x …}}', async () => {
    for (const call of ['{{cents column="amount"}}', '{{cents}}']) {
      const e = await loadError({ 'macros/cents.sql': '({{column}} / 100)', 'models/m.sql': `select ${call}\n` });
      expect(e.message).toContain('"cents" is a partial (macros/cents.sql), not a helper: write {{> cents …}}');
    }
  });

  it('checks the arguments of a library macro against its signature, naming the file and line', async () => {
    const many = await renderError({ 'models/m.sql': 'select\n{{dbt.hash "a" "b"}}\n' });
    expect([many.file, many.line]).toEqual(['models/m.sql', 2]);
    expect(many.message).toBe('dbt.hash takes at most 1 argument (dbt.hash(field)); it was given 2.');
    const unknown = await renderError({ 'models/m.sql': '{{dbt.dateadd "day" 1 "x" unit="day"}}\n' });
    expect(unknown.message).toBe('dbt.dateadd has no argument "unit"; it takes dbt.dateadd(datepart, interval, from_date_or_timestamp).');
    const missing = await renderError({ 'models/m.sql': '{{dbt.dateadd "day" 1}}\n' });
    expect(missing.message).toContain('needs its argument "from_date_or_timestamp"');
    const part = await renderError({ 'models/m.sql': '{{dbt.date_trunc "fortnight" "x"}}\n' });
    expect(part.message).toContain('needs a datepart among');
  });

  it('dbt_utils.surrogate_key stops with the way to generate_surrogate_key, as dbt_utils 1.0 does', async () => {
    const e = await renderError({ 'models/m.sql': 'select {{dbt_utils.surrogate_key (array "a")}}\n' });
    expect(e.message).toContain('was replaced by dbt_utils.generate_surrogate_key');
    expect(e.message).toContain('surrogate_key_treat_nulls_as_empty_strings');
  });

  it("surrogate_key_treat_nulls_as_empty_strings gives the pre-1.0 keys ('' for NULL)", async () => {
    const p = await build({ 'project.yml': 'name: p\nprofile: p\nvars:\n  surrogate_key_treat_nulls_as_empty_strings: true\n', 'models/m.sql': '{{dbt_utils.generate_surrogate_key (array "a")}}\n' });
    expect(compile(p, 'm')).toBe("md5(cast(concat(coalesce(cast(a as char), '')) as char))\n");
  });
});

describe('the Jinja hint and namespaced macros', () => {
  it('suggests a namespaced call only when ft can make it', () => {
    expect(jinjaHint("{{ dbt_utils.star(ref('x')) }}")?.hint).toContain('write {{dbt_utils.star (ref "x")}}');
    const hint = jinjaHint("select {{ dbt_utils.not_a_macro('a') }}")!.hint;
    expect(hint).not.toContain('write {{dbt_utils.not_a_macro "a"}}');
    expect(hint).toContain("dbt_utils.not_a_macro, which ft's library of dbt macros does not have: define it in a macros/*.js file (export const dbt_utils = { not_a_macro(...args)");
  });
});
