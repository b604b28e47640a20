/**
 * dbt hands a generic test its column bare (`amount`); ft hands it quoted (`` `amount` ``) as
 * `column_name`, and bare as `column_name_raw`. Where a converted test uses the name as text —
 * inside a SQL string ('{{ column_name }}'), inside a quoted name, or glued to other name
 * characters ({{ column_name }}_average) — the bare one is what dbt meant.
 */
export function rawColumnNames(text: string): string {
  const token = '{{column_name}}';
  if (!text.includes(token)) return text;
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith(token, i)) {
      const before = text[i - 1] ?? '';
      const after = text[i + token.length] ?? '';
      const glued = /[\w$]/.test(before) || /[\w$]/.test(after);
      out += quote || glued ? '{{column_name_raw}}' : token;
      i += token.length - 1;
      continue;
    }
    const c = text[i]!;
    if (c === '{' && text[i + 1] === '{') {
      // another template tag: copied as it is, its quotes are not SQL's
      const end = text.indexOf('}}', i);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (quote) {
      if (c === '\\' && quote !== '`') {
        out += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '\n') quote = null;
    out += c;
  }
  return out;
}
