// A derived metric's `expr`: SQL over its inputs' names (or aliases), each replaced by the
// input's own SQL. A name that is neither an input nor SQL is reported where it is declared.
import { didYouMean } from '../util/suggest.js';
import { originError, type Origin } from './query-items.js';

/** Words of SQL a derived metric's expr may hold besides its inputs' names. */
const SQL_WORDS = new Set(['and', 'or', 'not', 'null', 'is', 'in', 'between', 'like', 'case', 'when', 'then', 'else', 'end', 'true', 'false', 'div', 'mod', 'as', 'signed', 'unsigned', 'decimal', 'double', 'char', 'date', 'datetime', 'interval', 'day', 'week', 'month', 'quarter', 'year', 'hour', 'minute', 'second', 'e0']);

/** A derived metric's `expr` with each input's name (outside quotes) replaced by its SQL. */
export function substituteNames(expr: string, values: Map<string, string>, origin: Origin): string {
  const used = new Set<string>();
  const out = expr
    .split(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/\b[A-Za-z_][A-Za-z0-9_]*\b(?!\s*\()/g, (word) => {
            const v = values.get(word);
            if (v === undefined) {
              if (SQL_WORDS.has(word.toLowerCase()) || /^\d/.test(word)) return word;
              throw originError(origin, `expr "${expr}" names "${word}", which is not one of its inputs (${[...values.keys()].join(', ')}).${didYouMean(word, values.keys())} List it under type_params.metrics.`);
            }
            used.add(word);
            return `(${v})`;
          }),
    )
    .join('');
  const unused = [...values.keys()].filter((k) => !used.has(k));
  if (unused.length) throw originError(origin, `expr "${expr}" does not use the input${unused.length > 1 ? 's' : ''} ${unused.join(', ')} it lists; use each (by its alias if it has one) or remove it.`);
  return out;
}
