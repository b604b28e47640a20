/**
 * What MySQL 8.0+ and MariaDB 10.6+ accept as a database or table name: at most 64 characters,
 * characters of the Basic Multilingual Plane except NUL, no trailing space. ft's sibling tables
 * (`<name>__ft_tmp`, `__ft_old`, `__ft_new`) are shortened with a hash past 64 characters
 * (materialization-context.ts siblingName), so a relation name may use all 64.
 */
export const MAX_IDENTIFIER_LENGTH = 64;

export function identifierProblem(name: string, kind: 'database' | 'relation' | 'column'): string | null {
  const what = kind === 'database' ? 'database name' : kind === 'column' ? 'column name' : 'table name';
  if (!name) return `its ${what} is empty`;
  const chars = [...name];
  if (chars.length > MAX_IDENTIFIER_LENGTH) {
    return `its ${what} \`${name}\` is ${chars.length} characters; MySQL and MariaDB allow ${MAX_IDENTIFIER_LENGTH}`;
  }
  if (name.includes('\0')) return `its ${what} holds a NUL character, which the server refuses in names`;
  const wide = chars.find((c) => c.codePointAt(0)! > 0xffff);
  if (wide) {
    return `its ${what} \`${name}\` holds ${wide} (U+${wide.codePointAt(0)!.toString(16).toUpperCase()}), a character outside the Basic Multilingual Plane, which MySQL and MariaDB refuse in names`;
  }
  if (/\s$/.test(name)) return `its ${what} \`${name}\` ends with a space, which MySQL and MariaDB refuse`;
  return null;
}
