/**
 * Splits SQL text holding several statements (a hook, an operation) into single statements, as
 * the mysql client would: `;` ends a statement except inside quotes ('…', "…", `…`), comments
 * (`-- `, `#`, `/* … *\/`) and compound bodies (BEGIN … END of a procedure, function, trigger or
 * event, and MariaDB's BEGIN NOT ATOMIC), so routines need no DELIMITER. A `DELIMITER x` line is
 * honoured too. Statements that hold only comments are left out.
 *
 * ft's connections accept one statement per call: a model, test or seed is sent as it is, so text
 * that renders to several statements (a var holding `…; DROP DATABASE …`) is refused by the server.
 */
const ROUTINE = /^\s*create\s+(or\s+replace\s+)?(definer\s*=[^;]*?\s)?(if\s+not\s+exists\s+)?(aggregate\s+)?(procedure|function|trigger|event)\b/i;
const ANON_BLOCK = /^\s*(\w+\s*:\s*)?begin\s+not\s+atomic\b/i;

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let delimiter = ';';
  let start = 0;
  let i = 0;
  let depth = 0;
  /** the statement so far, with comments and quoted text blanked, to tell routines from the rest */
  let code = '';
  const n = sql.length;
  const push = (end: number): void => {
    const stmt = sql.slice(start, end).trim();
    if (code.trim()) out.push(stmt);
    code = '';
    depth = 0;
  };
  while (i < n) {
    const c = sql[i]!;
    // DELIMITER x at the start of a line (only between statements)
    if (!code.trim() && (i === 0 || sql[i - 1] === '\n' || /^\s*$/.test(sql.slice(start, i))) && /^delimiter\s/i.test(sql.slice(i, i + 10))) {
      const eol = sql.indexOf('\n', i);
      const line = sql.slice(i, eol < 0 ? n : eol);
      delimiter = line.trim().split(/\s+/)[1] ?? ';';
      i = eol < 0 ? n : eol + 1;
      start = i;
      code = '';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\' && c !== '`') j += 2;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      code += c === '`' ? ' `x` ' : " 'x' ";
      i = j + 1;
      continue;
    }
    if ((c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2]!))) || c === '#') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol;
      code += ' ';
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      code += ' ';
      continue;
    }
    if (depth === 0 && sql.startsWith(delimiter, i)) {
      push(i);
      i += delimiter.length;
      start = i;
      continue;
    }
    if (/[A-Za-z_]/.test(c) && !isWordChar(sql[i - 1])) {
      let j = i;
      while (j < n && isWordChar(sql[j])) j++;
      const word = sql.slice(i, j).toLowerCase();
      const compound = ROUTINE.test(code) || ANON_BLOCK.test(code + sql.slice(i, i + 30));
      if (word === 'begin' && compound) depth++;
      else if (word === 'case') depth++;
      else if (word === 'end') {
        // END IF / END LOOP / END WHILE / END REPEAT close blocks that were not counted
        const next = /^\s*([A-Za-z]+)/.exec(sql.slice(j))?.[1]?.toLowerCase();
        if (!(next === 'if' || next === 'loop' || next === 'while' || next === 'repeat')) depth = Math.max(0, depth - 1);
      }
      code += sql.slice(i, j);
      i = j;
      continue;
    }
    code += c;
    i++;
  }
  push(n);
  return out;
}
