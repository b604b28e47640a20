import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { sqlArtifactPath, sqlFileText } from '../artifacts/compiled-files.js';
import { writeFileAtomic } from '../artifacts/write-json.js';
import { toPosix } from '../project/discovery.js';
import { createEnvironment } from '../template/environment.js';
import { loadMacros } from '../project/macros.js';
import { parseVarsFlag, resolveVars } from '../project/vars.js';
import { stampOf } from '../project/parse-cache.js';
import { loadTarget } from '../project/profiles.js';
import { loadProjectConfig } from '../project/project-config.js';
import type { Node } from '../project/types.js';
import { analysisShape } from '../template/analysis-shape.js';
import { CompileCache } from '../template/compile-cache.js';
import { Compiler, type RenderProject } from '../template/compiler.js';
import { analyseTemplate, parseTemplate } from '../template/template-analysis.js';
import { sha256 } from '../util/hash.js';
import type { CompileFlags } from '../cli/compile.js';
import { manifestHead, reuseUnchangedCompile, writeRecord, type CompileInputs, type CompileOutcome, type CompileRecord } from './unchanged-compile.js';

/** More changed files than this: a full compile is as cheap. */
const MAX_PATCHED_FILES = 50;

/**
 * A compile after edits that change only the SQL of some models: the edit of a model's body
 * during development. When every changed file is a model whose template still refs, reads
 * and calls the same names with the same inline config (its analysis shape), nothing else in
 * the project can differ from the last compile: only those models are rendered (their parents'
 * relations read from the manifest), their compiled files rewritten and their manifest entries
 * replaced in place. Anything else — another kind of file, a new dependency, an ephemeral
 * model, a syntax error — returns undefined and the project is compiled in full, which also
 * reports errors as usual.
 */
export async function patchCompile(flags: CompileFlags, inputs: CompileInputs, rec: CompileRecord, changed: string[]): Promise<CompileOutcome | undefined> {
  if (inputs.partial || changed.length > MAX_PATCHED_FILES) return undefined;
  const edits: Array<{ id: string; abs: string; text: string; checksum: string }> = [];
  const models = { ...rec.models };
  for (const abs of changed) {
    const known = models[abs];
    if (!known) return undefined;
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch {
      return undefined;
    }
    const checksum = sha256(text);
    if (checksum === known[1]) continue;
    const rel = toPosix(relative(inputs.root, abs));
    try {
      if (analysisShape(analyseTemplate(parseTemplate(text, rel), rel)) !== known[2]) return undefined;
    } catch {
      return undefined;
    }
    edits.push({ id: known[0], abs, text, checksum });
    models[abs] = [known[0], checksum, known[2]];
  }

  // Only some files were touched, their content unchanged: a manifest with new metadata.
  if (edits.length === 0) return reuseUnchangedCompile(inputs, { ...rec, models });

  // The manifest is handled as bytes: decoding and re-encoding 20 MB of JSON for a few
  // nodes would cost more than the rest of the patch.
  const manifestFile = resolve(inputs.targetDir, 'manifest.json');
  const manifest = readFileSync(manifestFile);
  const head = manifestHead(rec.manifest.metadata);
  if (!head || !manifest.subarray(0, head.recorded.length).equals(head.recorded)) return undefined;
  const config = loadProjectConfig(inputs.root, () => undefined);
  const target = loadTarget(inputs.root, config.profile, { profilesDir: flags.profilesDir, target: flags.target });
  const { partials, helpers } = await loadMacros(inputs.root, config);
  const nodes = new Map<string, Node>();
  const segments: Array<{ at: [number, number]; node: Node; text: string; checksum: string }> = [];
  for (const e of edits) {
    const found = findNode(manifest, e.id);
    if (!found || found.node.resource_type !== 'model' || found.node.config.materialized === 'ephemeral') return undefined;
    segments.push({ at: found.at, node: found.node, text: e.text, checksum: e.checksum });
    nodes.set(e.id, found.node);
    for (const dep of found.node.depends_on.nodes) {
      if (nodes.has(dep)) continue;
      const parent = findNode(manifest, dep)?.node;
      // an ephemeral parent's SQL is inlined: rendering it needs its own parents, so compile in full
      if (!parent || (parent.resource_type === 'model' && parent.config.materialized === 'ephemeral')) return undefined;
      nodes.set(dep, parent);
    }
  }
  const project: RenderProject = { nodes, config, env: createEnvironment(partials, helpers), vars: resolveVars(config, parseVarsFlag(flags.vars)), target, globalKey: '' };
  const compiler = new Compiler(project, new CompileCache(inputs.targetDir, false));
  const files: Array<[string, string]> = [];
  for (const s of segments) {
    s.node.raw_code = s.text;
    s.node.checksum.checksum = s.checksum;
    try {
      s.node.compiled_code = compiler.compile(s.node);
    } catch {
      return undefined;
    }
    files.push([sqlArtifactPath({ root: inputs.root, config }, s.node, 'compiled'), sqlFileText(s.node.compiled_code)]);
  }
  // the new entries between the unchanged bytes, replaced in order of position
  const pieces: Buffer[] = [head.next];
  let from = head.recorded.length;
  for (const s of segments.sort((a, b) => a.at[0] - b.at[0])) {
    pieces.push(manifest.subarray(from, s.at[0]), Buffer.from(JSON.stringify(s.node)));
    from = s.at[1];
  }
  pieces.push(manifest.subarray(from));
  try {
    for (const [file, sql] of files) writeFileSync(file, sql);
    writeFileAtomic(manifestFile, pieces);
    writeRecord(inputs, { ...rec, stamps: inputs.stamps, unsure: inputs.unsure, models, manifest: { stamp: stampOf(manifestFile), metadata: head.metadata } });
  } catch {
    // the full compile rewrites everything, and reports what cannot be written
    return undefined;
  }
  return { count: rec.count, warnings: rec.warnings, manifest: manifestFile };
}

/**
 * A node of the manifest (under nodes or sources) and where its JSON is in the text. The
 * manifest is JSON.stringify's output, so a key followed by `:{` outside any string is found
 * with indexOf; the node is checked to be the one asked for (a `meta` entry could bear the
 * same key).
 */
function findNode(manifest: Buffer, id: string): { node: Node; at: [number, number] } | undefined {
  const key = Buffer.from(`${JSON.stringify(id)}:{`);
  for (let at = manifest.indexOf(key); at !== -1; at = manifest.indexOf(key, at + 1)) {
    const start = at + key.length - 1;
    const end = objectEnd(manifest, start);
    if (end === undefined) return undefined;
    let node: Node;
    try {
      node = JSON.parse(manifest.toString('utf8', start, end)) as Node;
    } catch {
      return undefined;
    }
    if (node.unique_id === id) return { node, at: [start, end] };
  }
  return undefined;
}

/** Index just past the `}` closing the JSON object that opens at `start` (UTF-8 bytes: structure is ASCII). */
function objectEnd(bytes: Buffer, start: number): number | undefined {
  let depth = 0;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 34 /* " */) {
      for (i++; i < bytes.length; i++) {
        const d = bytes[i];
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i + 1;
  }
  return undefined;
}
