import type { Leftover } from './leftovers.js';
import { fixDialect } from './sql-dialect.js';
import { translateTemplate } from './translate-template.js';
import type { MacroSig } from './translate-expr.js';

/**
 * Jinja inside YAML values (`"{{ var('x') }}"`, `"{{ doc('orders') }}"`, hooks) to ft's
 * Handlebars, line by line, leaving the YAML itself byte for byte: strings inside a
 * double-quoted YAML value take single quotes (`"{{var 'x' false}}"`), so the YAML still reads.
 */
export function translateYaml(text: string, file: string, macros: ReadonlyMap<string, MacroSig>, projectName: string): { text: string; leftovers: Leftover[] } {
  const sql = sqlInYaml(text, file);
  if (!text.includes('{{') && !text.includes('{%')) return { text, leftovers: sql };
  const leftovers: Leftover[] = [...sql];
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

/** Keys of schema YAML whose value is SQL the server runs: test arguments and configs, freshness filters, headers. */
const SQL_KEYS = 'expression|where|condition|row_condition|compare_row_condition|from_condition|to_condition|filter|sql_header';
const SQL_VALUE = new RegExp(`(?:^|[\\s{,-])(${SQL_KEYS})\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|'(?:[^']|'')*'|[^,}#\\n]+)`, 'g');

/**
 * SQL written in YAML values (`expression: date_trunc('month', d) = d`) checked as the SQL of
 * models is: what MySQL reads differently, or has no function for, is a leftover at its line,
 * with the MySQL to write. The YAML is not rewritten.
 */
function sqlInYaml(text: string, file: string): Leftover[] {
  if (!new RegExp(`\\b(${SQL_KEYS})\\s*:`).test(text)) return [];
  const out: Leftover[] = [];
  text.split('\n').forEach((whole, i) => {
    const line = withoutComment(whole);
    for (const m of line.matchAll(SQL_VALUE)) {
      const raw = m[2]!.trim();
      const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : raw;
      const fixed = fixDialect(value);
      for (const f of fixed.flags) if (f.construct !== 'double quotes') out.push({ file, line: i + 1, construct: f.construct, text: f.text, why: f.why });
      if (fixed.text !== value) out.push({ file, line: i + 1, construct: 'SQL in YAML', text: value, why: `MySQL reads this differently: write ${fixed.text}` });
    }
  });
  return out;
}

/** A YAML line without its comment (a # after a space, outside quotes). */
function withoutComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}
