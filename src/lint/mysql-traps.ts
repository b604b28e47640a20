/**
 * SQL written for other databases that MySQL and MariaDB read differently, often without an
 * error: found in compiled SQL by one linear scan that reads it as the server's lexer does,
 * so nothing inside a string, a `quoted` identifier or a comment is flagged.
 *
 * - `--` starts a comment only when followed by whitespace or a control character: dbt's
 *   jaffle-shop has section comments like `----------  ids`, which MySQL reads as minus signs
 *   applied to the next line's column (UUID keys turned into numbers).
 * - `||` is logical OR under the default sql_mode, not concatenation.
 * - `::type` is PostgreSQL's cast.
 * - `FULL [OUTER] JOIN` does not exist: `a full join b` reads `full` as an alias of `a` and
 *   joins without a condition.
 * - `ILIKE` does not exist.
 * - `"name"` is a string literal under the default sql_mode, not an identifier.
 */

export type TrapRule = 'double_dash' | 'pipe_concat' | 'cast_operator' | 'full_outer_join' | 'ilike' | 'double_quotes';

export interface Trap {
  rule: TrapRule;
  /** where the construct starts in the SQL (UTF-16 offset) */
  offset: number;
  /** the construct as written */
  text: string;
}

/** What each rule flags and the MySQL to write instead. */
export const TRAP_ADVICE: Record<TrapRule, { what: string; instead: string }> = {
  double_dash: {
    what: 'is not a comment in MySQL/MariaDB: `--` starts a comment only when a space follows, so these dashes are minus signs applied to what comes next',
    instead: 'put a space after the two dashes (`-- text`) or use /* … */',
  },
  pipe_concat: { what: 'is logical OR in MySQL/MariaDB (default sql_mode), not string concatenation', instead: 'write concat(a, b)' },
  cast_operator: { what: 'is not a cast in MySQL/MariaDB', instead: 'write cast(x as type)' },
  full_outer_join: {
    what: 'does not exist in MySQL/MariaDB (`a full join b` reads `full` as an alias and joins every row with every row)',
    instead: 'write a LEFT JOIN UNION a RIGHT JOIN (… where left side is null)',
  },
  ilike: { what: 'does not exist in MySQL/MariaDB', instead: 'write lower(x) like lower(y)' },
  double_quotes: {
    what: 'is a string literal in MySQL/MariaDB (default sql_mode), not an identifier',
    instead: 'write `name` (backticks) for an identifier, or \'text\' for a string',
  },
};

export const TRAP_RULES = Object.keys(TRAP_ADVICE) as TrapRule[];

// character codes
const SPACE = 32, DQUOTE = 34, HASH = 35, DOLLAR = 36, QUOTE = 39, STAR = 42, MINUS = 45, SLASH = 47;
const COLON = 58, BACKSLASH = 92, UNDERSCORE = 95, BACKTICK = 96, PIPE = 124, DEL = 127;

/**
 * Text every trap contains (`--` and a character that does not end it, `||`, `::`, `"`, FULL,
 * ILIKE): a regular expression finds their absence faster than the scan reads the text.
 */
const MAYBE_TRAP = /--[^\x00-\x20\x7f]|\|\||::|"|full|ilike/i;

/** A character of an unquoted identifier or keyword (letters, digits, _, $ and anything past ASCII). */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === UNDERSCORE || c === DOLLAR || c > DEL;
}

/** Whitespace or a control character: what must follow `--` for it to start a comment. */
const endsDashes = (c: number): boolean => c <= SPACE || c === DEL;

/** Whether `sql` at `at` spells `word` (lower case), ignoring case; `len` is the word's length there. */
function wordIs(sql: string, at: number, len: number, word: string): boolean {
  if (len !== word.length) return false;
  for (let i = 0; i < len; i++) if ((sql.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** The end of a quoted string or identifier opened at `at` (after its closing quote); doubled quotes and, but for backticks, backslash escapes stay inside. */
function quotedEnd(sql: string, at: number, quote: number): number {
  const n = sql.length;
  for (let i = at + 1; i < n; i++) {
    const c = sql.charCodeAt(i);
    if (c === BACKSLASH && quote !== BACKTICK) i++;
    else if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) i++;
      else return i + 1;
    }
  }
  return n;
}

/**
 * Every trap in `sql`, in order; `until` (default: the whole text) bounds the scan. One pass,
 * reading as the server does: strings ('…', "…"), `identifiers`, comments (`-- `, `#`, `/* *\/`).
 */
export function findTraps(sql: string, until = sql.length): Trap[] {
  // every trap holds one of these as written: SQL without any (most) needs no scan
  if (!MAYBE_TRAP.test(sql)) return [];
  const traps: Trap[] = [];
  // FULL [OUTER] JOIN across words: 1 after FULL, 2 after FULL OUTER (comments and spaces between)
  let fullState = 0;
  let fullAt = 0;
  // inside a run of dashes already flagged
  let dashRun = false;
  for (let i = 0; i < until; ) {
    const c = sql.charCodeAt(i);
    if (c !== MINUS) dashRun = false;
    if (c <= SPACE) {
      i++;
      continue;
    }
    if (isWordChar(c)) {
      const start = i;
      while (i < until && isWordChar(sql.charCodeAt(i))) i++;
      const len = i - start;
      // only words of 4 or 5 letters can matter
      if (len === 4 || len === 5) {
        if (wordIs(sql, start, len, 'join') && fullState > 0) traps.push({ rule: 'full_outer_join', offset: fullAt, text: sql.slice(fullAt, i) });
        if (wordIs(sql, start, len, 'ilike')) traps.push({ rule: 'ilike', offset: start, text: sql.slice(start, i) });
        if (wordIs(sql, start, len, 'full')) {
          fullState = 1;
          fullAt = start;
        } else if (fullState === 1 && wordIs(sql, start, len, 'outer')) fullState = 2;
        else fullState = 0;
      } else fullState = 0;
      continue;
    }
    if (c === QUOTE || c === BACKTICK || c === DQUOTE) {
      const end = quotedEnd(sql, i, c);
      if (c === DQUOTE) traps.push({ rule: 'double_quotes', offset: i, text: sql.slice(i, Math.min(end, i + 40)) });
      i = end;
      fullState = 0;
      continue;
    }
    const next = sql.charCodeAt(i + 1);
    if (c === MINUS && next === MINUS) {
      // `--` then whitespace, a control character or the end: a comment to the end of the line
      if (i + 2 >= sql.length || endsDashes(sql.charCodeAt(i + 2))) {
        i = lineEnd(sql, i);
        continue;
      }
      if (!dashRun) {
        traps.push({ rule: 'double_dash', offset: i, text: sql.slice(i, Math.min(lineEnd(sql, i), i + 40)).trimEnd() });
        dashRun = true;
      }
      // each dash is an operator; a later pair may still start a comment, as in `---- x`
      i++;
      fullState = 0;
      continue;
    }
    if (c === HASH) {
      i = lineEnd(sql, i);
      continue;
    }
    if (c === SLASH && next === STAR) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    if (c === PIPE && next === PIPE) traps.push({ rule: 'pipe_concat', offset: i, text: '||' });
    else if (c === COLON && next === COLON) traps.push({ rule: 'cast_operator', offset: i, text: sql.slice(i, wordEnd(sql, i + 2)) });
    if ((c === PIPE && next === PIPE) || (c === COLON && next === COLON)) i += 2;
    else i++;
    fullState = 0;
  }
  return traps;
}

/** The offset of the end of the line holding `at` (its newline, or the end of the text). */
function lineEnd(sql: string, at: number): number {
  const end = sql.indexOf('\n', at);
  return end < 0 ? sql.length : end;
}

/** The end of the word starting at `at` (the type after `::`). */
function wordEnd(sql: string, at: number): number {
  let i = at;
  while (i < sql.length && isWordChar(sql.charCodeAt(i))) i++;
  return i;
}

/**
 * The offset just after the `)` closing the `(` at `open`, read as the lexer reads (parentheses
 * in strings and comments do not count); the text's length if it never closes.
 */
export function closingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; ) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if (c === QUOTE || c === BACKTICK || c === DQUOTE) i = quotedEnd(sql, i, c);
    else if ((c === MINUS && next === MINUS && (i + 2 >= sql.length || endsDashes(sql.charCodeAt(i + 2)))) || c === HASH) i = lineEnd(sql, i);
    else if (c === SLASH && next === STAR) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else {
      if (c === 40) depth++;
      else if (c === 41 && --depth === 0) return i + 1;
      i++;
    }
  }
  return sql.length;
}
