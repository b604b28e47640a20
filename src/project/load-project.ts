import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type Handlebars from 'handlebars';
import { createHandlebarsEnv } from '../template/handlebars-lib.js';
import { createEnvironment, CORE_HELPERS } from '../template/environment.js';
import { analyseTemplate, parseTemplate, type TemplateAnalysis } from '../template/template-analysis.js';
import { jinjaHint } from '../template/jinja-hint.js';
import { checkPartialHelpers, checkTemplateNames } from '../template/helper-messages.js';
import { readEnv } from '../util/env-reads.js';
import { FtError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { didYouMean } from '../util/suggest.js';
import { KNOWN_CONFIG_KEYS, defaultConfig, mergeConfig, normaliseKey } from './config-keys.js';
import { discover, type Listings } from './discovery.js';
import { FolderConfig } from './folder-config.js';
import { readDocBlocks, renderDescription } from './doc-blocks.js';
import { FilePrefetch, type PrefetchedFile } from './file-prefetch.js';
import { ParseCache, type KnownStamps } from './parse-cache.js';
import { loadProjectMacros } from './package-macros.js';
import { resolveVars } from './vars.js';
import { loadProjectConfig, projectKeyLine } from './project-config.js';
import { warnIgnoredFiles } from './ignored-files.js';
import { snapshotSettings } from './snapshot-config.js';
import { snapshotNodes } from './snapshot-definitions.js';
import { unsupportedConfig } from './not-supported.js';
import type { Project } from './project.js';
import { loadTarget, type ProfileOptions } from './profiles.js';
import { readSchemaFile, type ColumnPatch, type NodePatch, type RawTest } from './schema-files.js';
import { quoteIdent, relationName } from './relation-names.js';
import type { ColumnInfo, Node, NodeConfig, ResolvedTarget, TestDeclaration } from './types.js';
import { parseYaml } from './yaml-file.js';
import { buildTestNodes } from '../testing/test-nodes.js';
import { linkSemanticLayer } from '../metrics/semantic-layer.js';
import { linkDashboards } from '../dashboards/link-dashboards.js';
import type { DashboardDecl } from '../dashboards/types.js';
import type { SemanticDeclarations } from '../metrics/types.js';
import { buildUnitTestNodes } from '../testing/unit/unit-test-nodes.js';
import type { UnitTestSpec } from '../testing/unit/unit-test-spec.js';
import { applyContract, resolveConstraintRefs } from './contract-config.js';
import { checkIncrementalConfig } from './incremental-config.js';
import { resolveConfigExprs } from '../template/config-expr.js';
import { renderConfigTemplates, renderYamlTemplates } from './yaml-templates.js';
import { generateAliasName, generateSchemaName } from './generate-names.js';
import { installedPackages, PACKAGES_DIR } from './packages.js';

/** Below this many template files to read, reading them here is cheaper than starting a thread. */
const PREFETCH_THRESHOLD = 256;

export interface LoadOptions extends ProfileOptions {
  projectDir: string;
  /** --vars, already parsed */
  vars?: Record<string, unknown>;
  /** use and refresh target/partial_parse.json */
  partialParse?: boolean;
  warn?: (msg: string) => void;
  /** file stamps the caller has just taken (not taken again) */
  stamps?: KnownStamps;
}

export async function loadProject(opts: LoadOptions): Promise<Project> {
  const root = resolve(opts.projectDir);
  const warnings: string[] = [];
  const warn = (msg: string): void => {
    warnings.push(msg);
    opts.warn?.(msg);
  };
  const config = loadProjectConfig(root, warn);
  const target = loadTarget(root, config.profile, opts);
  const vars = resolveVars(config, opts.vars ?? {});
  // folder-level config may be computed from vars, env_var and target, as in dbt_project.yml
  for (const level of [config.models, config.seeds, config.snapshots, config.tests]) renderConfigTemplates(level, { vars, target }, config.file);

  // every folder is listed once for the whole load (and not again if the caller listed it)
  const listings: Listings = opts.stamps?.listings ?? new Map();
  // with the macros of the packages ft deps installed
  const { partials, helpers, macroTexts, helpersReadEnv, partialFiles } = await loadProjectMacros(root, config, listings);
  const env = createEnvironment(partials, helpers);
  // target.type: the library of dbt macros renders some SQL for type mariadb only
  const globalKey = sha256(JSON.stringify([vars, target.database, target.targetName, target.type, macroTexts, readEnv('FT_CACHE_SALT') ?? '']));
  const cache = new ParseCache(resolve(root, config.targetPath), globalKey, opts.partialParse !== false, opts.stamps);

  const docs = readDocBlocks(root, [...config.modelPaths, ...config.docsPaths], listings);
  const nodes = new Map<string, Node>();
  const analyses = new Map<string, TemplateAnalysis>();
  const modelFolders = new FolderConfig(config.models, 'models');
  const seedFolders = new FolderConfig(config.seeds, 'seeds');
  const testFolders = new FolderConfig(config.tests, 'tests');
  const snapshotFolders = new FolderConfig(config.snapshots, 'snapshots');
  const known = new Set([...CORE_HELPERS, ...helpers.keys()]);

  type Templated = { raw: string; analysis: TemplateAnalysis; checksum: string };
  const templated = (file: { abs: string; rel: string }, pre?: PrefetchedFile): Templated => {
    const { text: raw, checksum } = cache.read(file.abs, file.rel, true, pre);
    let analysis = cache.get(file.rel, checksum);
    if (!analysis) {
      analysis = analyseTemplate(parseTemplate(raw, file.rel), file.rel);
      cache.set(file.rel, checksum, analysis);
    }
    checkTemplateNames(analysis, file.rel, known, partials);
    // a `{% … %}` statement is plain text to Handlebars: it would reach MySQL as it stands
    const jinja = raw.includes('{%') ? jinjaHint(raw) : undefined;
    if (jinja) warn(`${file.rel}:${jinja.line}: ${jinja.hint}. As written it is sent to the server as text.`);
    for (const p of analysis.partials) {
      if (!partials.has(p.value)) {
        throw new FtError(`unknown partial "${p.value}" ({{> ${p.value}}}).${didYouMean(p.value, partials.keys())} Create macros/${p.value}.sql or fix the name.`, 2, file.rel, p.line);
      }
    }
    return { raw, analysis, checksum };
  };

  const baseNode = (type: Node['resource_type'], name: string, path: string, rel: string, fqn: string[]): Node => ({
    unique_id: `${type}.${config.name}.${name}`,
    name,
    resource_type: type,
    package_name: config.name,
    path,
    original_file_path: rel,
    fqn,
    config: defaultConfig(type),
    description: '',
    columns: {},
    tags: [],
    meta: {},
    depends_on: { nodes: [], macros: [] },
    refs: [],
    sources: [],
    checksum: { name: 'sha256', checksum: '' },
    database: null,
    schema: target.database,
    alias: name,
    relation_name: null,
    patch_path: null,
  });

  const addUnique = (node: Node): void => {
    const prev = nodes.get(node.unique_id);
    if (prev) {
      throw new FtError(
        `two ${node.resource_type}s are named "${node.name}": ${prev.original_file_path} and ${node.original_file_path}. Names must be unique across the project; rename one (ref() finds nodes by name).`,
        2,
        node.original_file_path,
      );
    }
    nodes.set(node.unique_id, node);
  };

  // Templates (models and singular tests): many unread ones are read on a worker meanwhile.
  const modelFiles = discover(root, config.modelPaths, ['.sql'], listings);
  // tests/fixtures/ holds unit tests' rows (CSV or SQL files), not singular tests, as in dbt
  const singularFiles = discover(root, config.testPaths, ['.sql'], listings).filter((f) => !f.inResource.startsWith('fixtures/'));
  const unread = [...modelFiles, ...singularFiles].filter((f) => cache.needsRead(f.abs, f.rel));
  const prefetch = unread.length >= PREFETCH_THRESHOLD ? new FilePrefetch(unread.map((f) => f.abs)) : undefined;
  const early = new Map<string, Templated>();
  // Schema YAML, read while the worker reads the templates (patches are applied after the models).
  // with the schema YAML of installed packages' models (ft deps)
  const packageModelDirs = installedPackages(root).map((p) => `${p.dir}/models`);
  const yamlFiles = discover(root, [...new Set([...config.modelPaths, ...config.seedPaths, ...config.snapshotPaths, ...packageModelDirs])], ['.yml', '.yaml'], listings);
  const patches: NodePatch[] = [];
  const sourcePatches: Array<ReturnType<typeof readSchemaFile>['sources'][number]> = [];
  const exposurePatches: Array<ReturnType<typeof readSchemaFile>['exposures'][number]> = [];
  const semanticDecls: SemanticDeclarations[] = [];
  const dashboardDecls: DashboardDecl[] = [];
  const unitTestSpecs: UnitTestSpec[] = [];
  try {
    for (const f of yamlFiles) {
      const { text, checksum: sum } = cache.read(f.abs, f.rel);
      let schema = cache.getSchema(f.rel, sum);
      // a cached read from before unit tests were read lacks them: read the file again
      if (!schema || !schema.unitTests || schema.semantic === undefined || schema.dashboards === undefined) {
        const doc = parseYaml(text, f.rel);
        // var, env_var and target in YAML values, rendered as dbt does (what reads the environment is not cached)
        const readsEnv = renderYamlTemplates(doc, text, f.rel, { vars, target });
        schema = readSchemaFile(doc, f.rel, text);
        if (!readsEnv) cache.setSchema(f.rel, sum, schema);
      }
      for (const w of schema.warnings) warn(w);
      patches.push(...schema.models);
      sourcePatches.push(...schema.sources);
      exposurePatches.push(...schema.exposures);
      if (schema.semantic) semanticDecls.push(schema.semantic);
      dashboardDecls.push(...(schema.dashboards ?? []));
      unitTestSpecs.push(...schema.unitTests);
    }
    // Templates are parsed as the worker hands them over (in the order asked), while it reads on.
    if (prefetch) {
      const byAbs = new Map(unread.map((f) => [f.abs, f]));
      for await (const batch of prefetch.batches()) for (const [abs, pre] of batch) early.set(abs, templated(byAbs.get(abs)!, pre));
    }
  } finally {
    prefetch?.cancel();
  }

  // Models: the project's, then those of the packages ft deps installed (their package's name in
  // their unique id and fqn)
  const addModel = (f: (typeof modelFiles)[number], pkg: string, t: Templated): void => {
    const path = f.inResource.replace(/\.sql$/, '').split('/');
    const node = baseNode('model', path[path.length - 1]!, f.inResource, f.rel, [pkg, ...path]);
    if (pkg !== config.name) {
      node.unique_id = `model.${pkg}.${node.name}`;
      node.package_name = pkg;
    }
    node.raw_code = t.raw;
    node.language = 'sql';
    node.checksum.checksum = t.checksum;
    node.declared_at = { file: f.rel, line: 1 };
    analyses.set(node.unique_id, t.analysis);
    addUnique(node);
  };
  for (const f of modelFiles) addModel(f, config.name, early.get(f.abs) ?? templated(f));
  for (const pkg of installedPackages(root)) {
    for (const f of discover(root, [`${pkg.dir}/models`], ['.sql'], listings)) addModel(f, pkg.name, templated(f));
  }
  // Seeds.
  for (const f of discover(root, config.seedPaths, ['.csv'], listings)) {
    const name = f.inResource.replace(/\.csv$/, '').split('/').pop()!;
    const node = baseNode('seed', name, f.inResource, f.rel, [config.name, ...f.inResource.replace(/\.csv$/, '').split('/')]);
    node.checksum.checksum = cache.read(f.abs, f.rel, false).checksum;
    node.declared_at = { file: f.rel, line: 1 };
    addUnique(node);
  }
  // Singular tests.
  for (const f of singularFiles) {
    const name = f.inResource.replace(/\.sql$/, '').split('/').pop()!;
    const node = baseNode('test', name, f.inResource, f.rel, [config.name, ...f.inResource.replace(/\.sql$/, '').split('/')]);
    const t = early.get(f.abs) ?? templated(f);
    node.raw_code = t.raw;
    node.language = 'sql';
    node.checksum.checksum = t.checksum;
    node.declared_at = { file: f.rel, line: 1 };
    analyses.set(node.unique_id, t.analysis);
    addUnique(node);
  }
  // Snapshots: snapshot-paths .sql files and schema YAML `snapshots:` entries with a relation.
  for (const s of snapshotNodes({ root, config, listings, patches, baseNode, templated })) {
    analyses.set(s.node.unique_id, s.analysis);
    addUnique(s.node);
  }

  // Schema YAML: patches for models/seeds, sources and exposures (read above).
  const testDeclarations: TestDeclaration[] = [];
  const byName = (kind: 'models' | 'seeds' | 'snapshots', name: string): Node | undefined =>
    nodes.get(`${kind === 'models' ? 'model' : kind === 'seeds' ? 'seed' : 'snapshot'}.${config.name}.${name}`);
  const describe = (text: string, file: string, line: number): string => renderDescription(text, docs, file, line);
  const columnsOf = (cols: ColumnPatch[], file: string): Record<string, ColumnInfo> => {
    const out: Record<string, ColumnInfo> = {};
    for (const c of cols) {
      out[c.name] = {
        name: c.name,
        description: describe(c.description, file, c.line),
        data_type: c.data_type ?? null,
        meta: c.meta,
        tags: c.tags,
        ...(c.required !== undefined ? { required: c.required } : {}),
        ...(c.granularity ? { granularity: c.granularity } : {}),
      };
    }
    return out;
  };
  const declareTests = (raw: RawTest[], attachedTo: string, file: string, column?: { name: string; tags: string[] }): void => {
    for (const t of raw) testDeclarations.push({ ...parseTestSpec(t, attachedTo, file, column?.name), ...(column?.tags.length ? { columnTags: column.tags } : {}) });
  };
  const yamlConfig = new Map<string, Record<string, unknown>>();
  const patchOf = new Map<string, NodePatch>();
  for (const p of patches) {
    // a package's YAML describes its own models first (dbt_packages/<package>/…)
    const pkg = p.file.startsWith(`${PACKAGES_DIR}/`) ? p.file.split('/')[1] : undefined;
    const node = (pkg && p.kind === 'models' ? nodes.get(`model.${pkg}.${p.name}`) : undefined) ?? byName(p.kind, p.name);
    if (!node) {
      // the name is a node of another kind (a seed described under models:, say): say where it goes
      const other = (['models', 'seeds', 'snapshots'] as const).filter((k) => k !== p.kind).find((k) => byName(k, p.name));
      if (other) {
        const kind = other === 'models' ? 'model' : other === 'seeds' ? 'seed' : 'snapshot';
        throw new FtError(`"${p.name}" is a ${kind}, described here under ${p.kind}:. Move this entry (and its tests) under ${other}:.`, 2, p.file, p.line);
      }
      const pool = [...nodes.values()].filter((n) => n.resource_type === (p.kind === 'models' ? 'model' : 'seed')).map((n) => n.name);
      throw new FtError(
        `${p.kind === 'models' ? 'model' : 'seed'} "${p.name}" is described here but no ${p.kind === 'models' ? `${p.name}.sql exists under ${config.modelPaths.join(', ')}` : `${p.name}.csv exists under ${config.seedPaths.join(', ')}`}.${didYouMean(p.name, pool)} Fix the name or remove the entry.`,
        2,
        p.file,
        p.line,
      );
    }
    if (node.patch_path) {
      throw new FtError(`${node.name} is described twice: in ${node.patch_path} and here. Keep one entry.`, 2, p.file, p.line);
    }
    node.patch_path = `${p.file}:${p.line}`;
    node.declared_at = { file: p.file, line: p.line };
    node.description = describe(p.description, p.file, p.line);
    node.columns = columnsOf(p.columns, p.file);
    node.meta = p.meta;
    if (p.time_spine) node.time_spine = p.time_spine;
    yamlConfig.set(node.unique_id, p.config);
    patchOf.set(node.unique_id, p);
    declareTests(p.tests, node.unique_id, p.file);
    for (const c of p.columns) declareTests(c.tests, node.unique_id, p.file, c);
  }

  // Config: defaults < project.yml folders < schema YAML < inline {{config}}.
  for (const node of nodes.values()) {
    const folders = node.resource_type === 'model' ? modelFolders : node.resource_type === 'seed' ? seedFolders : node.resource_type === 'snapshot' ? snapshotFolders : testFolders;
    let cfg: NodeConfig = node.config;
    for (const layer of folders.layersFor(node.fqn.slice(1).length ? node.fqn : node.fqn)) cfg = mergeConfig(cfg, layer);
    const y = yamlConfig.get(node.unique_id);
    if (y) cfg = mergeConfig(cfg, y);
    const analysis = analyses.get(node.unique_id);
    if (analysis && Object.keys(analysis.config).length) {
      const inline = resolveConfigExprs(analysis.config, { vars, target, file: node.original_file_path });
      checkConfigKeys(inline, node.original_file_path, 1, warn);
      cfg = mergeConfig(cfg, inline);
    }
    // as dbt: a YAML entry's meta and config meta are one (config's keys win), in config.meta and meta alike
    if (node.meta && Object.keys(node.meta).length) cfg = { ...cfg, meta: { ...node.meta, ...(cfg.meta ?? {}) } };
    node.config = cfg;
    node.tags = cfg.tags;
    if (cfg.meta && Object.keys(cfg.meta).length) node.meta = cfg.meta;
  }
  // the project's own level of snapshots: is known before any snapshot is written
  snapshotFolders.layersFor([config.name]);
  for (const w of [...modelFolders.unusedKeys(), ...seedFolders.unusedKeys(), ...snapshotFolders.unusedKeys()]) {
    const line = projectKeyLine(config, w.level, w.key);
    warn(`${config.file}${line ? `:${line}` : ''}: ${w.text}`);
  }
  // packages.yml, snapshots/, analyses/: what ft does not read is said
  warnIgnoredFiles(root, config, listings, warn);
  // Disabled nodes leave the project (tests on them are dropped with them).
  const disabled = new Map<string, Node>();
  for (const [id, node] of nodes) {
    if (node.config.enabled !== false) continue;
    nodes.delete(id);
    if (node.resource_type === 'model' || node.resource_type === 'seed' || node.resource_type === 'snapshot') disabled.set(node.name, node);
  }
  // a snapshot's strategy, keys and hard-delete mode are checked before anything runs
  for (const node of nodes.values()) if (node.resource_type === 'snapshot') snapshotSettings(node);
  // contracts and constraints, now that each node's config is final
  for (const node of nodes.values()) applyContract(node, patchOf.get(node.unique_id), warn);
  for (const node of nodes.values()) checkIncrementalConfig(node);

  // Relations: two nodes building one relation would overwrite each other's table.
  const builtBy = new Map<string, Node>();
  for (const node of nodes.values()) {
    if (node.resource_type !== 'model' && node.resource_type !== 'seed' && node.resource_type !== 'snapshot') continue;
    // a snapshot's legacy target_schema names the database as it is (dbt < 1.9)
    const legacySchema = node.resource_type === 'snapshot' && typeof node.config.target_schema === 'string' ? node.config.target_schema : undefined;
    // the project's generate_schema_name / generate_alias_name when it has them (generate-names.ts)
    node.schema = legacySchema ?? generateSchemaName(node.config.schema, node, target, env, vars);
    node.alias = generateAliasName(node.config.alias, node, target, env, vars);
    node.relation_name = node.config.materialized === 'ephemeral' ? null : relationName(node.schema, node.alias);
    if (!node.relation_name) continue;
    const other = builtBy.get(node.relation_name.toLowerCase());
    if (other) {
      throw new FtError(
        `${other.unique_id} (${other.original_file_path}) and ${node.unique_id} (${node.original_file_path}) would both build ${node.relation_name}. Give one of them another alias or schema in its config.`,
        2,
        node.original_file_path,
      );
    }
    builtBy.set(node.relation_name.toLowerCase(), node);
  }

  // Sources.
  for (const s of sourcePatches) {
    const schema = s.schema ? renderYamlString(s.schema, target, s.file, s.line) : `${target.database}_${s.name}`;
    // an installed package's sources are the package's (their ids and fqn name it, as in dbt)
    const pkg = s.file.startsWith(`${PACKAGES_DIR}/`) ? s.file.split('/')[1]! : config.name;
    for (const t of s.tables) {
      const id = `source.${pkg}.${s.name}.${t.name}`;
      if (nodes.has(id)) throw new FtError(`source table ${s.name}.${t.name} is declared twice. Keep one entry.`, 2, s.file, t.line);
      const identifier = t.identifier ?? t.name;
      const node: Node = {
        ...baseNode('source', t.name, s.file, s.file, [pkg, s.name, t.name]),
        package_name: pkg,
        unique_id: id,
        source_name: s.name,
        source_description: describe(s.description, s.file, s.line),
        identifier,
        description: describe(t.description, s.file, t.line),
        columns: columnsOf(t.columns, s.file),
        schema,
        alias: identifier,
        relation_name: relationName(schema, identifier),
        loaded_at_field: t.loaded_at_field ?? s.loaded_at_field ?? null,
        freshness: mergeFreshness(s.freshness, t.freshness) as Node['freshness'],
        loader: t.loader ?? null,
        meta: { ...s.meta, ...t.meta },
        tags: [...new Set([...s.tags, ...t.tags])],
        patch_path: `${s.file}:${t.line}`,
        declared_at: { file: s.file, line: t.line },
      };
      node.config = { ...node.config, tags: node.tags };
      // the unrendered declaration: the same source in another target is not "modified"
      node.checksum.checksum = sha256(JSON.stringify([s.schema ?? null, identifier, t]));
      nodes.set(id, node);
      declareTests(t.tests, id, s.file);
      for (const c of t.columns) declareTests(c.tests, id, s.file, c);
    }
  }

  checkPartialHelpers(partials, [...analyses.values()].flatMap((a) => a.partials.map((p) => p.value)), known, config.macroPaths[0]);
  // Dependencies of templated nodes.
  const refIndex = new Map<string, Node>();
  // the project's own node wins over a package's of the same name
  for (const n of nodes.values()) if ((n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot') && (n.package_name === config.name || !refIndex.has(n.name))) refIndex.set(n.name, n);
  const sourceIndex = new Map<string, Node>();
  // the project's own source wins over a package's of the same name
  for (const n of nodes.values()) if (n.resource_type === 'source' && (n.package_name === config.name || !sourceIndex.has(`${n.source_name}.${n.name}`))) sourceIndex.set(`${n.source_name}.${n.name}`, n);
  const resolveRef = (name: string, file: string, line: number): Node => {
    const n = refIndex.get(name);
    const off = n ? undefined : disabled.get(name);
    if (off) {
      throw new FtError(`ref "${name}" names a disabled ${off.resource_type} (${off.original_file_path}, whose config has enabled: false). Enable it, or remove the ref.`, 2, file, line);
    }
    if (!n) {
      throw new FtError(`ref "${name}" matches no model or seed.${didYouMean(name, refIndex.keys())} Fix the name, or create models/…/${name}.sql.`, 2, file, line);
    }
    return n;
  };
  const resolveSource = (s: string, t: string, file: string, line: number): Node => {
    const n = sourceIndex.get(`${s}.${t}`);
    if (!n) {
      throw new FtError(`source "${s}.${t}" is not declared.${didYouMean(`${s}.${t}`, sourceIndex.keys())} Declare it under \`sources:\` in a schema YAML file, or fix the name.`, 2, file, line);
    }
    return n;
  };
  // Refs and sources with literal names inside partials count for every template that uses them.
  const partialAnalyses = new Map<string, TemplateAnalysis>();
  for (const [name, body] of partials) partialAnalyses.set(name, analyseTemplate(parseTemplate(body, partialFiles.get(name) ?? `${config.macroPaths[0]}/${name}.sql`), name));
  const withPartials = (a: TemplateAnalysis): { refs: TemplateAnalysis['refs']; sources: TemplateAnalysis['sources'] } => {
    const refs = [...a.refs];
    const sources = [...a.sources];
    const seen = new Set<string>();
    const queue = a.partials.map((p) => p.value);
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const pa = partialAnalyses.get(name);
      if (!pa) continue;
      refs.push(...pa.refs.map((r) => ({ ...r, line: a.partials.find((p) => p.value === name)?.line ?? r.line })));
      sources.push(...pa.sources);
      queue.push(...pa.partials.map((p) => p.value));
    }
    return { refs, sources };
  };
  for (const [id, own] of analyses) {
    const node = nodes.get(id);
    if (!node) continue;
    const analysis = withPartials(own);
    const deps = new Set<string>();
    for (const r of analysis.refs) {
      const target = resolveRef(r.value, node.original_file_path, r.line);
      if (!deps.has(target.unique_id)) node.refs.push({ name: r.value, package: null, version: null });
      deps.add(target.unique_id);
    }
    for (const s of analysis.sources) {
      deps.add(resolveSource(s.value[0], s.value[1], node.original_file_path, s.line).unique_id);
      node.sources.push(s.value);
    }
    node.depends_on.nodes = [...deps];
    node.depends_on.macros = [...new Set(own.partials.map((p) => `macro.${config.name}.${p.value}`))];
  }
  // a foreign key's table is built before the table that refers to it
  for (const node of nodes.values()) resolveConstraintRefs(node, resolveRef, resolveSource);

  // Exposures.
  for (const x of exposurePatches) {
    const node: Node = {
      ...baseNode('exposure', x.name, x.file, x.file, [config.name, x.name]),
      type: x.type,
      owner: x.owner,
      description: describe(x.description, x.file, x.line),
      url: x.url,
      maturity: x.maturity,
      label: x.label,
      meta: x.meta,
      tags: x.tags,
      relation_name: null,
      patch_path: `${x.file}:${x.line}`,
      declared_at: { file: x.file, line: x.line },
    };
    node.checksum.checksum = sha256(JSON.stringify([x.name, x.type, x.owner, x.description, x.url, x.maturity, x.dependsOn, x.meta, x.tags, x.label]));
    for (const dep of x.dependsOn) {
      const ref = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(dep);
      const src = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(dep);
      if (ref) node.depends_on.nodes.push(resolveRef(ref[1]!, x.file, x.line).unique_id);
      else if (src) node.depends_on.nodes.push(resolveSource(src[1]!, src[2]!, x.file, x.line).unique_id);
      else throw new FtError(`exposure ${x.name}: depends_on entry "${dep}" must be ref('model') or source('source', 'table').`, 2, x.file, x.line);
    }
    addUnique(node);
  }

  const project: Project = {
    root,
    config,
    target,
    vars,
    nodes,
    analyses,
    partials,
    partialFiles,
    helpers,
    helpersReadEnv,
    docs,
    testDeclarations,
    disabled,
    env,
    globalKey,
    warnings,
  };
  project.semantic = linkSemanticLayer(semanticDecls, nodes, config.name, warn);
  project.dashboards = linkDashboards(dashboardDecls, nodes, project.semantic);
  buildTestNodes(project, warn);
  buildUnitTestNodes(project, unitTestSpecs);
  cache.save();
  return project;
}

/** Inline {{config}} keys: unknown ones, and known ones ft does not act on (schema YAML's are checked as it is read). */
function checkConfigKeys(cfg: Record<string, unknown>, file: string, line: number, warn: (m: string) => void): void {
  for (const [key, value] of Object.entries(cfg)) {
    const k = normaliseKey(key);
    if (!KNOWN_CONFIG_KEYS.has(k)) warn(`${file}:${line}: unknown config key "${key}" ignored.${didYouMean(k, KNOWN_CONFIG_KEYS)}`);
    else {
      const why = unsupportedConfig(k, value);
      if (why) warn(`${file}:${line}: config "${key}": ${why}.`);
    }
  }
}

/** YAML strings may use `{{target.database}}` and `{{env_var}}`, as Jinja in dbt YAML. */
function renderYamlString(text: string, target: ResolvedTarget, file: string, line: number): string {
  if (!text.includes('{{')) return text;
  const hb = createHandlebarsEnv();
  hb.registerHelper('env_var', (name: unknown, ...rest: unknown[]) => readEnv(String(name)) ?? (rest.length > 1 ? String(rest[0]) : ''));
  try {
    return hb.compile(text, { noEscape: true, strict: true })({ target: { name: target.targetName, database: target.database, schema: target.database } });
  } catch (e) {
    throw new FtError(`cannot render "${text}": ${(e as Error).message.split('\n')[0]}. Only {{target.database}}, {{target.name}} and {{env_var "X"}} are available here.`, 2, file, line);
  }
}

/**
 * A table's freshness over its source's, key by key as dbt merges them (merge_freshness_time_thresholds):
 * a table that sets only warn_after keeps the source's error_after. `freshness: null` on the table
 * turns the check off; a key set to null changes nothing.
 */
function mergeFreshness(source: unknown, table: unknown): unknown {
  if (table === null) return null;
  if (table === undefined) return source ?? null;
  if (!source || typeof source !== 'object' || typeof table !== 'object' || Array.isArray(table)) return table;
  const set = Object.entries(table as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  return { ...(source as Record<string, unknown>), ...Object.fromEntries(set) };
}

/** A YAML test entry (`unique`, `{relationships: {to: ref('x'), field: id}}`, `{name: .., test_name: ..}`). */
function parseTestSpec(t: RawTest, attachedTo: string, file: string, columnName?: string): TestDeclaration {
  let testName: string;
  let body: Record<string, unknown> = {};
  if (typeof t.spec === 'string') testName = t.spec;
  else if (t.spec && typeof t.spec === 'object' && !Array.isArray(t.spec)) {
    const o = t.spec as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] !== 'test_name') {
      testName = keys[0]!;
      const v = o[testName];
      if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) {
        throw new FtError(`test "${testName}" takes a mapping of arguments, e.g. - ${testName}: {values: [a, b]}.`, 2, file, t.line);
      }
      body = (v ?? {}) as Record<string, unknown>;
    } else if (typeof o.test_name === 'string') {
      testName = o.test_name;
      body = o;
    } else {
      throw new FtError(`cannot read this test entry; write \`- not_null\` or \`- accepted_values: {values: [...]}\`.`, 2, file, t.line);
    }
  } else {
    throw new FtError(`cannot read this test entry; write \`- not_null\` or \`- accepted_values: {values: [...]}\`.`, 2, file, t.line);
  }
  const { config: cfg, arguments: argsBlock, name, test_name: _tn, ...rest } = body as Record<string, unknown>;
  const config: Record<string, unknown> = { ...((cfg as Record<string, unknown>) ?? {}) };
  const args: Record<string, unknown> = { ...((argsBlock as Record<string, unknown>) ?? {}) };
  // dbt accepts test config keys at the top level of the test entry too.
  for (const [k, v] of Object.entries(rest)) {
    if (['severity', 'warn_if', 'error_if', 'where', 'limit', 'store_failures', 'store_failures_as', 'tags', 'enabled', 'meta', 'fail_calc', 'alias', 'schema', 'database'].includes(k)) config[k] = v;
    else args[k] = v;
  }
  if (typeof name === 'string') config.name = name;
  let namespace: string | undefined;
  const dot = testName.lastIndexOf('.');
  if (dot > 0) {
    namespace = testName.slice(0, dot);
    testName = testName.slice(dot + 1);
  }
  return { testName, namespace, args, config, columnName, attachedTo, file, line: t.line };
}

export { quoteIdent };
export const projectFileExists = (dir: string): boolean => existsSync(resolve(dir, 'project.yml'));
