import { buildManifest, writeManifest, writeManifestAfter } from '../artifacts/manifest.js';
import { compileInputs, lastCompile, recordCompile, reuseUnchangedCompile, type CompileOutcome } from '../compile/unchanged-compile.js';
import { FtError } from '../util/errors.js';
import type { GlobalFlags } from './context.js';
import { createOutput, type Output } from './output.js';
import type { CompileFlags } from '../compile/compile-flags.js';

export type { CompileFlags };

// The loader, Handlebars and the renderer are imported only when a project is loaded, so a
// compile that reuses the last one does not pay for them.
const loader = (): Promise<typeof import('./context.js')> => import('./context.js');

/** ft compile: renders models and tests to target/compiled and writes target/manifest.json. */
export async function compileCommand(flags: CompileFlags): Promise<number> {
  if (flags.inline !== undefined) return compileInlineCommand(flags, flags.inline);
  const started = performance.now();
  const done = (out: Output, count: number, file: string): number => {
    out.info(`Compiled ${count} nodes in ${((performance.now() - started) / 1000).toFixed(2)}s; manifest at ${file}`);
    return 0;
  };
  // Nothing changed since the last compile: only the manifest's metadata is new. Only some
  // models' SQL changed: only they are rendered and patched into the manifest.
  const inputs = compileInputs(flags);
  const last = inputs && lastCompile(inputs);
  let reused: CompileOutcome | undefined;
  if (inputs && last && last.changed.length === 0) reused = reuseUnchangedCompile(inputs, last.rec);
  else if (inputs && last) reused = await (await import('../compile/patch-compile.js')).patchCompile(flags, inputs, last.rec, last.changed);
  if (reused) {
    const out = createOutput({ logFormat: flags.logFormat });
    for (const w of reused.warnings) out.warn(w);
    return done(out, reused.count, reused.manifest);
  }
  const [{ openProject, selectSpecs, splitSelectors }, { selectNodes, unmatchedMessage }, { newCompiler }, { FileBatchWriter }, { compileNodesReading, ownIntrospector }] = await Promise.all([
    loader(),
    import('../graph/selector.js'),
    import('../compile/compile-nodes.js'),
    import('../artifacts/file-batch-writer.js'),
    import('../compile/compile-reading.js'),
  ]);
  const { project, graph, out, state } = await openProject(flags, undefined, inputs);
  // kept with the project's warnings, so a compile that reuses this one prints it again
  const warnKept = (msg: string): void => {
    out.warn(msg);
    project.warnings.push(msg);
  };
  const ids = selectNodes(project, graph, { select: selectSpecs(flags, project), exclude: splitSelectors(flags.exclude), state, unmatched: (c) => warnKept(unmatchedMessage(c)) });
  // models that read the database while compiling (get_columns_in_relation…) connect on first need
  const { compiler, cache } = newCompiler(project, { introspector: ownIntrospector(project.target) });
  const writer = new FileBatchWriter();
  let traps = 0;
  let count: number;
  try {
    count = await compileNodesReading(project, graph, ids, compiler, cache, writer, (m) => (traps++, warnKept(m)), warnKept);
  } finally {
    await compiler.introspector?.close();
  }
  // the compiled files are written on another thread while the manifest is built and written here
  const manifest = buildManifest(project, graph);
  const { file, offsets } = await writeManifestAfter(project, manifest, writer.close());
  cache.save();
  if (traps && flags.warnError) {
    // not recorded: the next compile looks again
    out.error(`--warn-error: ${traps} MySQL trap${traps === 1 ? '' : 's'} in the compiled SQL (warned of above). Write the MySQL each warning gives, or list the rule in the model's lint_ignore config where the construct is meant.`);
    return 1;
  }
  recordCompile(inputs, project, count, file, manifest.metadata, offsets, compiler.introspecting);
  return done(out, count, file);
}

/** ft compile --inline: prints the SQL of a template typed on the command line (no compiled file or manifest). */
async function compileInlineCommand(flags: CompileFlags, text: string): Promise<number> {
  if (flags.select?.length || flags.exclude?.length || flags.selector !== undefined) throw new FtError('--inline compiles its own text: leave out --select, --exclude and --selector.');
  const [{ openProject }, { compileInline }, { ownIntrospector }, { withReads }] = await Promise.all([
    loader(),
    import('../compile/compile-inline.js'),
    import('../compile/compile-reading.js'),
    import('../template/introspector.js'),
  ]);
  const { project } = await openProject(flags);
  // the text may read the database (get_columns_in_relation …): read, then render again
  const introspector = ownIntrospector(project.target);
  try {
    process.stdout.write(`${(await withReads(introspector, () => compileInline(project, text, { introspector }))).trim()}\n`);
  } finally {
    await introspector.close();
  }
  return 0;
}

/** ft parse: loads the project and writes the manifest without rendering SQL. */
export async function parseCommand(flags: GlobalFlags): Promise<number> {
  const started = performance.now();
  const { project, graph, out } = await (await loader()).openProject(flags);
  const file = writeManifest(project, graph);
  const counts = new Map<string, number>();
  for (const n of project.nodes.values()) counts.set(n.resource_type, (counts.get(n.resource_type) ?? 0) + 1);
  out.info(`Parsed ${[...counts].map(([k, v]) => `${v} ${k}${v === 1 ? '' : 's'}`).join(', ')} in ${((performance.now() - started) / 1000).toFixed(2)}s; manifest at ${file}`);
  return 0;
}
