import { invocationId, runStartedAt } from '../util/invocation-id.js';
import type { Node } from '../project/types.js';
import type { ReadScope } from './introspector.js';

/** What the template helpers see while one node renders (passed as Handlebars @data). */
export interface RenderState {
  node: Node;
  file: string;
  resolveRef(name: string): string;
  resolveSource(source: string, table: string): string;
  lookupVar(name: string): unknown;
  /** `{{watermark "model"}}`: the model's watermark before this invocation's incremental run of it, or NULL */
  watermark(model: string): string;
  isIncremental: boolean;
  /** what this render read of the database, and what it asked for that is not read yet (introspection-helpers.ts) */
  reads?: ReadScope;
}

/**
 * `{{target.…}}` as dbt's target: its name, schema (MySQL's database), type, profile_name, threads,
 * and the server's host, port and user. Never the password.
 */
export interface TargetView {
  name: string;
  schema: string;
  database: string;
  type: string;
  profile_name: string;
  threads: number;
  host: string;
  port: number;
  user: string;
}

export const TARGET_FIELDS: ReadonlyArray<keyof TargetView> = ['name', 'schema', 'database', 'type', 'profile_name', 'threads', 'host', 'port', 'user'];

/**
 * The root context of a template: `{{this}}` prints the node's relation, and
 * `{{this.schema}}`, `{{this.name}}`, `{{target.name}}` read its parts, as in dbt;
 * `{{run_started_at}}` and `{{invocation_id}}` are the invocation's.
 */
export class ThisRelation {
  readonly run_started_at = runStartedAt;
  readonly invocation_id = invocationId;

  constructor(
    readonly schema: string,
    readonly name: string,
    readonly relation: string,
    readonly target: TargetView,
  ) {}

  get identifier(): string {
    return this.name;
  }

  toString(): string {
    return this.relation;
  }
}
