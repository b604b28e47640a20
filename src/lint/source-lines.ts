/**
 * Lines of a template's source for places in its compiled SQL. Rendering keeps the template's
 * text (its content statements) in order and puts helpers' and macros' output between them;
 * so each line of text is found in the SQL after the one before, and a place in the SQL is on
 * the source line of the text it falls in — or, in output between two texts, on the line of
 * the helper or macro call that produced it.
 */

/** A place in the source: its line, and the call whose output it is in (`{{> macro}}`), if any. */
export interface SourcePlace {
  line: number;
  from?: string;
}

type Item = { kind: 'text'; text: string; line: number; at: number } | { kind: 'tag'; line: number; tag: string };

/** Text and calls of the template in document order (a block's body after its call). */
function items(program: hbs.AST.Program): Item[] {
  const out: Item[] = [];
  const walk = (p: hbs.AST.Program | undefined): void => {
    for (const s of p?.body ?? []) {
      const line = s.loc?.start.line ?? 1;
      if (s.type === 'ContentStatement') {
        // the typings have `original` as strip flags; in the AST it is the text as written
        const c = s as unknown as { value: string; original: string };
        if (c.value === '') continue;
        // standalone lines lose their whitespace: the value starts where it is in the original
        const lead = Math.max(0, c.original.indexOf(c.value));
        let n = line;
        for (let i = 0; i < lead; i++) if (c.original.charCodeAt(i) === 10) n++;
        for (const piece of c.value.split('\n')) {
          if (piece.trim() !== '') out.push({ kind: 'text', text: piece, line: n, at: -1 });
          n++;
        }
      } else if (s.type === 'CommentStatement') continue;
      else {
        const name = (s as { path?: { original?: unknown }; name?: { original?: unknown } }).path?.original ?? (s as { name?: { original?: unknown } }).name?.original;
        const tag = s.type === 'PartialStatement' || s.type === 'PartialBlockStatement' ? `{{> ${String(name)}}}` : s.type === 'BlockStatement' ? `{{#${String(name)}}}` : `{{${String(name)}}}`;
        out.push({ kind: 'tag', line, tag });
        const b = s as hbs.AST.BlockStatement;
        if (s.type === 'BlockStatement' || s.type === 'PartialBlockStatement') {
          walk(b.program);
          walk(b.inverse);
        }
      }
    }
  };
  walk(program);
  return out;
}

/**
 * Maps offsets of `sql` (ascending) to source places; text before `from` in the SQL (CTEs
 * put in front of it) is not the template's.
 */
export function sourcePlaces(program: hbs.AST.Program, sql: string, offsets: number[], from = 0): SourcePlace[] {
  const list = items(program);
  let pos = from;
  const matched: number[] = [];
  list.forEach((it, k) => {
    if (it.kind !== 'text') return;
    const at = sql.indexOf(it.text, pos);
    if (at < 0) return;
    it.at = at;
    pos = at + it.text.length;
    matched.push(k);
  });
  const newlines = (a: number, b: number): number => {
    let n = 0;
    for (let i = a; i < b; i++) if (sql.charCodeAt(i) === 10) n++;
    return n;
  };
  return offsets.map((o) => {
    // the last text found at or before o
    let lo = 0;
    let hi = matched.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[matched[mid]!] as Extract<Item, { kind: 'text' }>;
      if (it.at <= o) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const startK = best < 0 ? -1 : matched[best]!;
    if (best >= 0) {
      const it = list[startK] as Extract<Item, { kind: 'text' }>;
      if (o < it.at + it.text.length) return { line: it.line };
    }
    // output after that text: from the next call, unless more text comes first (text that
    // was not found as written, a block's repeated body: count the lines)
    for (let k = startK + 1; k < list.length; k++) {
      const it = list[k]!;
      if (it.kind === 'tag') return { line: it.line, from: it.tag };
      if (it.at >= 0) break;
    }
    if (best < 0) return { line: 1 };
    const it = list[startK] as Extract<Item, { kind: 'text' }>;
    return { line: it.line + newlines(it.at, o) };
  });
}
