// The semantic layer's entries in `ft ls`: listed when --resource-type names their kind or a
// --select picks them (metric:revenue, semantic_model:*, saved_query:daily).
import type { Project } from '../project/project.js';
import { semanticManifest } from './manifest-entries.js';
import { matchingEntries, SEMANTIC_RESOURCE_TYPES, type SemanticResourceType } from './semantic-selection.js';

export function semanticListing(project: Project, types: Set<string> | null, select: string[] | undefined, output: string): string[] {
  const layer = project.semantic;
  if (!layer) return [];
  const lines: string[] = [];
  for (const kind of SEMANTIC_RESOURCE_TYPES) {
    const atoms = (select ?? []).map((s) => s.replace(/^@|^\d*\+|\+\d*$/g, '')).filter((s) => s.startsWith(`${kind}:`)).map((s) => s.slice(kind.length + 1));
    const asked = types?.has(kind) ?? false;
    if (!asked && !(types === null && atoms.length)) continue;
    const names = atoms.length ? [...new Set(atoms.flatMap((a) => matchingEntries(layer, kind, a)))] : select?.length ? [] : matchingEntries(layer, kind, '*');
    for (const name of names.sort()) lines.push(line(project, kind, name, output));
  }
  return lines;
}

function line(project: Project, kind: SemanticResourceType, name: string, output: string): string {
  const layer = project.semantic!;
  const entry = kind === 'metric' ? layer.metrics.get(name)! : kind === 'semantic_model' ? layer.models.get(name)! : layer.savedQueries.get(name)!;
  if (output === 'name') return name;
  if (output === 'path') return entry.file;
  if (output === 'selector') return `${kind}:${name}`;
  const id = `${kind}.${layer.packageName}.${name}`;
  return JSON.stringify({ unique_id: id, name, resource_type: kind, original_file_path: entry.file, depends_on: { nodes: semanticManifest(project).parents[id] ?? [], macros: [] } });
}
