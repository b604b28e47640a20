import { buildAndSwap, existingType } from './table.js';
import type { MaterializationContext, MaterializationResult } from './materialization-context.js';

/** CREATE OR REPLACE VIEW; a table in the way is swapped out atomically instead. */
export async function materializeView(ctx: MaterializationContext): Promise<MaterializationResult> {
  const existing = await existingType(ctx.session, ctx.node.schema, ctx.node.alias);
  if (existing === 'table') await buildAndSwap(ctx, ctx.sql, 'view');
  else await ctx.exec(ctx.adapter.ddl.createOrReplaceView(ctx.adapter.relation(ctx.node.schema, ctx.node.alias), ctx.sql));
  return { message: 'created view', rowsAffected: null };
}
