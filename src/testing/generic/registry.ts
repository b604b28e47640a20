import { didYouMean } from '../../util/suggest.js';
import { columnAnomalies } from '../anomaly/column-anomalies.js';
import { volumeAnomalies } from '../anomaly/volume-anomalies.js';
import { acceptedRange } from './accepted-range.js';
import { acceptedValues } from './accepted-values.js';
import { atLeastOne } from './at-least-one.js';
import { cardinalityEquality } from './cardinality-equality.js';
import { equality } from './equality.js';
import { equalRowcount } from './equal-rowcount.js';
import { expectColumnValuesToMatchRegex } from './expect-column-values-to-match-regex.js';
import { expressionIsTrue } from './expression-is-true.js';
import { fewerRowsThan } from './fewer-rows-than.js';
import { mutuallyExclusiveRanges } from './mutually-exclusive-ranges.js';
import { notAcceptedValues } from './not-accepted-values.js';
import { notConstant } from './not-constant.js';
import { notEmptyString } from './not-empty-string.js';
import { notNullProportion } from './not-null-proportion.js';
import { notNull } from './not-null.js';
import { recency } from './recency.js';
import { relationshipsWhere } from './relationships-where.js';
import { relationships } from './relationships.js';
import { rowCount } from './row-count.js';
import { sequentialValues } from './sequential-values.js';
import { TestArgumentError, type GenericTestDefinition } from './types.js';
import { uniqueCombinationOfColumns } from './unique-combination-of-columns.js';
import { unique } from './unique.js';

const ALL: GenericTestDefinition[] = [
  notNull,
  unique,
  acceptedValues,
  relationships,
  uniqueCombinationOfColumns,
  expressionIsTrue,
  acceptedRange,
  notNullProportion,
  notEmptyString,
  notConstant,
  relationshipsWhere,
  recency,
  rowCount,
  equalRowcount,
  fewerRowsThan,
  expectColumnValuesToMatchRegex,
  sequentialValues,
  mutuallyExclusiveRanges,
  notAcceptedValues,
  atLeastOne,
  cardinalityEquality,
  equality,
  volumeAnomalies,
  columnAnomalies,
];

/** The built-in generic tests by canonical name (aliases are resolved by lookupTest). */
export const BUILTIN_TESTS: Map<string, GenericTestDefinition> = new Map(ALL.map((t) => [t.name, t]));

const ALIASES: Map<string, GenericTestDefinition> = new Map(ALL.flatMap((t) => (t.aliases ?? []).map((a) => [a, t] as const)));

/** Package namespaces whose tests ft implements natively; `dbt_utils.unique_combination_of_columns` → `unique_combination_of_columns`. */
export const KNOWN_NAMESPACES = ['dbt', 'dbt_utils', 'dbt_expectations', 'elementary', 'ft'];

/** Splits `namespace.name` (dbt's test name pattern) into its parts. */
export function splitTestName(name: string): { namespace: string | null; name: string } {
  const dot = name.indexOf('.');
  if (dot < 0) return { namespace: null, name };
  return { namespace: name.slice(0, dot), name: name.slice(dot + 1) };
}

/**
 * The built-in test for a name as written in YAML: `not_null`, `dbt_utils.recency`,
 * `dbt_expectations.expect_table_row_count_to_be_between` (an alias of row_count), …
 * Returns undefined for an unknown name (a custom generic test, or a typo: see
 * unknownTestMessage).
 */
export function lookupTest(name: string): GenericTestDefinition | undefined {
  const { namespace, name: bare } = splitTestName(name.trim());
  if (namespace !== null && !KNOWN_NAMESPACES.includes(namespace)) return undefined;
  return BUILTIN_TESTS.get(bare) ?? ALIASES.get(bare);
}

/** The built-in definition a generic test node runs, if it names one (not a custom or singular test). */
export function definitionOf(test: { test_metadata?: { name: string; namespace: string | null } }): GenericTestDefinition | undefined {
  const m = test.test_metadata;
  return m ? lookupTest(m.namespace ? `${m.namespace}.${m.name}` : m.name) : undefined;
}

/** All names lookupTest accepts without a namespace (canonical names and aliases). */
export function builtinTestNames(): string[] {
  return [...BUILTIN_TESTS.keys(), ...ALIASES.keys()].sort();
}

/** "Unknown test …" with the closest built-in names, for the caller's error. */
export function unknownTestMessage(name: string): string {
  const { name: bare } = splitTestName(name);
  return `Unknown test "${name}".${didYouMean(bare, builtinTestNames())} Built-in tests: ${[...BUILTIN_TESTS.keys()].join(', ')}; or write a custom generic test.`;
}

/**
 * Keys dbt accepts next to a test's arguments that configure the test rather than feed
 * it (dbt-core's TestBuilder.CONFIG_ARGS plus config/name/column_name/description);
 * validateTestArgs ignores them.
 */
export const TEST_CONFIG_KEYS = new Set([
  'severity',
  'tags',
  'enabled',
  'where',
  'limit',
  'warn_if',
  'error_if',
  'fail_calc',
  'store_failures',
  'store_failures_as',
  'meta',
  'database',
  'schema',
  'alias',
  'config',
  'name',
  'column_name',
  'description',
]);

/**
 * Checks a test's arguments: the column is there when the test needs one, every required
 * argument is given, no argument is unknown, and each value has the right type. Throws
 * TestArgumentError naming the argument and the fix.
 */
export function validateTestArgs(def: GenericTestDefinition, args: Record<string, unknown>, hasColumn: boolean): void {
  if (def.requiresColumn && !hasColumn) {
    throw new TestArgumentError(
      `Test "${def.name}" checks a column: move it under a column's \`data_tests:\` (or \`tests:\`) in the model's YAML.`,
    );
  }
  const known = new Set([...def.requiredArgs, ...def.optionalArgs]);
  for (const key of Object.keys(args)) {
    if (TEST_CONFIG_KEYS.has(key) || known.has(key)) continue;
    const accepted = [...known];
    throw new TestArgumentError(
      `Test "${def.name}" has no argument "${key}".${didYouMean(key, accepted)} ` +
        (accepted.length ? `It accepts: ${accepted.join(', ')}.` : 'It takes no arguments.') +
        ' Remove or rename it.',
    );
  }
  for (const key of def.requiredArgs) {
    if (args[key] === undefined || args[key] === null) {
      throw new TestArgumentError(`Test "${def.name}" is missing required argument "${key}". Add \`${key}: …\` under the test.`);
    }
  }
  def.validate?.(args, hasColumn);
}
