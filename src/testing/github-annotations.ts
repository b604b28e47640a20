import type { Project } from '../project/project.js';
import type { NodeResult } from '../runner/node-result.js';

const escData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escProp = (s: string) => escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub workflow commands pointing at the YAML line that declares each failing test. */
export function githubAnnotations(project: Project, results: NodeResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn' && r.status !== 'error') continue;
    const node = project.nodes.get(r.unique_id);
    if (!node) continue;
    // a test points at the YAML line that declares it; a model or seed at its own file
    const isTest = node.resource_type === 'test';
    const file = (isTest ? node.declared_at?.file : undefined) ?? node.original_file_path;
    const line = (isTest ? node.declared_at?.line : undefined) ?? 1;
    const level = r.status === 'warn' ? 'warning' : 'error';
    const what = node.resource_type === 'test' && r.status !== 'error' ? `${node.name}: ${r.failures ?? 0} failing row${r.failures === 1 ? '' : 's'}` : `${node.resource_type} ${node.name} failed`;
    out.push(`::${level} file=${escProp(file)},line=${line},title=${escProp(`ft ${node.resource_type}`)}::${escData(`${what}. ${r.message}`)}`);
  }
  return out;
}
