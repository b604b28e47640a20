import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * No import cycles under src/: no file may import, directly or through others, a file that
 * imports it. Every module reference a TypeScript file makes counts:
 *
 * - static `import … from '…'`, `import '…'` and `export … from '…'`;
 * - dynamic `import('…')` with a string literal (a lazy import still ties the two files: the
 *   importer cannot be read or moved without the other);
 * - type-only imports (`import type`, `import { type X }`, `typeof import('…')`): they are
 *   erased from the JavaScript, but a circle of types still means neither file can be
 *   understood, or moved to another folder, without the other — so they count too.
 *
 * Only relative specifiers are followed (packages cannot import back); a dynamic import whose
 * module is an expression is not followed. The files are parsed with TypeScript itself, so
 * import-shaped text inside strings, template strings and comments is not taken for an import.
 */

const ROOT = resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The module specifiers a file names (static, re-export, dynamic, type-only). */
export function specifiersOf(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) found.push(arg.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The file a relative specifier names ('./x.js' is ./x.ts, as NodeNext resolves it), if it is one of `files`. */
function resolveSpecifier(from: string, spec: string, files: Set<string>): string | undefined {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return undefined;
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|cjs|ts|mts|cts)$/, '');
  for (const c of [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, base, `${base}.ts`, join(base, 'index.ts')]) if (files.has(c)) return c;
  return undefined;
}

/**
 * The import cycles among the TypeScript files under `dir`: one per strongly connected group
 * of files (`files`, the tangle), with one closed circle through it (`path`: each file imports
 * the next, the first file again at the end), paths relative to `dir`.
 */
export function importCycles(dir: string): Array<{ path: string[]; files: string[] }> {
  const files = tsFiles(dir);
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const to = new Set<string>();
    for (const s of specifiersOf(f, readFileSync(f, 'utf8'))) {
      const t = resolveSpecifier(f, s, known);
      if (t) to.add(t);
    }
    edges.set(f, [...to].sort());
  }
  // Tarjan's strongly connected components
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const g: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        g.push(w);
      } while (w !== v);
      if (g.length > 1 || edges.get(v)!.includes(v)) groups.push(g);
    }
  };
  for (const f of files) if (!idx.has(f)) strong(f);
  // one concrete circle through each group: the shortest way back to its first file
  return groups.map((g) => {
    const inGroup = new Set(g);
    const start = [...g].sort()[0];
    const prev = new Map<string, string>();
    const queue = [start];
    let end: string | undefined;
    while (queue.length && !end) {
      const v = queue.shift()!;
      for (const w of edges.get(v)!) {
        if (!inGroup.has(w)) continue;
        if (w === start) {
          end = v;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = end!; v !== start; v = prev.get(v)!) path.splice(1, 0, v);
    path.push(start);
    const rel = (p: string): string => relative(dir, p).split('\\').join('/');
    return { path: path.map(rel), files: g.map(rel).sort() };
  });
}

describe('import cycles', () => {
  it('there is none among the files under src/', () => {
    const cycles = importCycles(join(ROOT, 'src'));
    const report = cycles.map((c) => `  ${c.path.join(' -> ')}${c.files.length > c.path.length - 1 ? `\n    (the tangle holds ${c.files.join(', ')})` : ''}`).join('\n');
    expect(cycles, `import cycles under src/ (each file imports the next, directly, by type or by import()):\n${report}\n`).toEqual([]);
  });

  describe('the check itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-import-cycles-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds a circle through a static import, a type-only import and a dynamic import(), and names its files', () => {
      const d1 = mkdtempSync(join(dir, 'one-'));
      const write = (file: string, text: string): void => {
        mkdirSync(dirname(join(d1, file)), { recursive: true });
        writeFileSync(join(d1, file), text);
      };
      write('a/one.ts', "import { two } from './two.js';\nexport const one = two;\n");
      write('a/two.ts', "import type { Three } from '../b/three.js';\nexport const two: Three = 2;\n");
      write('b/three.ts', "export type Three = number;\nexport const load = () => import('../a/one.js');\n");
      // not imports: text in strings, template strings and comments, packages
      write('b/quiet.ts', "// import { one } from '../a/one.js';\nexport const s = \"import('../a/one.js')\";\nexport const t = `import x from '../a/one.js'`;\nimport 'node:fs';\n");
      write('a/leaf.ts', "import { load } from '../b/three.js';\nexport { load };\n");
      expect(importCycles(d1)).toEqual([{ path: ['a/one.ts', 'a/two.ts', 'b/three.ts', 'a/one.ts'], files: ['a/one.ts', 'a/two.ts', 'b/three.ts'] }]);
    });

    it('finds a re-export circle and a file importing itself', () => {
      // a folder of its own: the tests may run in any order
      const d2 = mkdtempSync(join(dir, 'more-'));
      writeFileSync(join(d2, 'x.ts'), "export * from './y.js';\n");
      writeFileSync(join(d2, 'y.ts'), "export { w } from './x.js';\nexport const z = 1;\n");
      writeFileSync(join(d2, 'self.ts'), "export type T = typeof import('./self.js');\n");
      expect(importCycles(d2).map((c) => c.path).sort()).toEqual([['self.ts', 'self.ts'], ['x.ts', 'y.ts', 'x.ts']]);
    });
  });
});
