import { FtError } from '../util/errors.js';
import type { Node } from './types.js';

const ON_SCHEMA_CHANGE = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'];

/**
 * An incremental model's settings that dbt checks when it parses: on_schema_change must be one
 * of its values (a misspelt one silently meant ignore, dropping new columns), and a model under
 * an enforced contract must append its new columns or fail (with ignore, a declared column
 * never reached the table). Errors name the file and the fix.
 */
export function checkIncrementalConfig(node: Node): void {
  if (node.resource_type !== 'model' || node.config.materialized !== 'incremental') return;
  const where = node.declared_at?.file ?? node.original_file_path;
  const line = node.declared_at?.line;
  const mode = node.config.on_schema_change;
  if (mode !== undefined && !ON_SCHEMA_CHANGE.includes(String(mode))) {
    throw new FtError(`model ${node.name}: on_schema_change "${String(mode)}" is not one of ${ON_SCHEMA_CHANGE.join(', ')}. Fix the value (dbt would fall back to ignore, dropping new columns).`, 2, where, line);
  }
  if (node.contract?.enforced === true && !['append_new_columns', 'fail'].includes(String(mode ?? 'ignore'))) {
    throw new FtError(
      `model ${node.name} is incremental with an enforced contract, so on_schema_change must be append_new_columns or fail (it is ${String(mode ?? 'ignore (the default)')}), as dbt requires: otherwise a column the contract declares may never reach the table. Set on_schema_change.`,
      2,
      where,
      line,
    );
  }
  const predicates = node.config.incremental_predicates;
  if (predicates !== undefined && predicates !== null && (node.config.incremental_strategy ?? (node.config.unique_key ? 'merge' : 'append')) !== 'delete+insert') {
    throw new FtError(`model ${node.name}: incremental_predicates apply to incremental_strategy "delete+insert" in ft (a merge is INSERT … ON DUPLICATE KEY UPDATE, which has no condition to add them to). Use delete+insert, or drop the predicates.`, 2, where, line);
  }
}
