import { writeFileAtomic } from '../artifacts/write-json.js';
import type { Project } from '../project/project.js';
import type { NodeResult } from '../runner/node-result.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/**
 * --junit-xml: one testcase per data test; failures carry the failing-row count and a sample.
 * A model or seed that failed to build is a testcase with an <error> too, so a CI gate that
 * reads only the report sees why the tests below it were skipped.
 */
export function writeJunitXml(file: string, project: Project, results: NodeResult[], elapsed: number): void {
  const tests = results.filter((r) => {
    const type = project.nodes.get(r.unique_id)?.resource_type;
    return type === 'test' || (type !== undefined && r.status === 'error');
  });
  const failures = tests.filter((r) => r.status === 'fail').length;
  const errors = tests.filter((r) => r.status === 'error').length;
  const skipped = tests.filter((r) => r.status === 'skipped').length;
  const cases = tests.map((r) => {
    const node = project.nodes.get(r.unique_id)!;
    const classname = node.resource_type !== 'test' ? `${project.config.name}.${node.resource_type}` : `${project.config.name}.${node.attached_node ? project.nodes.get(node.attached_node)?.name ?? 'tests' : 'singular'}`;
    const isTest = node.resource_type === 'test';
    const name = isTest ? node.name : `${node.resource_type} ${node.name}`;
    const open = `    <testcase name="${esc(name)}" classname="${esc(classname)}" time="${r.executionTime.toFixed(3)}" file="${esc((isTest ? node.declared_at?.file : undefined) ?? node.original_file_path)}" line="${(isTest ? node.declared_at?.line : undefined) ?? 1}">`;
    const sample = r.sample?.length ? `\nFirst failing rows:\n${r.sample.map((row) => JSON.stringify(row)).join('\n')}` : '';
    let body = '';
    if (r.status === 'fail') body = `\n      <failure message="${esc(`${r.failures} failing row${r.failures === 1 ? '' : 's'}`)}" type="test_failure">${esc(`${r.message}${sample}`)}</failure>\n    `;
    else if (r.status === 'error') body = `\n      <error message="${esc(r.message.split('\n')[0] ?? '')}" type="error">${esc(r.message)}</error>\n    `;
    else if (r.status === 'skipped') body = `\n      <skipped message="${esc(r.message)}"/>\n    `;
    else if (r.status === 'warn') body = `\n      <system-out>${esc(`WARN: ${r.message}${sample}`)}</system-out>\n    `;
    return `${open}${body}</testcase>`;
  });
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ft" tests="${tests.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${elapsed.toFixed(3)}">
  <testsuite name="${esc(project.config.name)}" tests="${tests.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${elapsed.toFixed(3)}" timestamp="${new Date().toISOString().slice(0, 19)}">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
  // a CI gate reads it: whole or not at all, even if the command is killed
  writeFileAtomic(file, xml);
}
