/** What `ft convert` could not translate and a human has to decide, each with its place. */
export interface Leftover {
  file: string;
  line: number;
  /** a short, stable name of the construct (the summary groups by it) */
  construct: string;
  /** the source text concerned, shortened */
  text: string;
  why: string;
}

/** Thrown by a translation rule that cannot express a construct in ft's Handlebars. */
export class Untranslatable extends Error {
  constructor(
    readonly construct: string,
    readonly why: string,
  ) {
    super(why);
  }
}

export function shorten(text: string, max = 70): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function sortLeftovers(list: Leftover[]): Leftover[] {
  return [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** Every leftover with its place, then a table: construct, count. */
export function formatLeftovers(list: Leftover[]): string {
  if (!list.length) return 'Nothing left to do by hand.';
  const lines = sortLeftovers(list).map((l) => `${l.file}:${l.line}: ${l.construct}: ${l.text ? `${shorten(l.text)} — ` : ''}${l.why}`);
  const counts = new Map<string, number>();
  for (const l of list) counts.set(l.construct, (counts.get(l.construct) ?? 0) + 1);
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const w = Math.max('construct'.length, ...rows.map(([c]) => c.length));
  const table = [`${'construct'.padEnd(w)}  count`, `${'-'.repeat(w)}  -----`, ...rows.map(([c, n]) => `${c.padEnd(w)}  ${String(n).padStart(5)}`)];
  const files = new Set(list.map((l) => l.file)).size;
  return [...lines, '', `${list.length} leftover${list.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} need a human:`, ...table].join('\n');
}
