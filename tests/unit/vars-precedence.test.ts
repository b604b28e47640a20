import { describe, expect, it } from 'vitest';
import { resolveVars } from '../../src/project/vars.js';
import type { ProjectConfig } from '../../src/project/types.js';

// dbt's precedence: --vars, then the root project's package-scoped block, then global vars —
// the block won only when it came after the global key in the file.
describe('project vars', () => {
  const config = (vars: Record<string, unknown>) => ({ name: 'shop', vars }) as unknown as ProjectConfig;

  it('a package-scoped var beats the global one wherever it is written; --vars beats both', () => {
    expect(resolveVars(config({ shop: { min_amount: 50 }, min_amount: 5 }), {})).toEqual({ min_amount: 50 });
    expect(resolveVars(config({ min_amount: 5, shop: { min_amount: 50 } }), {})).toEqual({ min_amount: 50 });
    expect(resolveVars(config({ shop: { min_amount: 50 }, min_amount: 5, other: 1 }), { min_amount: 7 })).toEqual({ min_amount: 7, other: 1 });
    // another package's block is not this project's
    expect(resolveVars(config({ dbt_utils: { x: 1 }, y: 2 }), {})).toEqual({ dbt_utils: { x: 1 }, y: 2 });
  });
});
