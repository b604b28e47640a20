import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { analyseTemplate, parseTemplate } from './template-analysis.js';
import { LIBRARY_NAMESPACES } from './namespaced-calls.js';
import { TARGET_FIELDS } from './render-context.js';
import type { TemplateAnalysis } from './template-analysis.js';

/**
 * What to say of a helper name the project does not define, so the fix is in the message: a
 * partial called as a helper, a namespaced name the library lacks, or a plain typo.
 */
export function unknownHelperMessage(name: string, column: number, known: Set<string>, partials: ReadonlyMap<string, unknown>, macroDir = 'macros'): string {
  const dot = name.indexOf('.');
  const ns = dot > 0 ? name.slice(0, dot) : undefined;
  const bare = dot > 0 ? name.slice(dot + 1) : name;
  const at = `unknown helper "${name}" at column ${column}.`;
  if (partials.has(bare)) {
    return `${at} "${bare}" is a partial (${macroDir}/${bare}.sql), not a helper: write {{> ${bare} …}} with its arguments as name=value pairs, as in {{> ${bare} column="amount"}}.`;
  }
  if (ns && LIBRARY_NAMESPACES.has(ns)) {
    const sameNs = [...known].filter((k) => k.startsWith(`${ns}.`));
    return `${at} ft's library of dbt macros has no ${name}.${didYouMean(name, sameNs)} docs/dbt-macros.md lists the macros it has; to add your own, export the namespace from a ${macroDir}/*.js file: export const ${ns} = { ${bare}(...args) { return 'SQL'; } }.`;
  }
  if (ns) {
    return `${at}${didYouMean(name, known)} A namespaced helper comes from ft's library (dbt.*, dbt_utils.*, dbt_date.*) or from a ${macroDir}/*.js file exporting its namespace: export const ${ns} = { ${bare}(...args) { return 'SQL'; } }.`;
  }
  return `${at}${didYouMean(name, known)} Define it in a ${macroDir}/*.js file or fix the name.`;
}

/**
 * The names a template uses, checked before it renders: helpers the project has, `target.<field>`
 * of ft's target, and variables it knows — an unknown one would render as empty text.
 */
export function checkTemplateNames(analysis: TemplateAnalysis, file: string, known: Set<string>, partials: ReadonlyMap<string, unknown>): void {
  for (const h of analysis.helpers) {
    if (!known.has(h.value)) throw new FtError(unknownHelperMessage(h.value, h.column, known, partials), 2, file, h.line);
  }
  for (const l of analysis.lookups) {
    const [first, field] = l.value.split('.');
    if (first === 'target' && field !== undefined && !(TARGET_FIELDS as readonly string[]).includes(field)) {
      throw new FtError(`target.${field} at column ${l.column} is not known; ft's target has ${TARGET_FIELDS.join(', ')}.${didYouMean(field, TARGET_FIELDS)}`, 2, file, l.line);
    }
    if (!known.has(l.value) && !['target', 'run_started_at', 'invocation_id'].includes(first!)) {
      if (lookupIsCall(l.value, partials)) throw new FtError(unknownHelperMessage(l.value, l.column, known, partials), 2, file, l.line);
      throw new FtError(`unknown helper or variable "${l.value}" at column ${l.column}.${didYouMean(l.value, known)} Use {{var "${l.value}"}} for a project var, or define a helper in macros/*.js.`, 2, file, l.line);
    }
  }
}

/** Whether a bare `{{name}}` the project does not define reads as a helper call: a partial's name, or a library namespace's. */
export function lookupIsCall(name: string, partials: ReadonlyMap<string, unknown>): boolean {
  return partials.has(name) || LIBRARY_NAMESPACES.has(name.split('.')[0]!);
}

/**
 * The helpers the partials that nodes use call (with arguments: a bare `{{x}}` in a partial may
 * be one of its parameters) must exist, as the models' must: else a render would fail with
 * Handlebars' bare "Missing helper", naming the model instead of the partial. Partials no node
 * uses are left alone, as dbt leaves uncalled macros.
 */
export function checkPartialHelpers(partials: ReadonlyMap<string, string>, used: Iterable<string>, known: Set<string>, macroDir = 'macros'): void {
  const todo = [...used];
  const seen = new Set<string>();
  while (todo.length) {
    const name = todo.pop()!;
    const body = partials.get(name);
    if (seen.has(name) || body === undefined) continue;
    seen.add(name);
    if (!body.includes('{{')) continue;
    const file = `${macroDir}/${name}.sql`;
    const analysis = analyseTemplate(parseTemplate(body, file), file);
    for (const h of analysis.helpers) {
      if (!known.has(h.value)) throw new FtError(unknownHelperMessage(h.value, h.column, known, partials, macroDir), 2, file, h.line);
    }
    for (const p of analysis.partials) todo.push(p.value);
  }
}
