import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** JS macros in a CommonJS project and in an ESM one: .js as the nearest package.json says, .cjs and .mjs always their own kind. */
describe('JS macros, CommonJS or ESM', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const model = { 'calc.sql': '{{config materialized="table"}}\nselect {{twice "3"}} as a, {{thrice "3"}} as b, {{four "3"}} as c' };

  it('a CommonJS project: .js with exports, .mjs with export, .cjs with module.exports', async () => {
    p = await createProject({
      label: 'jscjs',
      files: { 'package.json': '{"type": "commonjs"}\n' },
      macros: {
        'one.js': "exports.twice = function (x) { return '(' + x + ' * 2)'; };\n",
        'two.mjs': 'export function thrice(x) { return `(${x} * 3)`; }\n',
        'three.cjs': 'module.exports = { four: (x) => `(${x} * 4)` };\n',
      },
      models: model,
    });
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select a, b, c from ${p.rel('calc')}`)).toEqual([{ a: 6, b: 9, c: 12 }]);
  });

  it('an ESM project: .js with export, .cjs with exports', async () => {
    p = await createProject({
      label: 'jsesm',
      files: { 'package.json': '{"type": "module"}\n' },
      macros: {
        'one.js': 'export const twice = (x) => `(${x} * 2)`;\nexport function thrice(x) { return `(${x} * 3)`; }\n',
        'legacy.cjs': "exports.four = function (x) { return '(' + x + ' * 4)'; };\n",
      },
      models: model,
    });
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select a, b, c from ${p.rel('calc')}`)).toEqual([{ a: 6, b: 9, c: 12 }]);
  });

  it('a file written as the other kind is an error saying how to name it', async () => {
    p = await createProject({
      label: 'jsmix',
      files: { 'package.json': '{"type": "commonjs"}\n' },
      macros: { 'one.js': 'export const twice = (x) => `(${x} * 2)`;\n' },
      models: { 'm.sql': 'select {{twice "1"}} as a' },
    });
    const esmInCjs = await p.ft(['compile']);
    expect(esmInCjs.code).toBe(2);
    expect(esmInCjs.stderr).toContain('macros/one.js: cannot load macro helpers: ');
    expect(esmInCjs.stderr).toContain('Node reads macros/one.js as CommonJS (the nearest package.json has "type": "commonjs"): write `exports.name = function …`, or rename it to .mjs');
    p.write('package.json', '{"type": "module"}\n');
    p.write('macros/one.js', 'exports.twice = (x) => `(${x} * 2)`;\n');
    const cjsInEsm = await p.ft(['compile']);
    expect(cjsInEsm.code).toBe(2);
    expect(cjsInEsm.stderr).toContain('Node reads macros/one.js as an ES module (the nearest package.json has "type": "module"): write `export function …`, or rename it to .cjs');
  });
});
