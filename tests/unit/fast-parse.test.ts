import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { fastParse } from '../../src/template/fast-parse.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Handlebars' AST or its error, as plain data (SourceLocation instances become objects). */
function reference(source: string): { ast?: unknown; error?: string } {
  try {
    return { ast: JSON.parse(JSON.stringify(Handlebars.parse(source))) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The fast parser either gives up or returns exactly Handlebars' AST; it never accepts what Handlebars rejects. */
function check(source: string): 'same' | 'declined' {
  const ref = reference(source);
  const fast = fastParse(source);
  if (fast === undefined) return 'declined';
  expect(ref.error, `Handlebars rejects ${JSON.stringify(source)} but the fast parser accepted it`).toBeUndefined();
  const got = JSON.parse(JSON.stringify(fast));
  if (!isDeepStrictEqual(got, ref.ast)) expect(got, `AST of ${JSON.stringify(source)}`).toEqual(ref.ast);
  return 'same';
}

describe('fastParse (against Handlebars.parse)', () => {
  it('parses every template in the repository exactly as Handlebars does', () => {
    // dbt projects in Jinja (ft convert's input) and its output with the Jinja it left for a human are not ft templates
    const files = execFileSync('git', ['ls-files', '*.sql'], { cwd: repo }).toString().trim().split('\n').filter((f) => !/^tests\/(fixtures\/dbt-convert|goldens\/convert)\//.test(f));
    expect(files.length).toBeGreaterThan(50);
    const declined = files.filter((f) => check(readFileSync(join(repo, f), 'utf8')) === 'declined');
    // only the fixtures with deliberate syntax errors need Handlebars' parser
    expect(declined).toEqual(['tests/fixtures/bad/handlebars-syntax/models/orders.sql', 'tests/fixtures/bad/jinja-syntax/models/orders.sql']);
  });

  const supported = [
    '',
    'plain text\nwith lines\r\nand CRLF\rand CR',
    '{{x}}',
    '{{{x}}}',
    '{{~x~}}',
    '{{~{x}~}}',
    '{{ x }}',
    '{{x.y.z}} {{x/y}} {{this}} {{this.x}} {{.}} {{../x}} {{../../x.y}} {{@index}} {{@root.x}} {{x.[a b]}} {{[weird\\]name]}}',
    '{{ref "a"}} {{ref \'b\'}} {{ref "with \\"quote\\""}} {{source "s" "t"}}',
    '{{f 1 -2 3.5 true false null undefined}}',
    '{{f a=1 b="x" c=(g y z=2)}}',
    '{{f (g (h 1)) k=(h 2)}}',
    '{{config materialized="incremental" unique_key=\'id\' tags=\'["a","b"]\'}}',
    'select\n  {{#if (is_incremental)}}\n  where x > (select max(x) from {{this}})\n  {{/if}}\nfrom t',
    '{{#if a}}A{{else}}B{{/if}}',
    '{{#if a}}A{{^}}B{{/if}}',
    '{{#if a}}\n  A\n{{else if b}}\n  B\n{{else if c}}\n  C\n{{else}}\n  D\n{{/if}}\n',
    '{{#if a}}A{{else if b}}B{{/if}}',
    '{{#if a}}{{else if b}}{{else}}{{/if}}',
    '{{~#if a~}} A {{~else~}} B {{~/if~}}',
    '{{#each cols}}\n  {{this}}{{#unless @last}},{{/unless}}\n{{/each}}',
    '{{#each cols as |c|}}{{c}}{{/each}}',
    '  {{> cents column="a"}}\n',
    '{{> cents}}',
    '{{> (lookup . "name") }}',
    '\t{{> p x}}\n  {{> q y=1}}\r\n',
    '{{! short comment }}',
    '{{!-- long {{ comment }} --}}',
    '{{!--}}',
    '{{~!-- trimmed --~}}',
    '  {{! standalone }}\n',
    '{{#with x}}{{y}}{{/with}}',
    'a {{x}} b\n{{y}}\n  {{#if z}}\n    c\n  {{/if}}\n',
    '{{lookup . "x"}}',
    '{{ else_ish }}',
    '{{elsewhere}}',
    'line1\n{{#if a}}\n{{x\n  y\n  z=1}}\n{{/if}}',
    'emoji 🚀 {{x}} \u2028 {{y}}\n{{z}}',
    '{{true}} {{1}} {{"s"}} {{null}}',
    '{{#"x"}}{{/"x"}}',
  ];
  // Block params are outside the fast parser's subset (see fast-parse.ts): Handlebars parses
  // that case. Every other case must be taken by the fast path — a parser that declined them
  // would otherwise pass here, since a declined template is never compared.
  const declinedByDesign = new Set(['{{#each cols as |c|}}{{c}}{{/each}}']);
  it.each(supported)('%j', (source) => {
    expect(reference(source).error, 'Handlebars parses it').toBeUndefined();
    expect(check(source), 'taken by the fast path').toBe(declinedByDesign.has(source) ? 'declined' : 'same');
  });

  it('declines what it does not implement, and Handlebars still handles it', () => {
    const unsupported = [
      '{{{{raw}}}} {{x}} {{{{/raw}}}}',
      '\\{{escaped}}',
      '{{&x}}',
      '{{^if a}}x{{/if}}',
      '{{#*inline "p"}}x{{/inline}}',
      '{{#> layout}}x{{/layout}}',
      '{{*decorator}}',
      '{{#each xs as |x i|}}{{x}}{{/each}}',
    ];
    for (const s of unsupported) {
      expect(fastParse(s), s).toBeUndefined();
      expect(reference(s).error, s).toBeUndefined();
    }
  });

  it('declines every syntax error (Handlebars reports it with its position)', () => {
    const bad = ['{{x', '{{#if a}}', '{{/if}}', '{{#if a}}{{/each}}', '{{x}}}', '{{x y=1 z}}', '{{x = 1}}', '{{else}}', '{{x.this}}', '{{f(x)}}', '{{x}}}}', '{{!-- never closed', '{{> }}'];
    for (const s of bad) {
      expect(reference(s).error, `Handlebars should reject ${s}`).toBeDefined();
      expect(fastParse(s), s).toBeUndefined();
    }
  });

  it('agrees with Handlebars on thousands of generated templates', () => {
    // mulberry32: the same templates every run
    let seed = 12345;
    const rand = (): number => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const space = (): string => pick(['', ' ', '  ', '\n', ' \n  ', '\t', '\r\n', '\n\n']);
    const tilde = (): string => (rand() < 0.2 ? '~' : '');
    const atom = (): string => pick(['x', 'a.b', '../y', '@index', 'this', 'this.k', '"s"', "'q'", '12', '-3.5', 'true', 'null', '[l b]', 'x-y', '$v']);
    const args = (depth: number): string => {
      let out = '';
      const n = Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) out += ` ${depth < 2 && rand() < 0.2 ? `(f${args(depth + 1)})` : atom()}`;
      if (rand() < 0.3) out += ` k=${atom()}`;
      if (rand() < 0.15) out += ` j=(g${args(depth + 1)})`;
      return out;
    };
    const name = (): string => pick(['if', 'each', 'with', 'unless', 'h']);
    const statement = (depth: number): string => {
      const r = rand();
      if (r < 0.3) return pick(['select ', 'from t', ' , ', '\n', '  \n', 'a\r\n', 'x = 1 ', '\t']);
      if (r < 0.5) return `{{${tilde()}${space().replace(/\n/g, ' ')}${atom()}${args(0)}${space()}${tilde()}}}`;
      if (r < 0.55) return `{{${tilde()}{${atom()}${args(0)}}${tilde()}}}`;
      if (r < 0.62) return `{{${tilde()}! c${space()}${tilde()}}}`;
      if (r < 0.66) return `{{${tilde()}!-- {{c}} ${space()}--${tilde()}}}`;
      if (r < 0.74) return `${pick(['', '  ', '\t'])}{{${tilde()}> p${args(0)}${tilde()}}}${space()}`;
      if (depth > 2) return 'z';
      const n = name();
      let out = `{{${tilde()}#${n}${args(0)}${tilde()}}}${body(depth + 1)}`;
      const chain = rand();
      if (chain < 0.2) out += `{{${tilde()}else${tilde()}}}${body(depth + 1)}`;
      else if (chain < 0.3) out += `{{${tilde()}^${tilde()}}}${body(depth + 1)}`;
      else if (chain < 0.45) {
        out += `{{${tilde()}else ${name()}${args(0)}${tilde()}}}${body(depth + 1)}`;
        if (rand() < 0.5) out += `{{${tilde()} else ${tilde()}}}${body(depth + 1)}`;
      }
      // a wrong closing name now and then: both must reject it
      return `${out}{{${tilde()}/${rand() < 0.03 ? 'other' : n}${tilde()}}}`;
    };
    const body = (depth: number): string => {
      let out = space();
      const n = Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) out += statement(depth) + space();
      return out;
    };
    let same = 0;
    for (let i = 0; i < 3000; i++) {
      let source = body(0);
      // an occasional typo, to exercise the error path
      if (rand() < 0.05 && source.length > 2) {
        const at = Math.floor(rand() * source.length);
        source = source.slice(0, at) + pick(['{{', '}}', '}', '(', '=', '"', '~']) + source.slice(at);
      }
      if (check(source) === 'same') same++;
    }
    expect(same).toBeGreaterThan(2000);
  });
});
