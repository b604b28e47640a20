import { readFileSync } from 'node:fs';
import { analyseTemplate, parseTemplate, type TemplateAnalysis } from '../template/template-analysis.js';
import { FtError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { discover, type FoundFile, type Listings } from './discovery.js';
import type { NodePatch } from './schema-files.js';
import type { Node, ProjectConfig } from './types.js';

export interface SnapshotInputs {
  root: string;
  config: ProjectConfig;
  listings: Listings;
  /** `snapshots:` entries of schema YAML */
  patches: NodePatch[];
  baseNode(type: 'snapshot', name: string, path: string, rel: string, fqn: string[]): Node;
  /** reads and analyses a template file as models are (parse cache, helper checks) */
  templated(file: FoundFile): { raw: string; analysis: TemplateAnalysis; checksum: string };
}

/** dbt's legacy block: `{% snapshot name %} … {% endsnapshot %}` */
const LEGACY_BLOCK = /\{%-?\s*snapshot\s+([A-Za-z_][\w]*)\s*-?%\}/;

/**
 * Snapshot nodes: each .sql file under snapshot-paths (a SELECT with {{config …}}, named after
 * the file) and each schema YAML `snapshots:` entry with a `relation:` (dbt 1.9's form). A YAML
 * entry without `relation:` documents and configures the .sql snapshot of its name.
 */
export function snapshotNodes(inputs: SnapshotInputs): Array<{ node: Node; analysis: TemplateAnalysis }> {
  const { root, config, listings } = inputs;
  const out: Array<{ node: Node; analysis: TemplateAnalysis }> = [];
  const fromFiles = new Map<string, string>();
  for (const f of discover(root, config.snapshotPaths, ['.sql'], listings)) {
    const text = readFileSync(f.abs, 'utf8');
    const legacy = LEGACY_BLOCK.exec(text);
    if (legacy) {
      const line = text.slice(0, legacy.index).split('\n').length;
      throw new FtError(
        `"{% snapshot ${legacy[1]} %}" is dbt's legacy snapshot block, which ft does not read. Write the SELECT alone in snapshots/${legacy[1]}.sql with its config as {{config strategy="timestamp" unique_key="id" updated_at="updated_at"}} (Handlebars: {{ref "x"}} for ref('x')), or declare it in schema YAML: snapshots: [{name: ${legacy[1]}, relation: ref('x'), config: {…}}].`,
        2,
        f.rel,
        line,
      );
    }
    const name = f.inResource.replace(/\.sql$/, '').split('/').pop()!;
    const node = inputs.baseNode('snapshot', name, f.inResource, f.rel, [config.name, ...f.inResource.replace(/\.sql$/, '').split('/')]);
    const t = inputs.templated(f);
    node.raw_code = t.raw;
    node.language = 'sql';
    node.checksum.checksum = t.checksum;
    node.declared_at = { file: f.rel, line: 1 };
    fromFiles.set(name, f.rel);
    out.push({ node, analysis: t.analysis });
  }
  for (const p of inputs.patches) {
    if (p.kind !== 'snapshots') continue;
    const file = fromFiles.get(p.name);
    if (!p.relation) {
      if (file) continue;
      throw new FtError(
        `snapshot "${p.name}" has no \`relation:\` and no ${p.name}.sql exists under ${config.snapshotPaths.join(', ')}. Add relation: ref('<model>') (or source('<source>', '<table>')), or create the .sql file.`,
        2,
        p.file,
        p.line,
      );
    }
    if (file) throw new FtError(`snapshot "${p.name}" is defined twice: by ${file} and by this relation:. Keep one: remove the relation: here, or the file.`, 2, p.file, p.relation.line);
    const select = `select * from ${relationTemplate(p.relation.text, p.file, p.relation.line)}`;
    const node = inputs.baseNode('snapshot', p.name, p.file, p.file, [config.name, p.name]);
    const analysis = analyseTemplate(parseTemplate(select, p.file), p.file);
    // errors about the ref point at the relation: line of the YAML
    for (const list of [analysis.refs, analysis.sources] as Array<Array<{ line: number }>>) for (const c of list) c.line = p.relation.line;
    node.raw_code = select;
    node.language = 'sql';
    node.checksum.checksum = sha256(select);
    node.declared_at = { file: p.file, line: p.line };
    out.push({ node, analysis });
  }
  return out;
}

/** `relation:` as ft's {{ref "x"}} / {{source "s" "t"}} or dbt's ref('x') / source('s', 't'), as a template. */
function relationTemplate(text: string, file: string, line: number): string {
  const t = text.trim();
  const str = `(?:'([^']+)'|"([^"]+)")`;
  const ref = new RegExp(`^(?:\\{\\{-?\\s*)?ref\\s*\\(\\s*${str}\\s*\\)(?:\\s*-?\\}\\})?$`).exec(t);
  if (ref) return `{{ref "${ref[1] ?? ref[2]}"}}`;
  const src = new RegExp(`^(?:\\{\\{-?\\s*)?source\\s*\\(\\s*${str}\\s*,\\s*${str}\\s*\\)(?:\\s*-?\\}\\})?$`).exec(t);
  if (src) return `{{source "${src[1] ?? src[2]}" "${src[3] ?? src[4]}"}}`;
  const hbRef = /^\{\{\s*ref\s+"([^"]+)"\s*\}\}$/.exec(t);
  if (hbRef) return `{{ref "${hbRef[1]}"}}`;
  const hbSrc = /^\{\{\s*source\s+"([^"]+)"\s+"([^"]+)"\s*\}\}$/.exec(t);
  if (hbSrc) return `{{source "${hbSrc[1]}" "${hbSrc[2]}"}}`;
  throw new FtError(`relation "${t}" must name one model, seed, snapshot or source: ref('orders'), source('shop', 'orders'), {{ref "orders"}} or {{source "shop" "orders"}}.`, 2, file, line);
}
