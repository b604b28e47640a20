/**
 * The typed project: what discovery and YAML produce, before any SQL runs.
 * Nodes use dbt's manifest field names so manifest.json is the same shape as the
 * in-memory graph and existing dbt tooling and habits carry over.
 */
import type { UnitTestDefinition } from '../testing/unit/unit-test-spec.js';

export type ResourceType = 'model' | 'seed' | 'source' | 'test' | 'exposure' | 'snapshot';

export interface IndexConfig {
  columns: string[];
  unique?: boolean;
  type?: string;
}

export interface NodeConfig {
  enabled: boolean;
  materialized: string;
  alias?: string;
  schema?: string;
  tags: string[];
  meta: Record<string, unknown>;
  unique_key?: string | string[];
  incremental_strategy?: 'append' | 'merge' | 'delete+insert';
  incremental_predicates?: string[];
  on_schema_change?: 'ignore' | 'fail' | 'append_new_columns' | 'sync_all_columns';
  indexes?: IndexConfig[];
  pre_hook: string[];
  post_hook: string[];
  persist_docs: { relation?: boolean; columns?: boolean };
  full_refresh?: boolean | null;
  column_types?: Record<string, string>;
  quote_columns?: boolean;
  delimiter?: string;
  severity?: 'error' | 'warn';
  warn_if?: string;
  error_if?: string;
  where?: string | null;
  limit?: number | null;
  store_failures?: boolean;
  /** tests: table, view or ephemeral (failure-storage.ts) */
  store_failures_as?: string;
  /** a column every incremental run raises on the rows it writes (see testing/changed-rows.ts) */
  watermark_column?: string;
  /** test: `changed_rows` reads only what this invocation's incremental run changed */
  scope?: 'all' | 'changed_rows';
  [key: string]: unknown;
}

/** A generic test as written in schema YAML, before it becomes a test node. */
export interface TestDeclaration {
  testName: string;
  namespace?: string;
  args: Record<string, unknown>;
  config: Record<string, unknown>;
  columnName?: string;
  /** the column's tags, which dbt gives every test of the column */
  columnTags?: string[];
  /** unique id of the model, seed or source table it is declared on */
  attachedTo: string;
  file: string;
  line: number;
}

export interface ColumnInfo {
  name: string;
  description: string;
  data_type?: string | null;
  meta: Record<string, unknown>;
  tags: string[];
  /** stream loader: the field must be present on every record */
  required?: boolean;
  /** models: column-level constraints as dbt's manifest has them (project/contract-config.ts) */
  constraints?: ColumnConstraint[];
  /** a time spine's column: the grain of its periods (dbt 1.9+) */
  granularity?: string;
}

/** A constraint as dbt writes it (column level: no `columns`; model level: `columns`). */
export interface ColumnConstraint {
  type: 'not_null' | 'unique' | 'primary_key' | 'foreign_key' | 'check' | 'custom';
  name: string | null;
  expression: string | null;
  warn_unenforced: boolean;
  warn_unsupported: boolean;
  /** foreign_key: the referenced relation (`schema`.`table`, resolved from ref/source) */
  to: string | null;
  to_columns: string[];
}

export interface ModelConstraint extends ColumnConstraint {
  columns: string[];
}

/** A model's contract (dbt: node.contract); checksum of the declared columns when enforced. */
export interface ContractInfo {
  enforced: boolean;
  alias_types: boolean;
  checksum: string | null;
}

export interface Node {
  unique_id: string;
  name: string;
  resource_type: ResourceType;
  package_name: string;
  /** path relative to its resource path (e.g. silver/events.sql) */
  path: string;
  /** path relative to the project root */
  original_file_path: string;
  fqn: string[];
  language?: 'sql';
  raw_code?: string;
  compiled_code?: string;
  config: NodeConfig;
  description: string;
  columns: Record<string, ColumnInfo>;
  tags: string[];
  meta: Record<string, unknown>;
  depends_on: { nodes: string[]; macros: string[] };
  refs: Array<{ name: string; package: string | null; version: null }>;
  sources: Array<[string, string]>;
  checksum: { name: 'sha256'; checksum: string };
  database: null;
  /** the MySQL database the relation lives in */
  schema: string;
  alias: string;
  relation_name: string | null;
  /** where its schema YAML entry is (file:line), if any */
  patch_path: string | null;
  /** tests */
  test_metadata?: { name: string; kwargs: Record<string, unknown>; namespace: string | null };
  column_name?: string | null;
  attached_node?: string | null;
  /** sources */
  source_name?: string;
  identifier?: string;
  loaded_at_field?: string | null;
  freshness?: FreshnessConfig | null;
  loader?: Record<string, unknown> | null;
  source_description?: string;
  /** exposures */
  type?: string;
  owner?: Record<string, unknown>;
  url?: string;
  maturity?: string;
  label?: string;
  /** declaration place of the node (file and line), for messages and annotations */
  declared_at?: { file: string; line: number };
  /** a unit test (`unit_tests:`): what it feeds its model and expects back (testing/unit/) */
  unit_test?: UnitTestDefinition;
  /** models: the contract and model-level constraints (project/contract-config.ts) */
  contract?: ContractInfo;
  constraints?: ModelConstraint[];
  /** models: `time_spine:` as dbt's manifest has it (one row per period, for the metrics; src/metrics/time-spines.ts) */
  time_spine?: { standard_granularity_column: string; custom_granularities: Array<{ name: string; column_name: string | null }> };
}

export interface FreshnessRule {
  count: number;
  period: 'minute' | 'hour' | 'day';
}

export interface FreshnessConfig {
  warn_after?: FreshnessRule | null;
  error_after?: FreshnessRule | null;
  filter?: string | null;
}

export interface ResolvedTarget {
  profileName: string;
  targetName: string;
  type: string;
  /** the first of `hosts` */
  host: string;
  port: number;
  /**
   * every server of the profile's `host:` in the order ft tries them (a Galera cluster's nodes, or
   * a primary and its stand-by); absent or one entry: `host`/`port` alone
   */
  hosts?: Array<{ host: string; port: number }>;
  user: string;
  password: string;
  database: string;
  threads: number;
  /** the profile's `sql_mode:` for every session; absent: ft's strict mode (adapters/mysql) */
  sqlMode?: string;
  /** where the profile came from, for messages */
  profilesFile: string;
}

export interface ProjectConfig {
  name: string;
  version: string;
  profile: string;
  modelPaths: string[];
  seedPaths: string[];
  testPaths: string[];
  macroPaths: string[];
  docsPaths: string[];
  /** folders of snapshot .sql files (and schema YAML) */
  snapshotPaths: string[];
  /** folders whose files ft does not build (analyses): each file is warned of */
  analysisPaths: string[];
  targetPath: string;
  /** what `ft clean` deletes (default: the target path) */
  cleanTargets: string[];
  vars: Record<string, unknown>;
  models: Record<string, unknown>;
  seeds: Record<string, unknown>;
  /** project-level snapshot config (`snapshots:` in project.yml, dbt's `+key` style) */
  snapshots: Record<string, unknown>;
  tests: Record<string, unknown>;
  onRunStart: string[];
  onRunEnd: string[];
  file: string;
}
