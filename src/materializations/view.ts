import { buildAndSwap, dropLeftovers } from './table.js';
import { checkContract, contractEnforced } from './contract.js';
import type { MaterializationContext, MaterializationResult } from './materialization-context.js';

/** ER_WRONG_OBJECT: CREATE OR REPLACE VIEW over a table ("'x' is not of type 'VIEW'"), same on MySQL and MariaDB. */
const NOT_A_VIEW = 1347;

/**
 * CREATE OR REPLACE VIEW; a table in the way is swapped out atomically instead.
 * The statement is tried first (no information_schema round trip before it): the server refuses
 * it, changing nothing, when the relation is a table. Then one lookup for the leftovers of an
 * interrupted swap (`__ft_tmp`, `__ft_old`), dropped if there are any.
 */
export async function materializeView(ctx: MaterializationContext): Promise<MaterializationResult> {
  // an enforced contract: the view's columns (names and types; a view holds no constraints) first
  if (contractEnforced(ctx.node)) await checkContract(ctx, ctx.sql);
  const stmt = ctx.adapter.ddl.createOrReplaceView(ctx.adapter.relation(ctx.node.schema, ctx.node.alias), ctx.sql);
  try {
    await ctx.session.execute(stmt);
  } catch (e) {
    if ((e as { errno?: number }).errno !== NOT_A_VIEW) {
      ctx.record(stmt);
      throw e;
    }
    // target/run shows what changed the database: the swap, not the refused statement
    await buildAndSwap(ctx, ctx.sql, 'view');
    return { message: 'created view', rowsAffected: null };
  }
  ctx.record(stmt);
  await dropLeftovers(ctx);
  return { message: 'created view', rowsAffected: null };
}
