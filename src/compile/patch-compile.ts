import { closeSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { sqlArtifactPath, sqlFileText } from '../artifacts/compiled-files.js';
import { readNodeAt, replaceNodes } from '../artifacts/manifest-file.js';
import { writeFileAtomic } from '../artifacts/write-json.js';
import { toPosix } from '../project/discovery.js';
import { createEnvironment } from '../template/environment.js';
import { loadProjectMacros } from '../project/package-macros.js';
import { parseVarsFlag, resolveVars } from '../project/vars.js';
import { stampOf } from '../project/file-stamp.js';
import { loadTarget } from '../project/profiles.js';
import { loadProjectConfig } from '../project/project-config.js';
import type { Node } from '../project/types.js';
import { analysisShape } from '../template/analysis-shape.js';
import { CompileCache } from '../template/compile-cache.js';
import { Compiler, type RenderProject } from '../template/compiler.js';
import { analyseTemplate, parseTemplate } from '../template/template-analysis.js';
import { sha256 } from '../util/hash.js';
import type { CompileFlags } from './compile-flags.js';
import { withdrawCompileRecord } from './compile-record-file.js';
import { lintNode } from '../lint/lint-node.js';
import { compileReading, ownIntrospector } from './compile-reading.js';
import type { Introspector } from '../template/introspector.js';
import { openRecordedManifest, outsideReadsOf, refreshMetadata, writeRecord, type CompileInputs, type CompileOutcome, type CompileRecord } from './unchanged-compile.js';

/** More changed files than this: a full compile is as cheap. */
const MAX_PATCHED_FILES = 50;

/**
 * A compile after edits that change only the SQL of some models: the edit of a model's body
 * during development. When every changed file is a model whose template still refs, reads
 * and calls the same names with the same inline config (its analysis shape), nothing else in
 * the project can differ from the last compile: only those models are rendered (their parents'
 * relations read from the manifest), their compiled files rewritten and their manifest entries
 * replaced (in a copy of the manifest renamed over it). Anything else — another kind of file, a new dependency, an ephemeral
 * model, a syntax error — returns undefined and the project is compiled in full, which also
 * reports errors as usual.
 */
export async function patchCompile(flags: CompileFlags, inputs: CompileInputs, rec: CompileRecord, changed: string[]): Promise<CompileOutcome | undefined> {
  if (inputs.partial || changed.length > MAX_PATCHED_FILES) return undefined;
  // The manifest is handled as bytes: only the nodes needed are read, at the places the
  // record keeps, and the rest is copied around the new entries.
  const manifest = openRecordedManifest(inputs, rec);
  if (!manifest) return undefined;
  const { fd, file: manifestFile } = manifest;
  let introspector: Introspector | undefined;
  try {
    const patched: Array<{ node: Node; text: string; checksum: string }> = [];
    for (const abs of changed) {
      const known = rec.models[abs];
      const node = known && readNodeAt(fd, rec.offsets, known[0]);
      if (!node) return undefined;
      const text = readFileSync(abs, 'utf8');
      const checksum = sha256(text);
      // unchanged, unless its SQL is new in every invocation (run_started_at, invocation_id)
      if (checksum === node.checksum.checksum && !rec.volatile.includes(abs)) continue;
      if (node.resource_type !== 'model' || node.config.materialized === 'ephemeral') return undefined;
      // the record's warnings are replayed: the full load warns of Jinja left in the text, and
      // forgets what an edit mended
      const rel = toPosix(relative(inputs.root, abs));
      if (text.includes('{%') || rec.warnings.some((w) => w.startsWith(`${rel}:`))) return undefined;
      if (analysisShape(analyseTemplate(parseTemplate(text, rel), rel)) !== known[1]) return undefined;
      patched.push({ node, text, checksum });
    }
    // Only some files were touched, their content unchanged: a manifest with new metadata.
    if (patched.length === 0) return refreshMetadata(inputs, rec, manifest);

    const config = loadProjectConfig(inputs.root, () => undefined);
    const target = loadTarget(inputs.root, config.profile, { profilesDir: flags.profilesDir, target: flags.target });
    const { partials, helpers, helpersReadEnv } = await loadProjectMacros(inputs.root, config);
    const nodes = new Map<string, Node>(patched.map((p) => [p.node.unique_id, p.node]));
    for (const { node } of patched) {
      for (const dep of node.depends_on.nodes) {
        if (nodes.has(dep)) continue;
        const parent = readNodeAt(fd, rec.offsets, dep);
        // an ephemeral parent's SQL is inlined: rendering it needs its own parents, so compile in full
        if (!parent || (parent.resource_type === 'model' && parent.config.materialized === 'ephemeral')) return undefined;
        nodes.set(dep, parent);
      }
    }
    const project: RenderProject = { nodes, config, env: createEnvironment(partials, helpers), vars: resolveVars(config, parseVarsFlag(flags.vars)), target, globalKey: '', helpersReadEnv };
    // a model that reads the database is rendered again from what it holds now (the record's volatile files)
    introspector = ownIntrospector(target);
    const compiler = new Compiler(project, new CompileCache(inputs.targetDir, false), { introspector });
    const files: Array<[string, string]> = [];
    for (const p of patched) {
      p.node.raw_code = p.text;
      p.node.checksum.checksum = p.checksum;
      p.node.compiled_code = await compileReading(compiler, p.node);
      // a relation that does not exist is a warning the record must keep: the full compile gives it
      if (introspector.notes.length) return undefined;
      // a MySQL trap is a warning the record must keep: the full compile gives it
      if (lintNode(p.node, p.node.compiled_code).length) return undefined;
      files.push([sqlArtifactPath({ root: inputs.root, config }, p.node, 'compiled'), sqlFileText(p.node.compiled_code)]);
    }
    // until the new record is written, none vouches for these files (a kill may leave some
    // rewritten and the manifest not; each file itself is whole, old or new)
    withdrawCompileRecord(inputs.targetDir);
    for (const [file, sql] of files) writeFileAtomic(file, sql);
    const { staged, offsets } = replaceNodes(manifestFile, fd, manifest.head.next, patched.map((p) => ({ id: p.node.unique_id, json: JSON.stringify(p.node) })), rec.offsets);
    staged.commit();
    // the edited SQL may name new environment variables (the volatile files are the record's: an
    // edit that starts reading run_started_at changes the analysis shape and compiles in full)
    const { env, envAll } = outsideReadsOf({ root: inputs.root, nodes, partials, helpersReadEnv, target }, Object.keys(rec.env));
    writeRecord(inputs, { ...rec, env, envAll, offsets, manifest: { stamp: stampOf(manifestFile), metadata: manifest.head.metadata } });
  } catch {
    // the full compile reports what cannot be read, rendered or written
    return undefined;
  } finally {
    closeSync(fd);
    await introspector?.close();
  }
  return { count: rec.count, warnings: rec.warnings, manifest: manifestFile };
}
