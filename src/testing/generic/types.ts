/**
 * The contract between the test runner and the SQL library of data tests.
 *
 * A generic test is a pure function from its context (the relation under test, the
 * column, the YAML arguments and a few quoting helpers) to ONE SQL query that selects
 * the failing rows — dbt semantics: the test fails when the query returns rows. The
 * runner counts them with `SELECT COUNT(*) FROM (<sql>) t`, may add a LIMIT, and stores
 * failures with `CREATE TABLE … AS SELECT * FROM (<sql>) t`.
 *
 * Every query is computed in the database (GROUP BY, LEFT JOIN, window functions, CTEs)
 * and costs a scan or an index lookup; no rows are pulled into Node. The SQL is accepted
 * by both MySQL 8.0+ and MariaDB 10.6+.
 */
export interface GenericTestContext {
  /**
   * An already-quoted relation, e.g. `db`.`orders`, or a derived table
   * `(SELECT * FROM `db`.`orders` WHERE <where>) AS ft_where` when a where config is
   * applied. Tests use it only as `FROM <model>` and never add an alias to it.
   */
  model: string;
  /** Raw (unquoted) column name when the test is declared on a column. */
  columnName?: string;
  /** The YAML arguments (config keys such as severity/where already removed or ignored). */
  args: Record<string, unknown>;
  /** Quotes an identifier for MySQL (backticks, doubled inside). */
  quote: (ident: string) => string;
  /** SQL literal for a string/number/bool/null. */
  literal: (v: unknown) => string;
  /** Turns "ref('x')" / "x" / "source('s','t')" into a quoted relation; throws if unknown. */
  resolveRelation: (ref: string) => string;
}

export interface GenericTestDefinition {
  name: string;
  requiresColumn: boolean;
  requiredArgs: string[];
  optionalArgs: string[];
  sql(ctx: GenericTestContext): string;
  /**
   * Checks argument values (types, enums) without producing SQL, so a bad argument is
   * reported when the project loads rather than when the test runs. Throws
   * TestArgumentError. `sql()` performs the same checks.
   */
  validate?(args: Record<string, unknown>, hasColumn: boolean): void;
  /**
   * dbt's `fail_calc` for tests whose package sets one (dbt_utils.equal_rowcount,
   * fewer_rows_than): the aggregate over the failing rows that dbt reports as the number
   * of failures. The query still returns rows only when the test fails, so counting rows
   * (the default `count(*)`) gives the same pass/fail verdict.
   */
  failCalc?: string;
  /**
   * Arguments naming a column that must be a date, datetime or timestamp (the anomaly tests'
   * timestamp_column): checked against the table when the test runs, since any other type
   * would put no row in any time bucket and the test could never fail.
   */
  temporalArgs?: string[];
  /** Names (without package prefix) that resolve to this definition, e.g. dbt_expectations' names. */
  aliases?: string[];
  /** One line for docs / `ft ls`. */
  description?: string;
  /**
   * How the test narrows to the rows an incremental run changed (test config `scope:
   * changed_rows`): `row` — each row is judged on its own, so the changed rows suffice;
   * a function — the key columns (SQL expressions) whose groups must be judged whole, so the
   * test reads every row sharing a key with a changed row. Absent: the test judges the table
   * as a whole (counts, proportions, ranges between rows) and always reads all of it.
   */
  changedRows?: 'row' | ((ctx: GenericTestContext) => string[]);
}

/** A test argument a user wrote is missing, unknown or of the wrong type. */
export class TestArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestArgumentError';
  }
}
