import { CORE_HELPERS } from '../template/environment.js';
import { fastParse } from '../template/fast-parse.js';
import { rewriteNamespacedCalls } from '../template/namespaced-calls.js';
import { analyseTemplate, parseTemplate } from '../template/template-analysis.js';
import { isFtError } from '../util/errors.js';
import type { Emitter } from './emitter.js';
import type { Leftover } from './leftovers.js';

export interface VerifyInput {
  file: string;
  text: string;
  out: Emitter;
  /** a partial: its bare names are its arguments */
  partial: boolean;
  /** the file already has leftovers: a parse error is their echo, not news */
  hasLeftovers: boolean;
  /** the converted project's name: `<name>.x` calls its own macro x */
  projectName?: string;
}

/**
 * Reads a converted template as ft will (its parser and its helper check), so what ft could
 * not compile is reported now, at the source line: a helper ft does not have (a dbt package's
 * macro not in ft's library), a partial no macro defines, a config value ft cannot read.
 */
const knownFor = new WeakMap<ReadonlySet<string>, Set<string>>();

export function verifyOutput(v: VerifyInput, partials: ReadonlySet<string>, jsHelpers: ReadonlySet<string> = new Set()): Leftover[] {
  let known = knownFor.get(jsHelpers);
  if (!known) knownFor.set(jsHelpers, (known = new Set([...CORE_HELPERS, ...jsHelpers])));
  const found: Leftover[] = [];
  const at = (line: number) => v.out.lineOfOutputLine(line);
  let ast;
  try {
    // block params do not change what is checked (names inside {{#each}} are not), and without
    // them ft's fast parser reads the template: Handlebars' own is ~10x slower. Parsed here, not
    // through parseTemplate, whose per-process memo would keep every converted file's tree.
    const text = v.text.replace(/(\{\{~?#each\b[^}]*?)\s+as\s*\|[^|]*\|/g, '$1');
    const fast = fastParse(text);
    ast = fast ? rewriteNamespacedCalls(fast) : parseTemplate(text, v.file);
  } catch (e) {
    if (!isFtError(e)) throw e;
    if (!v.hasLeftovers) found.push({ file: v.file, line: e.line ? at(e.line) : 1, construct: 'ft cannot compile', text: '', why: e.message });
    return found;
  }
  let analysis;
  try {
    analysis = analyseTemplate(ast, v.file);
  } catch (e) {
    if (!isFtError(e)) throw e;
    found.push({ file: v.file, line: e.line ? at(e.line) : 1, construct: 'ft cannot compile', text: '', why: e.message });
    return found;
  }
  for (const h of analysis.helpers) {
    // a path into the context ({{../role}} inside an {{#each}}, {{this.name}}, {{@key}}) is a value, not a helper
    if (known.has(h.value) || /^(?:\.\.\/|\.\/|this[./]|@)/.test(h.value)) continue;
    const ns = h.value.includes('.') ? h.value.split('.')[0] : undefined;
    const own = ns !== undefined && ns === v.projectName;
    const why = own
      ? `this project has no macro ${h.value.slice(ns!.length + 1)} it could call (one that did not convert is listed with its own leftovers)`
      : ns
      ? `ft's library has no ${h.value}${ns === 'dbt' || ns === 'dbt_utils' || ns === 'dbt_date' ? '' : ` (package ${ns} is not built in: convert it with ft convert, or write the helper in macros/*.js)`}`
      : `ft has no helper "${h.value}": write it in macros/*.js, or as a macro`;
    found.push({ file: v.file, line: at(h.line), construct: ns ? `helper ${ns}.*` : 'unknown helper', text: h.value, why });
  }
  for (const p of analysis.partials) {
    if (!partials.has(p.value)) found.push({ file: v.file, line: at(p.line), construct: 'unknown macro', text: `{{> ${p.value}}}`, why: `no macro ${p.value} in the project` });
  }
  if (!v.partial) {
    for (const l of analysis.lookups) {
      const first = l.value.split('.')[0]!;
      if (known.has(l.value) || ['target', 'run_started_at', 'invocation_id', 'this', 'true', 'false'].includes(first)) continue;
      found.push({ file: v.file, line: at(l.line), construct: 'unknown name', text: l.value, why: `"${l.value}" is neither a helper nor a variable ft knows: a var ({{var "${l.value}"}}) or a {% set %} it could not inline?` });
    }
  }
  return found;
}
