/** MySQL identifier quoting: backticks, with backticks inside doubled. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function relationName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** `schema`.`table` as relationName writes it → [schema, table]; undefined for anything else. */
export function splitRelationName(rel: string): [string, string] | undefined {
  const m = /^`((?:[^`]|``)+)`\.`((?:[^`]|``)+)`$/.exec(rel.trim());
  return m ? [m[1]!.replace(/``/g, '`'), m[2]!.replace(/``/g, '`')] : undefined;
}
