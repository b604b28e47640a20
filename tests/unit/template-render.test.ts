import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';
import { CompileCache } from '../../src/template/compile-cache.js';
import { Compiler } from '../../src/template/compiler.js';
import { createEnvironment, type HelperFn } from '../../src/template/environment.js';
import { ALLOWED_PROTO_PROPERTIES, AstRenderer, canInterpret } from '../../src/template/render-ast.js';
import { ThisRelation } from '../../src/template/render-context.js';
import { analyseTemplate, parseTemplate } from '../../src/template/template-analysis.js';
import { FtError } from '../../src/util/errors.js';

// The template language: ref, source, this, is_incremental, var, env_var, config, partials,
// JS helpers, #each/#if, no HTML escaping; dependencies read from the AST without rendering.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => {
  delete process.env.FT_TPL_TEST;
});

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n';

async function build(files: Record<string, string>, vars?: Record<string, unknown>): Promise<Project> {
  const root = mkdtempSync(join(tmpdir(), 'ft-tpl-'));
  dirs.push(root);
  const all: Record<string, string> = { 'project.yml': 'name: p\nprofile: p\n', 'profiles.yml': PROFILES, ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return loadProject({ projectDir: root, partialParse: false, vars });
}

function compile(p: Project, name: string, isIncremental = false): string {
  const c = new Compiler(p, new CompileCache(join(p.root, 'target'), false), { isIncremental: () => isIncremental });
  return c.compile(p.nodes.get(`model.p.${name}`)!);
}

describe('template helpers', () => {
  it('ref and source resolve to quoted relations; ephemeral parents become CTEs', async () => {
    const p = await build({
      'models/a.sql': '{{config schema="silver"}}select 1 as id\n',
      'models/eph.sql': '{{config materialized="ephemeral"}}select id from {{ref "a"}}\n',
      'models/b.sql': 'select * from {{ref "a"}} join {{ref "eph"}} using (id) join {{source "raw" "events"}} using (id)\n',
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables: [{name: events}]\n',
    });
    expect(compile(p, 'b')).toBe(
      'WITH `__ft_cte__eph` AS (\nselect id from `db_silver`.`a`\n)\nselect * from `db_silver`.`a` join `__ft_cte__eph` using (id) join `db_raw`.`events` using (id)\n',
    );
  });

  it('{{this}} at top level and {{@root}} in blocks; this.schema / this.name / this.identifier', async () => {
    const p = await build({
      'models/t.sql': '{{this}} {{this.schema}} {{this.name}} {{this.identifier}} {{target.name}}\n{{#each (var "cols")}}{{this}}@{{@root}} {{/each}}\n',
    }, { cols: ['x', 'y'] });
    expect(compile(p, 't')).toBe('`db`.`t` db t t dev\nx@`db`.`t` y@`db`.`t` \n');
  });

  it('is_incremental is false on a plain compile and true when the runner says so', async () => {
    const p = await build({
      'models/inc.sql': '{{config materialized="incremental"}}select * from s\n{{#if (is_incremental)}}where ts > (select max(ts) from {{this}}){{else}}-- full{{/if}}\n',
    });
    expect(compile(p, 'inc', false)).toBe('select * from s\n-- full\n');
    expect(compile(p, 'inc', true)).toBe('select * from s\nwhere ts > (select max(ts) from `db`.`inc`)\n');
  });

  it('var with a default, project vars, --vars and #each over a list var', async () => {
    const p = await build(
      {
        'project.yml': 'name: p\nprofile: p\nvars:\n  methods: [card, cash]\n  limit: 10\n',
        'models/v.sql': "select {{var \"limit\"}}, {{var \"missing\" 42}}{{#each (var \"methods\")}}, sum(case when m = '{{this}}' then 1 end) as n_{{this}}{{#if @last}} -- {{@index}}{{/if}}{{/each}}\n",
      },
      { limit: 5 },
    );
    expect(compile(p, 'v')).toBe("select 5, 42, sum(case when m = 'card' then 1 end) as n_card, sum(case when m = 'cash' then 1 end) as n_cash -- 1\n");
  });

  it('a required var with no value is an error naming the file and the fix', async () => {
    const p = await build({ 'models/v.sql': 'select {{var "nope"}}\n' });
    expect(() => compile(p, 'v')).toThrowError(/required var "nope" is not defined.*--vars/);
    try {
      compile(p, 'v');
    } catch (e) {
      expect((e as FtError).file).toBe('models/v.sql');
    }
  });

  it('env_var reads the environment, falls back to the default, else fails clearly', async () => {
    const p = await build({ 'models/e.sql': "select '{{env_var \"FT_TPL_TEST\" \"dflt\"}}'\n", 'models/f.sql': "select '{{env_var \"FT_TPL_TEST\"}}'\n" });
    expect(compile(p, 'e')).toBe("select 'dflt'\n");
    process.env.FT_TPL_TEST = 'set';
    expect(compile(p, 'e')).toBe("select 'set'\n");
    delete process.env.FT_TPL_TEST;
    expect(() => compile(p, 'f')).toThrowError(/FT_TPL_TEST is not set and has no default/);
  });

  it('inline {{config}} prints nothing and sets the config (lists given as JSON strings too)', async () => {
    const p = await build({
      'models/c.sql': '{{config materialized="table" unique_key=\'["a","b"]\' tags="x"}}select 1\n',
    });
    expect(compile(p, 'c')).toBe('select 1\n');
    expect(p.nodes.get('model.p.c')!.config).toMatchObject({ materialized: 'table', unique_key: ['a', 'b'], tags: ['x'] });
  });

  it('partials with hash arguments, nested partials, and JS helpers', async () => {
    const p = await build({
      'macros/cents.sql': 'ROUND({{column}} * 100)',
      'macros/wrap.sql': 'COALESCE({{> cents column=column}}, 0)',
      'macros/standalone.sql': 'a\nb\n',
      'macros/fns.js': 'export function safe_divide(a, b) { return `(${a} / NULLIF(${b}, 0))`; }\nexport default { upper: (s) => String(s).toUpperCase() };\n',
      'models/m.sql': 'select {{> wrap column="amount"}} as c, {{safe_divide "x" "y"}} as r, \'{{upper "abc"}}\' as u\nfrom t\n  {{> standalone}}\n',
    });
    expect(compile(p, 'm')).toBe("select COALESCE(ROUND(amount * 100), 0) as c, (x / NULLIF(y, 0)) as r, 'ABC' as u\nfrom t\n  a\n  b\n");
  });

  it('never HTML-escapes: in vars, partials and helper output', async () => {
    const p = await build(
      {
        'macros/p.sql': "'{{v}}'",
        'macros/h.js': 'export function same(x) { return x; }\n',
        'models/esc.sql': "select '{{var \"s\"}}', {{> p v=(var \"s\")}}, '{{same (var \"s\")}}', '{{{var \"s\"}}}' where a <> b && c\n",
      },
      { s: `<a href="x">&'` },
    );
    expect(compile(p, 'esc')).toBe(`select '<a href="x">&'', '<a href="x">&'', '<a href="x">&'', '<a href="x">&'' where a <> b && c\n`);
  });

  it('#if / #unless / else if / #with / lookup', async () => {
    const p = await build(
      {
        'models/b.sql': '{{#if (var "a")}}A{{else if (var "b")}}B{{else}}C{{/if}} {{#unless (var "a")}}not-a{{/unless}} {{#with (var "obj")}}{{k}}{{/with}} {{lookup (var "obj") "k"}}\n',
      },
      { a: false, b: true, obj: { k: 'v' } },
    );
    expect(compile(p, 'b')).toBe('B not-a v v\n');
  });

  it('templates using features the AST walker does not implement still render (inline partials)', async () => {
    const p = await build({ 'models/i.sql': '{{#*inline "x"}}[{{y}}]{{/inline}}select {{> x y="1"}}\n' });
    expect(canInterpret(parseTemplate(p.nodes.get('model.p.i')!.raw_code!, 'i'))).toBe(false);
    expect(compile(p, 'i')).toBe('select [1]\n');
  });
});

describe('dependencies come from the AST, without rendering', () => {
  it('analyseTemplate finds refs, sources, config, partials and helpers with their lines', () => {
    const src = '{{config materialized="table"}}\nselect *\nfrom {{ref "a"}}\n{{#if (is_incremental)}}join {{ref "b"}}{{/if}}\n{{> m}} {{source "raw" "t"}} {{helper_x 1}}\n';
    const a = analyseTemplate(parseTemplate(src, 'f.sql'), 'f.sql');
    expect(a.refs.map((r) => [r.value, r.line])).toEqual([
      ['a', 3],
      ['b', 4],
    ]);
    expect(a.sources.map((s) => s.value)).toEqual([['raw', 't']]);
    expect(a.config).toEqual({ materialized: 'table' });
    expect(a.partials.map((x) => x.value)).toEqual(['m']);
    expect(a.helpers.map((x) => x.value)).toEqual(['is_incremental', 'helper_x']);
  });

  it('loading a project never calls a helper: a ref inside a branch never taken is still a dependency', async () => {
    const p = await build({
      'macros/boom.js': 'export function boom() { throw new Error("rendered during parse"); }\n',
      'models/a.sql': 'select 1\n',
      'models/b.sql': '{{#if false}}{{boom}}{{ref "a"}}{{/if}}select 2\n',
    });
    expect(p.nodes.get('model.p.b')!.depends_on.nodes).toEqual(['model.p.a']);
  });

  it('a ref computed at render time is refused with the fix (declare it with a depends_on comment)', async () => {
    const p = await build({ 'models/a.sql': 'select 1\n', 'models/d.sql': 'select * from {{ref (var "which")}}\n' }, { which: 'a' });
    expect(() => compile(p, 'd')).toThrowError(/depends_on: \{\{ref "a"\}\}/);
  });
});

describe('AST renderer matches Handlebars', () => {
  const partials = new Map<string, string>([
    ['p_hash', '<{{a}}|{{b}}|{{this.a}}>'],
    ['p_ctx', '{{name}}:{{@root.title}}'],
    ['p_lines', 'one\ntwo\n'],
    ['p_nested', '[{{> p_hash a=1 b="two"}}]'],
  ]);
  const helpers = new Map<string, HelperFn>([
    ['join', (...args: unknown[]) => (args.slice(0, -1) as unknown[]).join('-')],
    ['kw', (...args: unknown[]) => JSON.stringify((args[args.length - 1] as { hash: unknown }).hash)],
    ['block', function (this: unknown, ...args: unknown[]) {
      const o = args[args.length - 1] as { fn: (c: unknown) => string; inverse: (c: unknown) => string };
      return `{${o.fn({ inner: 'I' })}|${o.inverse(this)}}`;
    }],
    ['ctxname', function (this: { title?: string }) {
      return this.title;
    }],
  ]);
  const env = createEnvironment(partials, helpers);
  const renderer = new AstRenderer(env, (s, n) => parseTemplate(s, n));
  const ctx = () =>
    Object.assign(new ThisRelation('sch', 'tbl', '`sch`.`tbl`', { name: 'dev', schema: 'sch', database: 'sch', type: 'mysql' }), {
      title: 'T<&>',
      list: ['a', 'b', 'c'],
      empty: [],
      obj: { x: 1, y: { z: 'deep' } },
      people: [{ name: 'ann', tags: ['t1', 't2'] }, { name: 'bob', tags: [] }],
      flag: true,
      off: false,
      zero: 0,
      nothing: null,
      fn: function (this: { title: string }) {
        return `fn:${this.title}`;
      },
      html: '<b>"q"</b>',
    });
  const cases = [
    'plain text only',
    '{{title}} {{{title}}} {{html}} {{obj.y.z}} {{obj.missing.z}} {{nothing}} {{zero}} {{off}} {{flag}}',
    '{{this}} {{this.schema}} {{this.name}} {{this.identifier}} {{./title}} {{target.name}}',
    '{{#each list}}{{@index}}:{{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}} {{/each}}',
    '{{#each obj}}{{@key}}={{#if (lookup ../obj @key)}}y{{/if}};{{/each}}',
    '{{#each people}}{{name}}({{#each tags}}{{this}}/{{../name}}/{{@root.title}} {{else}}none{{/each}}) {{/each}}',
    '{{#each empty}}x{{else}}empty{{/each}} {{#if empty}}t{{else}}f{{/if}}',
    '{{#if flag}}A{{else if off}}B{{else}}C{{/if}}{{#unless off}}U{{/unless}}',
    '{{#with obj.y}}{{z}}-{{../title}}{{/with}}',
    '{{#list}}[{{this}}]{{/list}} {{#flag}}yes{{/flag}} {{#off}}no{{else}}inv{{/off}} {{#obj}}{{x}}{{/obj}} {{#nothing}}n{{/nothing}}',
    '{{join "a" 1 true title}} {{kw a=1 b="x" c=title}} {{join (join "x" "y") "z"}}',
    '{{#block}}{{inner}}{{else}}{{title}}{{/block}}',
    '{{ctxname}} {{fn}} {{#each people}}{{ctxname}}{{/each}}',
    '{{lookup obj "x"}} {{lookup list 1}}',
    '{{> p_hash a=1 b=title}} {{> p_ctx people.[0]}} {{> p_nested}}',
    'x\n  {{> p_lines}}\ny\n',
    '  {{#if flag}}\n  standalone\n  {{/if}}\n{{~title~}}  \n {{! comment }} {{!-- long --}}end',
    '{{"literal path"}} {{missing_thing}} {{title.length}} {{list.length}}',
  ];
  for (const src of cases) {
    it(JSON.stringify(src), () => {
      const data = { ft: {} };
      const expected = env.compile(src, { noEscape: true })(ctx(), { data, allowedProtoProperties: ALLOWED_PROTO_PROPERTIES });
      const ast = parseTemplate(src, 'case');
      expect(canInterpret(ast)).toBe(true);
      expect(renderer.render(ast, ctx(), data)).toBe(expected);
    });
  }

  it('a missing helper fails like Handlebars', () => {
    const ast = parseTemplate('{{nope 1}}', 'case');
    expect(() => renderer.render(ast, ctx(), {})).toThrowError('Missing helper: "nope"');
    expect(() => renderer.render(parseTemplate('{{> nope}}', 'case'), ctx(), {})).toThrowError(/partial nope could not be found/);
  });
});
