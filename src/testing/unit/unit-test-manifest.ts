import type { Node } from '../../project/types.js';
import type { FixtureSpec } from './unit-test-spec.js';

const fixture = (f: FixtureSpec): Record<string, unknown> => ({ format: f.format, rows: f.rows ?? null, fixture: f.fixture ?? null });

/** A unit test as dbt's manifest.json holds it, under `unit_tests`. */
export function unitTestManifestEntry(node: Node): Record<string, unknown> {
  const def = node.unit_test!;
  const { unit_test: _u, test_metadata: _t, column_name: _c, ...rest } = node;
  return {
    ...rest,
    resource_type: 'unit_test',
    model: def.model,
    given: def.given.map((g) => ({ input: g.text, ...fixture(g) })),
    expect: fixture(def.expect),
    overrides: def.overrides,
    versions: null,
    version: null,
  };
}
