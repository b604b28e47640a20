import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { HelperFn } from '../template/environment.js';
import { parseTemplate } from '../template/template-analysis.js';
import { mayReadEnv } from '../util/env-reads.js';
import { FtError } from '../util/errors.js';
import { withDefaultSignals } from '../util/interrupt.js';
import { sha256 } from '../util/hash.js';
import { discover, type Listings } from './discovery.js';
import type { ProjectConfig } from './types.js';

export interface Macros {
  /** macros/*.sql by file name: Handlebars partials */
  partials: Map<string, string>;
  /** functions exported by macros/*.js: Handlebars helpers */
  helpers: Map<string, HelperFn>;
  /** [path, text, …] of every macro file, for cache keys */
  macroTexts: string[];
  /** a JS helper may read the environment: whatever uses helpers depends on all of it */
  helpersReadEnv: boolean;
  /** each partial's file, relative to the project (a package's: under dbt_packages/) */
  partialFiles: Map<string, string>;
}

/** A user's helper, which Ctrl-C can end even if it never returns. */
function interruptible(fn: HelperFn): HelperFn {
  return function (this: unknown, ...args: unknown[]) {
    return withDefaultSignals(() => fn.apply(this, args));
  } as HelperFn;
}

/** The fix for a macro file written as the other module kind than Node loads it as. */
function moduleHint(message: string, file: string): string {
  // CommonJS (exports, module.exports, require) in a file Node reads as ESM
  if (/is not defined in ES module scope/.test(message)) return `Node reads ${file} as an ES module (the nearest package.json has "type": "module"): write \`export function …\`, or rename it to .cjs to keep CommonJS.`;
  // ESM (export, import) in a file Node reads as CommonJS
  if (/Unexpected token 'export'|Cannot use import statement outside a module/.test(message)) return `Node reads ${file} as CommonJS (the nearest package.json has "type": "commonjs"): write \`exports.name = function …\`, or rename it to .mjs to keep \`export\`.`;
  return 'Fix the JavaScript in this file.';
}

/** Macros: *.sql → partials named after the file, *.js, *.mjs, *.cjs → helpers exported by name. */
export async function loadMacros(root: string, config: ProjectConfig, listings?: Listings): Promise<Macros> {
  const partials = new Map<string, string>();
  const helpers = new Map<string, HelperFn>();
  const macroTexts: string[] = [];
  let helpersReadEnv = false;
  const partialFiles = new Map<string, string>();
  const unreadable: FtError[] = [];
  // .js is CommonJS or ESM by the nearest package.json's type, as Node reads it; .cjs and .mjs always their own
  for (const f of discover(root, config.macroPaths, ['.sql', '.js', '.mjs', '.cjs'], listings)) {
    const text = readFileSync(f.abs, 'utf8');
    macroTexts.push(f.rel, text);
    const base = f.inResource.replace(/\.(sql|[cm]?js)$/, '').split('/').pop()!;
    if (f.rel.endsWith('.sql')) {
      try {
        parseTemplate(text, f.rel);
      } catch (e) {
        // every file that cannot be read is reported at once (a converted package may hold dozens)
        if (!(e instanceof FtError)) throw e;
        unreadable.push(e);
        continue;
      }
      partials.set(base, text);
      partialFiles.set(base, f.rel);
    } else {
      helpersReadEnv ||= mayReadEnv(text);
      let mod: Record<string, unknown>;
      try {
        mod = (await import(`${pathToFileURL(f.abs).href}?v=${sha256(text).slice(0, 12)}`)) as Record<string, unknown>;
      } catch (e) {
        throw new FtError(`cannot load macro helpers: ${(e as Error).message.split('\n')[0]}. ${moduleHint((e as Error).message, f.rel)}`, 2, f.rel);
      }
      for (const [name, fn] of Object.entries(mod)) {
        if (typeof fn === 'function') helpers.set(name, interruptible(fn as HelperFn));
        else if (name === 'default' && fn && typeof fn === 'object') {
          for (const [n2, f2] of Object.entries(fn)) if (typeof f2 === 'function') helpers.set(n2, interruptible(f2 as HelperFn));
        } else if (fn && typeof fn === 'object') {
          // `export const my_pkg = { fn() {…} }`: called as {{my_pkg.fn …}}, as dbt calls a package's macros
          for (const [n2, f2] of Object.entries(fn)) if (typeof f2 === 'function') helpers.set(`${name}.${n2}`, interruptible(f2 as HelperFn));
        }
      }
    }
  }
  if (unreadable.length === 1) throw unreadable[0];
  if (unreadable.length) throw new FtError(`${unreadable.length} macro files cannot be read:\n${unreadable.map((e) => `  ${e.format()}`).join('\n')}`, 2);
  return { partials, helpers, macroTexts, helpersReadEnv, partialFiles };
}
