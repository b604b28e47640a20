import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import { rewriteNamespacedCalls } from './namespaced-calls.js';

type Hb = typeof Handlebars;
const require = createRequire(import.meta.url);

/**
 * Handlebars in two parts. Its runtime (helpers, partials, frames, exceptions) is all that
 * rendering through the AST interpreter needs; its compiler (its own parser and code
 * generator: half of the library's load time, ~20 ms on every command) is loaded only when a
 * template needs it — one the fast parser declines, or one the interpreter cannot render.
 */
export const runtime = require('handlebars/runtime') as Hb;

let full: Hb | undefined;

/** The whole library, loaded on first use. */
export function handlebars(): Hb {
  return (full ??= require('handlebars') as Hb);
}

/** Handlebars' compile(input, options, env), which renders with the given environment's helpers and partials. */
type CompileWith = (input: string, options: CompileOptions | undefined, env: Hb) => HandlebarsTemplateDelegate;

/**
 * A new environment (its own helpers and partials) whose compile() brings in the compiler
 * on first use, as Handlebars.create() would have set it up.
 */
export function createHandlebarsEnv(): Hb {
  const hb = runtime.create() as Hb;
  hb.compile = ((input: string, options?: CompileOptions) => {
    const lib = handlebars() as Hb & Record<'Compiler' | 'JavaScriptCompiler' | 'Parser' | 'parseWithoutProcessing', unknown>;
    const { compile } = require('handlebars/dist/cjs/handlebars/compiler/compiler.js') as { compile: CompileWith };
    // what Handlebars' create() adds to a runtime environment: the compiler reads them from it
    Object.assign(hb, { AST: lib.AST, Compiler: lib.Compiler, JavaScriptCompiler: lib.JavaScriptCompiler, Parser: lib.Parser, parseWithoutProcessing: lib.parseWithoutProcessing });
    // a template's text (a partial's, as Handlebars compiles it on first use) gets its namespaced
    // calls as helper names, as ft's own parse gives them; an AST from ft's parse is taken as is
    hb.parse = ((i: string | hbs.AST.Program, o?: Handlebars.ParseOptions) => (typeof i === 'string' ? rewriteNamespacedCalls(lib.parse(i, o)) : i)) as Hb['parse'];
    hb.compile = ((i: string, o?: CompileOptions) => compile(i, o, hb)) as Hb['compile'];
    return hb.compile(input, options);
  }) as Hb['compile'];
  return hb;
}
