/**
 * Splits a dbt template into text and Jinja tags. A `{{ … }}` that is already ft's
 * Handlebars (`{{#if …}}`, `{{ref "x"}}`, `{{> p}}`) is kept as a `hbs` token, so converting
 * ft output again changes nothing.
 */
export type Token =
  | { kind: 'text'; text: string; line: number; raw?: boolean }
  | { kind: 'expr'; body: string; source: string; line: number }
  | { kind: 'stmt'; body: string; source: string; line: number }
  | { kind: 'comment'; body: string; source: string; line: number }
  | { kind: 'hbs'; source: string; line: number };

/** Index just past the closing delimiter, skipping quoted strings; -1 when it never closes. */
function findClose(src: string, from: number, close: string): number {
  let quote = '';
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (src.startsWith(close, i)) return i + close.length;
  }
  return -1;
}

/** Strips Jinja's whitespace-control markers: `-` (and `+`) just inside the delimiters. */
function inner(tag: string): string {
  let b = tag.slice(2, -2);
  if (b.startsWith('-') || b.startsWith('+')) b = b.slice(1);
  if (b.endsWith('-') || b.endsWith('+')) b = b.slice(0, -1);
  return b.trim();
}

const RAW_END = /\{%-?\s*endraw\s*-?%\}/g;

export function lexJinja(src: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  let textStart = 0;
  const lines = (s: string) => {
    let n = 0;
    for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) n++;
    return n;
  };
  const flushText = (end: number) => {
    if (end > textStart) {
      const text = src.slice(textStart, end);
      out.push({ kind: 'text', text, line });
      line += lines(text);
    }
  };
  while (i < src.length) {
    const open = src.indexOf('{', i);
    if (open < 0 || open + 1 >= src.length) break;
    const next = src[open + 1];
    if (next !== '{' && next !== '%' && next !== '#') {
      i = open + 1;
      continue;
    }
    // `\{{` is Handlebars' escape for a literal `{{`
    if (next === '{' && src[open - 1] === '\\') {
      i = open + 2;
      continue;
    }
    if (next === '{' && src[open + 2] === '{') {
      // {{{x}}} or {{{{raw}}}}: Handlebars only
      const end = src.indexOf('}}}', open);
      if (end < 0) break;
      let stop = end + 3;
      while (src[stop] === '}') stop++;
      flushText(open);
      const source = src.slice(open, stop);
      out.push({ kind: 'hbs', source, line });
      line += lines(source);
      i = textStart = stop;
      continue;
    }
    const close = next === '{' ? '}}' : next === '%' ? '%}' : '#}';
    const end = next === '#' ? (src.indexOf('#}', open + 2) < 0 ? -1 : src.indexOf('#}', open + 2) + 2) : findClose(src, open + 2, close);
    if (end < 0) break;
    flushText(open);
    const source = src.slice(open, end);
    const tagLine = line;
    line += lines(source);
    if (next === '#') {
      out.push({ kind: 'comment', body: source.slice(2, -2).replace(/^-|-$/g, ''), source, line: tagLine });
      i = textStart = end;
      continue;
    }
    if (next === '%') {
      const body = inner(source);
      if (/^raw\b/.test(body)) {
        RAW_END.lastIndex = end;
        const m = RAW_END.exec(src);
        const stop = m ? m.index : src.length;
        const text = src.slice(end, stop);
        out.push({ kind: 'text', text, line, raw: true });
        line += lines(text) + (m ? lines(m[0]) : 0);
        i = textStart = m ? m.index + m[0].length : src.length;
        continue;
      }
      out.push({ kind: 'stmt', body, source, line: tagLine });
      i = textStart = end;
      continue;
    }
    const body = source.slice(2, -2);
    if (/^\s*[#/>!^&@~]/.test(body) || /^\s*else[\s}]/.test(body + '}')) out.push({ kind: 'hbs', source, line: tagLine });
    else out.push({ kind: 'expr', body: inner(source), source, line: tagLine });
    i = textStart = end;
  }
  textStart = Math.min(textStart, src.length);
  if (textStart < src.length) {
    const text = src.slice(textStart);
    out.push({ kind: 'text', text, line });
  }
  return out;
}
