import type { Session } from '../adapter.js';

/**
 * ` COLLATE <c>` for DDL that names CHARACTER SET utf8mb4: the session's collation, which is the
 * target database's (sessionCollationSql). Without it the server's default for utf8mb4 applies,
 * and a seed in a utf8mb4_unicode_ci database would not compare with the models beside it.
 */
export async function utf8mb4Collate(s: Pick<Session, 'query'>): Promise<string> {
  const [row] = await s.query<{ c: string }>('SELECT @@collation_connection AS c');
  const c = String(row?.c ?? '');
  return /^utf8mb4_\w+$/.test(c) ? ` COLLATE ${c}` : '';
}
