import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The browser code of the docs site (src/docs/site/*.ts, compiled by tsc like the
 * rest of ft) joined into one classic script, so the site needs no module loader
 * and works from file:// (browsers refuse ES modules there). Each module becomes
 * a function scope whose exports are collected in an object; `import { a } from
 * './x.js'` becomes a destructuring of that object.
 */
export const CLIENT_MODULES = ['markdown', 'selector', 'layout', 'charts', 'search', 'graph-view', 'dashboard-view', 'dashboards-view', 'app'] as const;

let cached: string | null = null;

export async function clientBundle(): Promise<string> {
  if (cached) return cached;
  const parts: string[] = ['(() => {', '"use strict";', 'const __ft_m = Object.create(null);'];
  for (const name of CLIENT_MODULES) parts.push(wrapModule(name, await moduleJs(name)));
  parts.push('})();');
  cached = parts.join('\n');
  return cached;
}

async function moduleJs(name: string): Promise<string> {
  const js = fileURLToPath(new URL(`./site/${name}.js`, import.meta.url));
  if (existsSync(js)) return readFileSync(js, 'utf8');
  // Running from the TypeScript sources (tsx, vitest): the build's output when it is up to date, else transpile.
  const ts = fileURLToPath(new URL(`./site/${name}.ts`, import.meta.url));
  if (!existsSync(ts)) throw new Error(`docs site module ${name} not found next to ${fileURLToPath(import.meta.url)}; run npm run build`);
  const built = fileURLToPath(new URL(`../../dist/docs/site/${name}.js`, import.meta.url));
  if (existsSync(built) && statSync(built).mtimeMs >= statSync(ts).mtimeMs) return readFileSync(built, 'utf8');
  const { default: typescript } = await import('typescript');
  return typescript.transpileModule(readFileSync(ts, 'utf8'), {
    compilerOptions: { target: typescript.ScriptTarget.ES2022, module: typescript.ModuleKind.ES2022 },
  }).outputText;
}

/** One compiled ES module → a scope assigning its exports to __ft_m[name]. */
export function wrapModule(name: string, js: string): string {
  const exported: string[] = [];
  let code = js.replace(/^\/\/# sourceMappingURL=.*$/gm, '');
  code = code.replace(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+['"]\.\/([\w-]+)\.js['"];?[ \t]*$/gm, (_m, names: string, from: string) => {
    const specs = names
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && !s.startsWith('type '))
      .map((s) => {
        const [a, b] = s.split(/\s+as\s+/);
        return b ? `${a}: ${b}` : a;
      });
    return specs.length ? `const { ${specs.join(', ')} } = __ft_m[${JSON.stringify(from)}];` : '';
  });
  if (/^import\s/m.test(code)) throw new Error(`docs site module ${name}: only named imports of sibling modules are supported`);
  code = code.replace(/^export\s+((?:async\s+)?function\*?|class|const|let|var)\s+([\w$]+)/gm, (_m, kind: string, id: string) => {
    exported.push(id);
    return `${kind} ${id}`;
  });
  code = code.replace(/^export\s*\{\s*\};?\s*$/gm, '');
  if (/^export\s/m.test(code)) throw new Error(`docs site module ${name}: unsupported export form`);
  return `__ft_m[${JSON.stringify(name)}] = (() => {\n${code}\nreturn { ${exported.join(', ')} };\n})();`;
}
