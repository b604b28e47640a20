import { STORE_FAILURES_AS } from './failure-storage.js';
import { FtError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { didYouMean } from '../util/suggest.js';
import { defaultConfig, mergeConfig } from '../project/config-keys.js';
import { FolderConfig } from '../project/folder-config.js';
import { sourceNode, type Project } from '../project/project.js';
import type { Node, TestDeclaration } from '../project/types.js';
import { lookupTest, validateTestArgs } from './generic/registry.js';
import { TestArgumentError } from './generic/types.js';
import { genericTestNames } from './test-naming.js';
import { parseTemplate } from '../template/template-analysis.js';

/** A test argument that is a whole `ref('x')` or `source('s', 't')` call. */
export const REF = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/;
export const SOURCE = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/;

/** A user-written generic test: a partial named `test_<name>` (macros/test_<name>.sql). */
export function customTestPartial(project: Project, testName: string): string | undefined {
  return project.partials.has(`test_${testName}`) ? `test_${testName}` : undefined;
}

/**
 * Whether ft checks, before the query, that a column test's column exists: for its built-in
 * tests, whose SQL names it. A project's own generic test may be about the column's presence
 * (dbt-expectations' expect_column_to_exist): it runs, and its query says.
 */
export const checksColumnFirst = (project: Project, test: Node): boolean => !(test.test_metadata && customTestPartial(project, test.test_metadata.name));

/** What a custom generic test's partial reads: every name, and those printed bare (`{{min_value}}`) outside any guard. */
interface PartialArgs {
  referenced: Set<string>;
  required: Set<string>;
}

/** Names a custom test's context provides itself (compileTest) or the root context has (ThisRelation). */
const PROVIDED = new Set(['model', 'column_name', 'column_name_raw', 'this', 'schema', 'name', 'relation', 'identifier', 'target']);

/** Reads the partial (and the partials it includes) for the argument names it uses. */
function partialArgs(project: Project, partial: string): PartialArgs {
  const out: PartialArgs = { referenced: new Set(), required: new Set() };
  const guarded = new Set<string>();
  const seen = new Set<string>();
  const head = (p: hbs.AST.PathExpression): string | undefined => (p.data || p.parts.length === 0 ? undefined : p.parts[0]);
  const isHelper = (name: string): boolean => project.helpers.has(name) || Boolean((project.env as unknown as { helpers: Record<string, unknown> }).helpers[name]);
  const expr = (n: hbs.AST.Expression | undefined, guard: boolean): void => {
    if (!n) return;
    if (n.type === 'PathExpression') {
      const h = head(n as hbs.AST.PathExpression);
      if (h) {
        out.referenced.add(h);
        if (guard) guarded.add(h);
      }
    } else if (n.type === 'SubExpression') {
      const sub = n as hbs.AST.SubExpression;
      for (const p of sub.params) expr(p, guard);
      for (const pair of sub.hash?.pairs ?? []) expr(pair.value, guard);
    }
  };
  const visit = (n: hbs.AST.Node | null | undefined): void => {
    if (!n) return;
    switch (n.type) {
      case 'Program':
        for (const st of (n as hbs.AST.Program).body) visit(st);
        break;
      case 'MustacheStatement': {
        const m = n as hbs.AST.MustacheStatement;
        const hasArgs = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
        if (m.path.type === 'PathExpression' && !hasArgs) {
          const h = head(m.path as hbs.AST.PathExpression);
          if (h && !isHelper(h)) {
            out.referenced.add(h);
            out.required.add(h);
          }
        }
        // helper arguments (`{{default min_value 0}}`) may be left out
        for (const p of m.params) expr(p, true);
        for (const pair of m.hash?.pairs ?? []) expr(pair.value, true);
        break;
      }
      case 'BlockStatement': {
        const b = n as hbs.AST.BlockStatement;
        for (const p of b.params) expr(p, true);
        for (const pair of b.hash?.pairs ?? []) expr(pair.value, true);
        visit(b.program);
        visit(b.inverse);
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const p = n as hbs.AST.PartialStatement;
        for (const pair of p.hash?.pairs ?? []) expr(pair.value, true);
        const name = p.name.type === 'PathExpression' ? (p.name as hbs.AST.PathExpression).original : (p.name as hbs.AST.Node).type === 'StringLiteral' ? (p.name as unknown as hbs.AST.StringLiteral).value : undefined;
        if (name && !seen.has(name) && project.partials.has(name)) {
          seen.add(name);
          visit(parseTemplate(project.partials.get(name)!, `${project.config.macroPaths[0] ?? 'macros'}/${name}.sql`));
        }
        if (n.type === 'PartialBlockStatement') visit((n as hbs.AST.PartialBlockStatement).program);
        break;
      }
      default:
        break;
    }
  };
  seen.add(partial);
  visit(parseTemplate(project.partials.get(partial)!, `${project.config.macroPaths[0] ?? 'macros'}/${partial}.sql`));
  for (const g of guarded) out.required.delete(g);
  for (const p of PROVIDED) out.required.delete(p);
  return out;
}

/** A custom generic test's arguments against what its partial reads: an unknown or missing one is a YAML error. */
function checkCustomArgs(project: Project, partial: string, decl: TestDeclaration, where: string): void {
  const { referenced, required } = partialArgs(project, partial);
  const file = project.partialFiles?.get(partial) ?? `${project.config.macroPaths[0] ?? 'macros'}/${partial}.sql`;
  const uses = [...referenced].filter((n) => !PROVIDED.has(n) && !project.helpers.has(n));
  for (const key of Object.keys(decl.args)) {
    if (referenced.has(key)) continue;
    throw new FtError(
      `test ${decl.testName} on ${where}: ${file} does not use an argument "${key}".${didYouMean(key, uses)} ${uses.length ? `It reads: ${uses.join(', ')}.` : 'It takes no arguments.'} Remove or rename it.`,
      2,
      decl.file,
      decl.line,
    );
  }
  for (const name of required) {
    if (decl.args[name] === undefined && decl.config[name] === undefined) {
      throw new FtError(`test ${decl.testName} on ${where}: missing argument "${name}" (${file} prints {{${name}}}). Add \`${name}: …\` under the test.`, 2, decl.file, decl.line);
    }
  }
}

/**
 * Node ids a test argument points at (`ref('x')`, `source('s','t')`, or a bare model name for
 * `to:`), or the disabled node one of them names.
 */
export function argumentDependencies(project: Project, decl: TestDeclaration): string[] | { disabled: Node } {
  const out: string[] = [];
  let off: Node | undefined;
  const visit = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      const r = REF.exec(v);
      const s = SOURCE.exec(v);
      const bareModelArg = ['to', 'compare_model'].includes(key) && /^[A-Za-z0-9_]+$/.test(v);
      const name = r?.[1] ?? (bareModelArg ? v : undefined);
      if (name) {
        const n = project.nodes.get(`model.${project.config.name}.${name}`) ?? project.nodes.get(`seed.${project.config.name}.${name}`);
        if (!n && project.disabled?.has(name)) {
          off ??= project.disabled.get(name);
          return;
        }
        if (!n) {
          const pool = [...project.nodes.values()].filter((x) => x.resource_type === 'model' || x.resource_type === 'seed').map((x) => x.name);
          throw new FtError(`test ${decl.testName}: argument ${key} refers to "${name}", which is no model or seed.${didYouMean(name, pool)}`, 2, decl.file, decl.line);
        }
        out.push(n.unique_id);
      } else if (s) {
        const n = sourceNode(project, s[1]!, s[2]!);
        if (!n) throw new FtError(`test ${decl.testName}: argument ${key} refers to source ${s[1]}.${s[2]}, which is not declared.`, 2, decl.file, decl.line);
        out.push(n.unique_id);
      }
    } else if (Array.isArray(v)) v.forEach((x) => visit(x, key));
  };
  for (const [k, v] of Object.entries(decl.args)) visit(v, k);
  return off ? { disabled: off } : out;
}

/** Turns every schema-YAML test declaration into a test node with dbt's name and id. */
export function buildTestNodes(project: Project, warn: (message: string) => void = () => undefined): void {
  const folders = new FolderConfig(project.config.tests, 'tests');
  for (const decl of project.testDeclarations) {
    const attached = project.nodes.get(decl.attachedTo);
    if (!attached) continue; // its model is disabled
    const custom = customTestPartial(project, decl.testName);
    const builtin = custom ? undefined : lookupTest(decl.namespace ? `${decl.namespace}.${decl.testName}` : decl.testName);
    if (!custom && !builtin) {
      const known = [...listKnownTests(project)];
      throw new FtError(`unknown test "${decl.testName}".${didYouMean(decl.testName, known)} Use a built-in test or write macros/test_${decl.testName}.sql.`, 2, decl.file, decl.line);
    }
    if (custom) checkCustomArgs(project, custom, decl, `${attached.name}${decl.columnName ? `.${decl.columnName}` : ''}`);
    if (builtin) {
      try {
        validateTestArgs(builtin, decl.args, decl.columnName !== undefined);
      } catch (e) {
        if (e instanceof TestArgumentError) throw new FtError(`test ${decl.testName} on ${attached.name}${decl.columnName ? `.${decl.columnName}` : ''}: ${e.message}`, 2, decl.file, decl.line);
        throw e;
      }
    }
    const isSource = attached.resource_type === 'source';
    const generated = genericTestNames({
      testName: decl.testName,
      namespace: decl.namespace ?? null,
      modelName: isSource ? `${attached.source_name}_${attached.name}` : attached.name,
      columnName: decl.columnName ?? null,
      args: decl.args,
      isSource,
    });
    const name = typeof decl.config.name === 'string' ? decl.config.name : generated.name;
    // dbt's alias: the short name, within MySQL's 64-character identifier limit (failure tables use it)
    const named = typeof decl.config.name === 'string' ? decl.config.name.slice(0, 64) : generated.alias;
    const fqn = [project.config.name, ...attached.fqn.slice(1, -1), name];
    let config = defaultConfig('test');
    for (const layer of folders.layersFor(fqn)) config = mergeConfig(config, layer);
    const { name: _n, ...cfg } = decl.config;
    config = mergeConfig(config, cfg);
    if (config.enabled === false) continue;
    if (config.store_failures_as !== undefined && !(STORE_FAILURES_AS as readonly unknown[]).includes(config.store_failures_as)) {
      throw new FtError(`test ${name}: store_failures_as must be ${STORE_FAILURES_AS.join(', ')}, not ${JSON.stringify(config.store_failures_as)}.`, 2, decl.file, decl.line);
    }
    if (config.database !== undefined) warn(`${decl.file}:${decl.line}: test ${name}: "database" ignored: MySQL has no database above the schema; use schema: for where failing rows are stored.`);
    // dbt gives each test of a column the column's tags
    if (decl.columnTags?.length) config = { ...config, tags: [...new Set([...(config.tags ?? []), ...decl.columnTags])] };
    const reads = argumentDependencies(project, decl);
    if (!Array.isArray(reads)) {
      // as dbt: a test of an enabled node that reads a disabled one is disabled, with a warning
      warn(`${decl.file}:${decl.line}: test ${name} is disabled: it reads ${reads.disabled.resource_type} ${reads.disabled.name} (${reads.disabled.original_file_path}), whose config has enabled: false.`);
      continue;
    }
    const deps = [attached.unique_id, ...reads];
    const kwargs: Record<string, unknown> = { ...decl.args };
    if (decl.columnName !== undefined) kwargs.column_name = decl.columnName;
    const node: Node = {
      unique_id: `test.${project.config.name}.${name}.${sha256(`${decl.attachedTo}|${name}|${JSON.stringify(kwargs)}`).slice(0, 10)}`,
      name,
      resource_type: 'test',
      package_name: project.config.name,
      path: `${name}.sql`,
      original_file_path: decl.file,
      fqn,
      language: 'sql',
      config,
      description: '',
      columns: {},
      tags: config.tags,
      meta: config.meta,
      depends_on: { nodes: [...new Set(deps)], macros: custom ? [`macro.${project.config.name}.${custom}`] : [] },
      refs: [],
      sources: [],
      checksum: { name: 'sha256', checksum: sha256(JSON.stringify([decl.testName, decl.namespace, kwargs, decl.config])) },
      database: null,
      schema: project.target.database,
      // the failures table's name: the alias config, else the test's short name
      alias: typeof config.alias === 'string' && config.alias ? config.alias.slice(0, 64) : named,
      relation_name: null,
      patch_path: `${decl.file}:${decl.line}`,
      test_metadata: { name: decl.testName, kwargs, namespace: decl.namespace ?? null },
      column_name: decl.columnName ?? null,
      attached_node: attached.unique_id,
      declared_at: { file: decl.file, line: decl.line },
    };
    if (project.nodes.has(node.unique_id)) {
      throw new FtError(`the test ${name} is declared twice on ${attached.name}. Remove the duplicate or give one a distinct \`name:\`.`, 2, decl.file, decl.line);
    }
    project.nodes.set(node.unique_id, node);
  }
}

function* listKnownTests(project: Project): Iterable<string> {
  for (const p of project.partials.keys()) if (p.startsWith('test_')) yield p.slice(5);
  yield* ['not_null', 'unique', 'accepted_values', 'relationships'];
}
