// Runs one unit test: its inputs as fixture CTEs, the model's SQL over them, the result compared
// with the expected rows. One query on one session; no relation is created or read but the
// server's column list of each input that exists (for its types).
import { join, resolve } from 'node:path';
import type { Adapter } from '../../adapters/adapter.js';
import { writeSqlArtifactLater } from '../../artifacts/compiled-files.js';
import type { Project } from '../../project/project.js';
import type { Node } from '../../project/types.js';
import { FtError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import { compareRows, differences } from './compare-rows.js';
import { loadFixture, type Row } from './fixture-rows.js';
import { fixtureSelect, inputColumns } from './fixture-sql.js';
import { renderUnitTest } from './render-unit-test.js';
import { formatUnitDiff, unitDiff, type UnitDiff } from './unit-diff.js';

export interface UnitTestOutcome {
  status: 'pass' | 'fail';
  failures: number;
  message: string;
  compiledSql: string;
  runPath: string;
  /** a failed test's rows, expected against actual */
  diff?: UnitDiff;
}

/** target/run/<project>/<yaml file>/<test name>.sql, as for the schema file's data tests. */
function runPath(project: Project, test: Node): string {
  return join(resolve(project.root, project.config.targetPath), 'run', project.config.name, test.original_file_path, `${test.name}.sql`);
}

export async function executeUnitTest(test: Node, opts: { project: Project; adapter: Adapter; pendingWrites?: Array<Promise<string | null>> }): Promise<UnitTestOutcome> {
  const { project, adapter } = opts;
  const def = test.unit_test!;
  const file = def.file;
  const fixtures: string[] = [];
  for (const [i, g] of def.given.entries()) {
    const what = `unit test ${def.name}, input ${g.text}`;
    const loaded = loadFixture(project, g, what, file);
    if (loaded.kind === 'sql') {
      fixtures.push(loaded.sql);
      continue;
    }
    const node = project.nodes.get(def.input_ids[i]!)!;
    const columns = await inputColumns(node, loaded, adapter, what, file, g.line);
    // rows: [] of an input nothing describes (often one the tested branch does not read): no rows, no columns to speak of
    if (!columns.length) fixtures.push('SELECT NULL AS `__ft_no_columns` FROM DUAL WHERE 1 = 0');
    else fixtures.push(fixtureSelect(columns, loaded.rows, (v) => adapter.literal(v), { what, file, line: g.line }));
  }
  const sql = renderUnitTest(project, def, fixtures);
  test.compiled_code = sql;
  const expected = loadFixture(project, def.expect, `unit test ${def.name}, expect`, file);
  const path = runPath(project, test);
  const statements = [sql];
  const { actual, expectedRows } = await adapter.withSession(async (s) => {
    let actual: Row[];
    try {
      actual = await s.query<Row>(sql);
    } catch (e) {
      // an input knows only the columns of its table, its YAML or its rows: say where to add one
      const err = e as { errno?: number; sqlMessage?: string };
      if (err.errno !== 1054) throw e;
      throw new FtError(`unit test ${def.name}: ${def.model} over the given rows fails: ${err.sqlMessage}. An input has the columns of its table on the server, else of its YAML columns:, else only those its rows give; give the column in the rows of the input that has it.`, 2, file, def.line);
    }
    if (expected.kind === 'rows') return { actual, expectedRows: expected };
    statements.push(expected.sql);
    const rows = await s.query<Row>(expected.sql);
    return { actual, expectedRows: { columns: rows.length ? Object.keys(rows[0]!) : [], rows } };
  });
  writeSqlArtifactLater(path, `${statements.join(';\n\n')};\n`, opts.pendingWrites);
  const returned = actual.length ? Object.keys(actual[0]!) : [];
  if (actual.length) {
    const have = new Set(returned.map((c) => c.toLowerCase()));
    const unknown = expectedRows.columns.filter((c) => !have.has(c.toLowerCase()));
    if (unknown.length) {
      throw new FtError(`unit test ${def.name}: expect names column${unknown.length === 1 ? '' : 's'} ${unknown.map((c) => `"${c}"`).join(', ')}, which ${def.model} does not return.${didYouMean(unknown[0]!, returned)} It returns: ${returned.join(', ')}.`, 2, file, def.expect.line);
    }
  }
  // expect rows: [] names no column: any returned row is unexpected, shown with all its columns
  const comparison = compareRows(actual, expectedRows.rows, expectedRows.columns.length ? expectedRows.columns : returned);
  const failures = differences(comparison);
  if (!failures) return { status: 'pass', failures: 0, message: 'PASS', compiledSql: sql, runPath: path };
  const diff = unitDiff(comparison, actual.length, expectedRows.rows.length);
  return { status: 'fail', failures, message: formatUnitDiff(diff), compiledSql: sql, runPath: path, diff };
}
