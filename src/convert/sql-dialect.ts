/**
 * SQL written for another database that MySQL/MariaDB reads differently. What has one safe
 * rewrite is rewritten (`--x` → `-- x`, `a || b` → `concat(a, b)`, `x::int` → `cast(x as
 * signed)`); what needs a decision is flagged with the MySQL to consider. Template tags
 * (`{{ … }}`) are opaque operands: nothing inside them is touched.
 */
export interface DialectFlag {
  /** 1-based line in the text given */
  line: number;
  construct: string;
  text: string;
  why: string;
}

type Tok = { k: 'ws' | 'comment' | 'str' | 'qident' | 'dq' | 'tag' | 'word' | 'num' | 'op'; s: number; e: number };

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => isWordStart(c) || isDigit(c) || c === 36;

function scan(t: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = t.length;
  while (i < n) {
    const c = t.charCodeAt(i);
    const s = i;
    if (isSpace(c)) {
      while (i < n && isSpace(t.charCodeAt(i))) i++;
      out.push({ k: 'ws', s, e: i });
    } else if (c === 123 /* { */ && t.charCodeAt(i + 1) === 123 && t.charCodeAt(i - 1) !== 92 /* \ */) {
      let q = 0;
      i += 2;
      while (i < n) {
        const d = t.charCodeAt(i);
        if (q) {
          if (d === 92) i++;
          else if (d === q) q = 0;
        } else if (d === 34 || d === 39) q = d;
        else if (d === 125 && t.charCodeAt(i + 1) === 125) break;
        i++;
      }
      i = Math.min(n, i + 2);
      while (t.charCodeAt(i) === 125) i++;
      out.push({ k: 'tag', s, e: i });
    } else if (c === 123 /* { */ && (t.charCodeAt(i + 1) === 37 /* % */ || t.charCodeAt(i + 1) === 35) /* # */) {
      // Jinja left as it was written (a leftover already reported): not SQL, nothing in it is touched
      const close = t.indexOf(t.charCodeAt(i + 1) === 37 ? '%}' : '#}', i + 2);
      i = close < 0 ? n : close + 2;
      out.push({ k: 'tag', s, e: i });
    } else if (c === 45 /* - */ && t.charCodeAt(i + 1) === 45) {
      const nl = t.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      out.push({ k: 'comment', s, e: i });
    } else if (c === 47 /* / */ && t.charCodeAt(i + 1) === 42 /* * */) {
      const end = t.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out.push({ k: 'comment', s, e: i });
    } else if (c === 39 || c === 34 || c === 96) {
      i++;
      while (i < n) {
        const d = t.charCodeAt(i);
        if (d === 92 && c === 39) i += 2;
        else if (d === c && t.charCodeAt(i + 1) === c) i += 2;
        else if (d === c) break;
        else i++;
      }
      i = Math.min(n, i + 1);
      out.push({ k: c === 39 ? 'str' : c === 96 ? 'qident' : 'dq', s, e: i });
    } else if (isWordStart(c)) {
      while (i < n && isWord(t.charCodeAt(i))) i++;
      out.push({ k: 'word', s, e: i });
    } else if (isDigit(c)) {
      while (i < n && (isDigit(t.charCodeAt(i)) || t.charCodeAt(i) === 46)) i++;
      out.push({ k: 'num', s, e: i });
    } else {
      const d = t.charCodeAt(i + 1);
      i += (c === 58 && d === 58) || (c === 124 && d === 124) ? 2 : 1;
      out.push({ k: 'op', s, e: i });
    }
  }
  return out;
}

const STRING_TYPES = /^(text|string|varchar|character varying|char|character|nvarchar|nchar|bpchar)$/;
const INT_TYPES = /^(int|integer|int2|int4|int8|bigint|smallint|tinyint|mediumint|long)$/;
const FLOAT_TYPES = /^(float|float4|float8|double|double precision|real)$/;
const DECIMAL_TYPES = /^(numeric|decimal|number|dec)$/;
const DATETIME_TYPES = /^(timestamp|timestamp without time zone|datetime|timestamp_ntz)$/;

/** A source type → MySQL's CAST target, or why there is none to pick safely. */
export function mysqlCastType(type: string): { to?: string; why?: string } {
  const m = /^([a-z_][a-z0-9_ ]*?)\s*(\(\s*([\d\s,]+)\))?$/i.exec(type.trim());
  if (!m) return { why: `unknown type "${type}"` };
  const base = m[1]!.toLowerCase().replace(/\s+/g, ' ');
  const args = m[3]?.replace(/\s+/g, '');
  if (STRING_TYPES.test(base)) return { to: args ? `char(${args})` : 'char' };
  if (INT_TYPES.test(base)) return { to: 'signed' };
  if (FLOAT_TYPES.test(base)) return { to: 'double' };
  if (DECIMAL_TYPES.test(base)) return args ? { to: `decimal(${args})` } : { why: 'a numeric without precision is exact in the source database; MySQL\'s decimal is (10,0): pick decimal(p,s)' };
  if (base === 'date' || base === 'time') return { to: base };
  if (DATETIME_TYPES.test(base)) return { to: args ? `datetime(${args})` : 'datetime' };
  if (base === 'boolean' || base === 'bool') return { why: 'MySQL has no boolean cast: write (x) <> 0, or a case expression' };
  if (base === 'timestamptz' || base === 'timestamp with time zone' || base === 'timestamp_tz' || base === 'timestamp_ltz') return { why: 'MySQL has no time zone in a datetime: convert_tz(), then cast as datetime' };
  if (base === 'json' || base === 'jsonb' || base === 'variant') return { why: 'MariaDB cannot cast to json: json_compact(x), or keep the text' };
  return { why: `no MySQL cast type for "${type}"` };
}

/** Functions with no MySQL/MariaDB twin of the same name and meaning, and what to write. */
const NO_TWIN: Record<string, string> = {
  date_trunc: '{{dbt.date_trunc "day" "col"}}, or date_format / date()',
  dateadd: '{{dbt.dateadd "day" 1 "col"}}, or date_add(col, interval 1 day)',
  date_add: 'check the arguments: MySQL writes date_add(col, interval n unit)',
  date_part: 'extract(unit from col)',
  split_part: '{{dbt.split_part "col" "\',\'" 1}}, or substring_index',
  listagg: 'group_concat(x separator \',\')',
  string_agg: 'group_concat(x separator \',\')',
  array_agg: 'json_arrayagg(x), or group_concat',
  to_char: 'date_format(col, format)',
  to_date: 'str_to_date(text, format), or date(col)',
  to_timestamp: 'str_to_date(text, format), or from_unixtime(n)',
  try_cast: 'cast() (an invalid value is an error under ft\'s strict mode)',
  safe_cast: 'cast() (an invalid value is an error under ft\'s strict mode)',
  iff: 'if(cond, a, b)',
  nvl: 'ifnull(a, b)',
  nvl2: 'case when a is not null then b else c end',
  zeroifnull: 'coalesce(x, 0)',
  div0: 'x / nullif(y, 0)',
  getdate: 'now()',
  generate_series: 'a recursive CTE, or {{dbt_utils.generate_series …}}',
  unnest: 'json_table(…)',
  flatten: 'json_table(…)',
  median: 'no median aggregate in MySQL: a window over the ordered values',
  percentile_cont: 'MariaDB has it only as a window function; MySQL has none',
  percentile_disc: 'MariaDB has it only as a window function; MySQL has none',
  approx_count_distinct: 'count(distinct x)',
  bool_or: 'max(x)',
  bool_and: 'min(x)',
  boolor_agg: 'max(x)',
  booland_agg: 'min(x)',
  array_size: 'json_length(x)',
  array_length: 'json_length(x)',
  cardinality: 'json_length(x)',
  array_contains: 'json_contains(arr, value)',
  object_construct: 'json_object(…)',
  parse_json: 'the text itself, or json_extract',
  struct: 'json_object(…)',
  len: 'char_length(x)',
  charindex: 'locate(needle, haystack)',
  datediff: 'MySQL datediff(a, b) takes two dates (a − b in days): for another unit, timestampdiff(unit, b, a)',
  timestamp_diff: 'timestampdiff(unit, a, b)',
  timestamp_add: 'timestampadd(unit, n, col)',
  regexp_like: 'x regexp pattern (MariaDB has no regexp_like)',
  ifnull: '',
};

const MAY_FLAG = new RegExp(`"|\\b(full|ilike|qualify|interval|${Object.keys(NO_TWIN).join('|')})\\b`, 'i');

/** Words that end an operand: an operand never is one of these. */
const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'case', 'when', 'then', 'else', 'end', 'as', 'on', 'join', 'group', 'order', 'by', 'having', 'limit', 'union', 'is', 'in', 'like', 'between', 'distinct', 'with', 'over', 'partition']);

/** The token index where the operand ending at token `j` starts, or -1. */
function operandStart(text: string, toks: Tok[], j: number): number {
  const tk = toks[j];
  if (!tk) return -1;
  let i = j;
  if (tk.k === 'op' && text[tk.s] === ')') {
    let depth = 0;
    for (; i >= 0; i--) {
      const ch = toks[i]!.k === 'op' ? text[toks[i]!.s] : '';
      if (ch === ')') depth++;
      else if (ch === '(' && --depth === 0) break;
    }
    if (i < 0) return -1;
    if (i > 0 && (toks[i - 1]!.k === 'word' || toks[i - 1]!.k === 'tag' || toks[i - 1]!.k === 'qident')) i--;
    else return i;
  } else if (tk.k === 'word') {
    if (KEYWORDS.has(text.slice(tk.s, tk.e).toLowerCase())) return -1;
  } else if (!['tag', 'str', 'num', 'qident', 'dq'].includes(tk.k)) return -1;
  // a.b, {{ref "x"}}.col, `t`.`c`
  while (i >= 2 && toks[i - 1]!.k === 'op' && text[toks[i - 1]!.s] === '.' && ['word', 'tag', 'qident', 'dq'].includes(toks[i - 2]!.k)) i -= 2;
  return i;
}

/** The token index where the operand starting at token `j` ends, or -1. */
function operandEnd(text: string, toks: Tok[], j: number): number {
  const tk = toks[j];
  if (!tk) return -1;
  let i = j;
  const closeParen = (from: number): number => {
    let depth = 0;
    for (let k = from; k < toks.length; k++) {
      const ch = toks[k]!.k === 'op' ? text[toks[k]!.s] : '';
      if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return k;
    }
    return -1;
  };
  if (tk.k === 'op' && text[tk.s] === '(') return closeParen(j);
  if (tk.k === 'word' && KEYWORDS.has(text.slice(tk.s, tk.e).toLowerCase())) return -1;
  if (!['word', 'tag', 'str', 'num', 'qident', 'dq'].includes(tk.k)) return -1;
  while (toks[i + 1]?.k === 'op' && text[toks[i + 1]!.s] === '.' && ['word', 'tag', 'qident', 'dq'].includes(toks[i + 2]?.k ?? '')) i += 2;
  if (toks[i + 1]?.k === 'op' && text[toks[i + 1]!.s] === '(' && (toks[i]!.k === 'word' || toks[i]!.k === 'tag')) return closeParen(i + 1);
  return i;
}

/** The newlines of a removed stretch, so the lines after a rewrite keep their numbers. */
const keepLines = (removed: string): string => '\n'.repeat(removed.split('\n').length - 1);

const lineOf = (text: string, off: number): number => {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < off; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

export function fixDialect(input: string): { text: string; flags: DialectFlag[] } {
  let text = input;
  const flags: DialectFlag[] = [];
  const flag = (off: number, construct: string, snippet: string, why: string) => flags.push({ line: lineOf(text, off), construct, text: snippet, why });
  if (!/--|::|\|\||full|ilike|qualify|"|\(/i.test(text)) return { text, flags };

  // comments first: `--x` is a comment in the source database, but not in MySQL
  let toks = text.includes('--') ? scan(text) : [];
  for (let i = toks.length - 1; i >= 0; i--) {
    const t = toks[i]!;
    if (t.k === 'comment' && text.startsWith('--', t.s) && t.e > t.s + 2 && !/\s/.test(text[t.s + 2]!)) text = `${text.slice(0, t.s + 2)} ${text.slice(t.s + 2)}`;
  }

  // casts, then concatenation (`::` binds tighter than `||`), each rewrite followed by a rescan
  for (const op of ['::', '||']) {
    // every rewrite one scan finds is applied (right to left); one that overlaps an earlier one
    // (`x::date::text`) waits for the next scan, which sees the first one done
    let skip = new Set<number>();
    let again = true;
    while (again && text.includes(op)) {
      again = false;
      const sigToks = scan(text).filter((t) => t.k !== 'ws' && t.k !== 'comment');
      const edits: { s: number; e: number; r: string }[] = [];
      let lastEnd = -1;
      for (let at = 0; at < sigToks.length; at++) {
        const opTok = sigToks[at]!;
        if (opTok.k !== 'op' || opTok.e - opTok.s !== 2 || text.slice(opTok.s, opTok.e) !== op || skip.has(opTok.s)) continue;
        const start = operandStart(text, sigToks, at - 1);
        if (start >= 0 && sigToks[start]!.s < lastEnd) {
          again = true;
          continue;
        }
        if (op === '::') {
          // the type: words (double precision), maybe (p, s)
          let k = at + 1;
          let type = '';
          while (sigToks[k]?.k === 'word' && (type === '' || /^(precision|varying|with|without|time|zone)$/i.test(text.slice(sigToks[k]!.s, sigToks[k]!.e)))) {
            type += (type ? ' ' : '') + text.slice(sigToks[k]!.s, sigToks[k]!.e);
            k++;
          }
          let endOff = sigToks[k - 1]?.e ?? opTok.e;
          if (sigToks[k] && text[sigToks[k]!.s] === '(') {
            const close = operandEnd(text, sigToks, k);
            if (close > 0) {
              type += text.slice(sigToks[k]!.s, sigToks[close]!.e);
              endOff = sigToks[close]!.e;
            }
          }
          const cast = mysqlCastType(type);
          if (start < 0 || !type || !cast.to) {
            skip.add(opTok.s);
            flag(opTok.s, 'cast ::', text.slice(start < 0 ? opTok.s : sigToks[start]!.s, endOff), cast.why ?? 'cannot tell what the cast applies to: write cast(x as type)');
            continue;
          }
          const s = sigToks[start]!.s;
          edits.push({ s, e: endOff, r: `cast(${text.slice(s, opTok.s).replace(/[ \t]+$/, '')} as ${cast.to})${keepLines(text.slice(opTok.s, endOff))}` });
          lastEnd = endOff;
          continue;
        }
        // a || b || c → concat(a, b, c), when every operand is plain (a name, literal, call, tag, (…))
        const parts: [number, number][] = [];
        let ok = start >= 0;
        const before = start > 0 ? sigToks[start - 1]! : undefined;
        if (before && before.k === 'op' && /^[-+*/%]$|^::$/.test(text.slice(before.s, before.e))) ok = false;
        if (ok) parts.push([sigToks[start]!.s, sigToks[at - 1]!.e]);
        let k = at;
        while (ok && sigToks[k] && text.slice(sigToks[k]!.s, sigToks[k]!.e) === '||') {
          const end = operandEnd(text, sigToks, k + 1);
          if (end < 0) {
            ok = false;
            break;
          }
          parts.push([sigToks[k + 1]!.s, sigToks[end]!.e]);
          k = end + 1;
        }
        const after = sigToks[k];
        if (after && after.k === 'op' && /^[-+*/%]$|^::$/.test(text.slice(after.s, after.e))) ok = false;
        if (!ok) {
          skip.add(opTok.s);
          flag(opTok.s, 'pipe concat ||', text.slice(Math.max(0, opTok.s - 30), opTok.e + 30), 'in MySQL || is a logical OR: write concat(a, b) (ft could not tell the operands apart here)');
          continue;
        }
        const first = parts[0]![0];
        const last = parts[parts.length - 1]![1];
        edits.push({ s: first, e: last, r: `concat(${parts.map(([ps, pe], n) => (n ? `,${keepLines(text.slice(parts[n - 1]![1], ps)) || ' '}` : '') + text.slice(ps, pe)).join('')})` });
        lastEnd = last;
        at = k - 1; // the chain's operators are consumed
      }
      for (let i = edits.length - 1; i >= 0; i--) text = text.slice(0, edits[i]!.s) + edits[i]!.r + text.slice(edits[i]!.e);
      // flagged operators keep being skipped where the rewrites before them moved them
      const moved = new Set<number>();
      for (const off of skip) moved.add(off + edits.filter((x) => x.e <= off).reduce((d, x) => d + x.r.length - (x.e - x.s), 0));
      skip = moved;
    }
  }

  // what needs a decision (scanned only when the text outside template tags names one)
  if (!MAY_FLAG.test(/\{[{%#]/.test(text) ? text.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g, '') : text)) return { text, flags };
  toks = scan(text);
  const sig = toks.filter((t) => t.k !== 'ws' && t.k !== 'comment');
  const word = (t: Tok | undefined) => (t?.k === 'word' ? text.slice(t.s, t.e).toLowerCase() : '');
  const seenDq = new Set<number>();
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    const w = word(t);
    if (w === 'full' && (word(sig[i + 1]) === 'join' || (word(sig[i + 1]) === 'outer' && word(sig[i + 2]) === 'join'))) {
      flag(t.s, 'full outer join', text.slice(t.s, sig[i + (word(sig[i + 1]) === 'join' ? 1 : 2)]!.e), 'MySQL has no FULL OUTER JOIN: a LEFT JOIN UNION a RIGHT JOIN where the left side is null');
    } else if (w === 'ilike') {
      flag(t.s, 'ilike', 'ilike', "MySQL has no ILIKE: lower(x) like lower(y) (or rely on the column's case-insensitive collation)");
    } else if (w === 'qualify') {
      flag(t.s, 'qualify', 'qualify', 'MySQL has no QUALIFY: filter the window function in an outer query');
    } else if (w === 'interval' && sig[i + 1]?.k === 'str') {
      flag(t.s, "interval '…'", text.slice(t.s, sig[i + 1]!.e), "MySQL writes interval 1 day (a number and a unit), not interval '1 day'");
    } else if (w && NO_TWIN[w] && sig[i + 1] && text[sig[i + 1]!.s] === '(' && !(sig[i - 1] && text[sig[i - 1]!.s] === '.')) {
      if (w === 'datediff' || w === 'date_add' || w === 'ifnull') {
        // MySQL has these: only another database's argument order needs a look
        const firstArg = sig[i + 2];
        const isUnit = firstArg && (firstArg.k === 'str' || /^(year|quarter|month|week|day|hour|minute|second|millisecond)s?$/i.test(text.slice(firstArg.s, firstArg.e)));
        if (w === 'ifnull' || !isUnit) continue;
      }
      flag(t.s, `function ${w}()`, `${w}(…)`, `no MySQL function of this meaning: ${NO_TWIN[w]}`);
    } else if (t.k === 'dq' && !seenDq.has(lineOf(text, t.s))) {
      seenDq.add(lineOf(text, t.s));
      flag(t.s, 'double quotes', text.slice(t.s, t.e), 'in MySQL "x" is a string, not a name: write `x` (backquotes) for a name, \'x\' for a string');
    }
  }
  return { text, flags };
}
