// Unit tests become test nodes (`unit_test.<project>.<model>.<name>`, as dbt names them), attached
// to their model: selecting the model selects them, and `ft build` runs them before it.
import { defaultConfig } from '../../project/config-keys.js';
import { sourceNode, type Project } from '../../project/project.js';
import type { Node } from '../../project/types.js';
import { LIBRARY_HELPER_NAMES } from '../../template/library/library-helpers.js';
import { FtError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import { didYouMean } from '../../util/suggest.js';
import { CONTEXT_OVERRIDES, type InputRef, type UnitTestSpec } from './unit-test-spec.js';

const describeInput = (i: InputRef): string => (i.kind === 'ref' ? `ref('${i.name}')` : i.kind === 'source' ? `source('${i.source}', '${i.table}')` : 'this');

/** The model's parents that a unit test must give: models and sources, seen through ephemeral models not given. */
function requiredInputs(project: Project, model: Node, given: Set<string>): { required: Node[]; reachable: Set<string> } {
  const required: Node[] = [];
  const reachable = new Set<string>();
  const visit = (n: Node): void => {
    for (const id of n.depends_on.nodes) {
      if (reachable.has(id)) continue;
      reachable.add(id);
      const dep = project.nodes.get(id);
      if (!dep) continue;
      if (dep.resource_type === 'model' && dep.config.materialized === 'ephemeral' && !given.has(id)) visit(dep);
      else if (dep.resource_type !== 'seed') required.push(dep);
    }
  };
  visit(model);
  return { required, reachable };
}

/** Adds a test node for each enabled unit test whose model is enabled. */
export function buildUnitTestNodes(project: Project, specs: UnitTestSpec[]): void {
  const p = project.config.name;
  for (const spec of specs) {
    const where = (line = spec.line) => [2, spec.file, line] as const;
    const modelId = `model.${p}.${spec.model}`;
    const model = project.nodes.get(modelId);
    if (!model) {
      // a disabled model takes its unit tests with it, as its data tests
      if (project.analyses.has(modelId)) continue;
      const models = [...project.nodes.values()].filter((n) => n.resource_type === 'model').map((n) => n.name);
      throw new FtError(`unit test ${spec.name}: model "${spec.model}" does not exist.${didYouMean(spec.model, models)} Fix model: to name a model of this project.`, ...where());
    }
    if (!spec.config.enabled) continue;
    const inputIds = spec.given.map((g) => {
      const i = g.input;
      const node =
        i.kind === 'this'
          ? model
          : i.kind === 'ref'
            ? project.nodes.get(`model.${p}.${i.name}`) ?? project.nodes.get(`seed.${p}.${i.name}`)
            : sourceNode(project, i.source, i.table);
      if (!node) {
        const pool = [...project.nodes.values()].filter((n) => (i.kind === 'ref' ? n.resource_type === 'model' || n.resource_type === 'seed' : n.resource_type === 'source')).map((n) => (n.resource_type === 'source' ? `${n.source_name}.${n.name}` : n.name));
        const name = i.kind === 'ref' ? i.name : i.kind === 'source' ? `${i.source}.${i.table}` : '';
        throw new FtError(`unit test ${spec.name}: input ${g.text} names no ${i.kind === 'ref' ? 'model or seed' : 'declared source table'}.${didYouMean(name, pool)} Fix the input.`, ...where(g.line));
      }
      return node.unique_id;
    });
    const given = new Set(inputIds);
    const { required, reachable } = requiredInputs(project, model, given);
    spec.given.forEach((g, k) => {
      const id = inputIds[k]!;
      if (g.input.kind !== 'this' && !reachable.has(id)) {
        throw new FtError(`unit test ${spec.name}: ${spec.model} does not read ${describeInput(g.input)}, so this input would be unused. Remove it, or give the inputs ${spec.model} reads.`, ...where(g.line));
      }
    });
    const missing = required.filter((n) => !given.has(n.unique_id));
    if (missing.length) {
      const names = missing.map((n) => (n.resource_type === 'source' ? `source('${n.source_name}', '${n.name}')` : `ref('${n.name}')`));
      throw new FtError(
        `unit test ${spec.name}: ${spec.model} reads ${names.join(', ')}, which the test does not give. Add a given for each (rows: [] for an empty input): a unit test never reads a real table.`,
        ...where(),
      );
    }
    const inc = spec.overrides.macros.is_incremental;
    if ((inc === true || inc === 'true') && !spec.given.some((g) => g.input.kind === 'this')) {
      throw new FtError(`unit test ${spec.name}: overrides.macros.is_incremental is true, so ${spec.model} reads {{this}}; add a given for it (- input: this, with the rows the table holds before the run; rows: [] for none).`, ...where());
    }
    for (const name of Object.keys(spec.overrides.macros)) {
      // dbt's docs override invocation_id and dbt_utils.star: context values and ft's library helpers count
      if (name === 'is_incremental' || project.partials.has(name) || project.helpers.has(name) || LIBRARY_HELPER_NAMES.includes(name) || (CONTEXT_OVERRIDES as readonly string[]).includes(name)) continue;
      const known = ['is_incremental', ...CONTEXT_OVERRIDES, ...project.partials.keys(), ...project.helpers.keys()];
      throw new FtError(`unit test ${spec.name}: overrides.macros names "${name}", which is no macro of this project.${didYouMean(name, known)} Override is_incremental, invocation_id, run_started_at, a macros/*.sql partial, a macros/*.js helper or a macro of ft's library (dbt_utils.star …).`, ...where());
    }
    const id = `unit_test.${p}.${spec.model}.${spec.name}`;
    const prev = project.nodes.get(id);
    if (prev) throw new FtError(`unit test ${spec.name} on ${spec.model} is declared twice (also at ${prev.declared_at?.file}:${prev.declared_at?.line}). Rename one.`, ...where());
    const config = { ...defaultConfig('test'), tags: spec.config.tags, meta: spec.config.meta };
    const { file: _f, line: _l, ...body } = spec;
    const node: Node = {
      unique_id: id,
      name: spec.name,
      resource_type: 'test',
      package_name: p,
      path: `${spec.model}/${spec.name}.sql`,
      original_file_path: spec.file,
      fqn: [...model.fqn, spec.name],
      config,
      description: spec.description,
      columns: {},
      tags: spec.config.tags,
      meta: spec.config.meta,
      depends_on: { nodes: [modelId], macros: [] },
      refs: [],
      sources: [],
      checksum: { name: 'sha256', checksum: sha256(JSON.stringify(body, (k, v: unknown) => (k === 'line' ? undefined : v))) },
      database: null,
      schema: project.target.database,
      alias: spec.name,
      relation_name: null,
      patch_path: `${spec.file}:${spec.line}`,
      attached_node: modelId,
      declared_at: { file: spec.file, line: spec.line },
      unit_test: { ...spec, model_id: modelId, input_ids: inputIds },
    };
    project.nodes.set(id, node);
  }
}
