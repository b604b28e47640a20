import type { Leftover } from './leftovers.js';
import { translateTemplate } from './translate-template.js';
import type { MacroSig } from './translate-expr.js';

/**
 * Jinja inside YAML values (`"{{ var('x') }}"`, `"{{ doc('orders') }}"`, hooks) to ft's
 * Handlebars, line by line, leaving the YAML itself byte for byte: strings inside a
 * double-quoted YAML value take single quotes (`"{{var 'x' false}}"`), so the YAML still reads.
 */
export function translateYaml(text: string, file: string, macros: ReadonlyMap<string, MacroSig>, projectName: string): { text: string; leftovers: Leftover[] } {
  if (!text.includes('{{') && !text.includes('{%')) return { text, leftovers: [] };
  const leftovers: Leftover[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trimStart().startsWith('#')) continue;
    if (line.includes('{%')) {
      leftovers.push({ file, line: i + 1, construct: 'jinja statement in YAML', text: line.trim(), why: 'ft renders expressions in YAML values ({{var …}}, {{env_var …}}, {{doc …}}), not statements: compute the value in a var, or split the entry' });
      continue;
    }
    const open = line.indexOf('{{');
    if (open < 0) continue;
    const before = line.slice(0, open).replace(/\\"/g, '');
    const inDouble = (before.match(/"/g)?.length ?? 0) % 2 === 1;
    const r = translateTemplate(line, { file, kind: 'model', macros, projectName, quote: inDouble ? "'" : '"' });
    lines[i] = r.main?.text ?? line;
    for (const l of r.leftovers) leftovers.push({ ...l, line: i + 1 });
  }
  return { text: lines.join('\n'), leftovers };
}
