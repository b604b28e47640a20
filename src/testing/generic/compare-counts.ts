import { columnExpr } from './helpers.js';
import type { GenericTestContext } from './types.js';

/**
 * Row counts of the model and a comparison relation side by side, per group — the shared
 * core of equal_rowcount and fewer_rows_than. dbt_utils uses a FULL JOIN, which MySQL lacks:
 * with groups, the union of both sides' keys is left-joined to each side. Group keys are
 * matched NULL-safely (`<=>`); dbt's `a.c = b.c` would report a NULL group present on
 * both sides as two mismatches.
 */
export function countsCte(
  ctx: GenericTestContext,
  compare: string,
  groupBy: string[],
  names: { a: string; b: string },
  fullJoin: boolean,
): string {
  const gb = groupBy.map((c) => columnExpr(ctx, c));
  if (gb.length === 0) {
    return [
      `a AS (SELECT COUNT(*) AS ${names.a} FROM ${ctx.model}),`,
      `b AS (SELECT COUNT(*) AS ${names.b} FROM ${compare}),`,
      `counts AS (SELECT a.${names.a}, b.${names.b} FROM a CROSS JOIN b)`,
    ].join('\n');
  }
  const keys = gb.map((_, i) => `g${i + 1}`);
  const sel = gb.map((c, i) => `${c} AS ${keys[i]}`).join(', ');
  const on = (l: string, r: string) => keys.map((k) => `${l}.${k} <=> ${r}.${k}`).join(' AND ');
  const lines = [
    `a AS (SELECT ${sel}, COUNT(*) AS ${names.a} FROM ${ctx.model} GROUP BY ${gb.join(', ')}),`,
    `b AS (SELECT ${sel}, COUNT(*) AS ${names.b} FROM ${compare} GROUP BY ${gb.join(', ')}),`,
  ];
  const groupCols = keys.map((k, i) => `k.${k} AS ${ctx.quote(groupBy[i]!.trim())}`).join(', ');
  if (fullJoin) {
    lines.push(
      `ft_keys AS (SELECT ${keys.join(', ')} FROM a UNION SELECT ${keys.join(', ')} FROM b),`,
      `counts AS (SELECT ${groupCols}, a.${names.a}, b.${names.b} FROM ft_keys k LEFT JOIN a ON ${on('a', 'k')} LEFT JOIN b ON ${on('b', 'k')})`,
    );
  } else {
    lines.push(`counts AS (SELECT ${groupCols}, k.${names.a}, b.${names.b} FROM a k LEFT JOIN b ON ${on('b', 'k')})`);
  }
  return lines.join('\n');
}
