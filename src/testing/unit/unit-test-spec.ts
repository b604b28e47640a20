/**
 * A unit test as schema YAML declares it (dbt 1.8's `unit_tests:`), checked for shape and kept
 * as plain JSON (the parse cache stores it): what a model's SQL is fed and what it must return.
 */

/** One set of rows: an input of the model (`given`) or what it must return (`expect`). */
export interface FixtureSpec {
  /** `dict`: rows is a list of mappings; `csv`: rows is CSV text or fixture a file; `sql`: rows is a SELECT or fixture a .sql file */
  format: 'dict' | 'csv' | 'sql';
  rows?: Array<Record<string, unknown>> | string;
  /** a file name (without extension) under <test path>/fixtures/ */
  fixture?: string;
  line: number;
}

/** What a `given` input names, as written: ref('x'), source('s', 't') or this. */
export type InputRef = { kind: 'ref'; name: string } | { kind: 'source'; source: string; table: string } | { kind: 'this' };

export interface GivenSpec extends FixtureSpec {
  input: InputRef;
  /** the input as written, for messages */
  text: string;
}

export interface UnitTestSpec {
  name: string;
  model: string;
  description: string;
  given: GivenSpec[];
  expect: FixtureSpec;
  overrides: { vars: Record<string, unknown>; env_vars: Record<string, string>; macros: Record<string, unknown> };
  config: { tags: string[]; enabled: boolean; meta: Record<string, unknown> };
  file: string;
  line: number;
}

/** A unit test attached to its test node: the spec with each input resolved to a node id (`this`: the model). */
export interface UnitTestDefinition extends UnitTestSpec {
  model_id: string;
  /** unique id of each given's node, in the order of `given` */
  input_ids: string[];
}

/** What a unit test's overrides.macros may set that is a value of the context, not a macro. */
export const CONTEXT_OVERRIDES = ['invocation_id', 'run_started_at'] as const;
