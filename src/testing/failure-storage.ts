import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';

/** How a test keeps its failing rows (dbt's store_failures / store_failures_as). */
export type FailureStorage = 'table' | 'view';

export const STORE_FAILURES_AS = ['table', 'view', 'ephemeral'] as const;

/**
 * store_failures_as wins over store_failures and --store-failures, as in dbt: `table` or `view`
 * store them, `ephemeral` stores nothing. null: the test keeps no rows.
 */
export function failureStorage(test: Node, flag?: boolean): FailureStorage | null {
  const as = test.config.store_failures_as;
  if (as === 'table' || as === 'view') return as;
  if (as === 'ephemeral') return null;
  return flag || test.config.store_failures ? 'table' : null;
}

/**
 * The schema failing rows are stored in: `<target database>_test_failures`, or with the test's
 * `schema:` config `<target database>_<schema>`, as a model's custom schema lands.
 */
export function failuresSchema(project: Project, test?: Node): string {
  const custom = test?.config.schema;
  return `${project.target.database}_${typeof custom === 'string' && custom ? custom : 'test_failures'}`;
}
