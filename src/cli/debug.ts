import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import { describeTarget } from '../project/profiles.js';
import { FT_VERSION } from '../version.js';
import { openProject, type GlobalFlags } from './context.js';

/** ft debug: checks the project, the profile and the connection; never prints the password. */
export async function debugCommand(flags: GlobalFlags): Promise<number> {
  const { project, out } = await openProject(flags);
  out.info(`ft version: ${FT_VERSION}`);
  out.info(`project: ${project.config.name} (${project.root}/${project.config.file}) — ${project.nodes.size} nodes`);
  out.info(`profiles.yml: ${project.target.profilesFile}`);
  for (const [k, v] of Object.entries(describeTarget(project.target))) out.info(`  ${k}: ${String(v)}`);
  const adapter = createAdapter(project.target, 1);
  try {
    const server = await adapter.server();
    out.info(`connection: OK (${server.flavor} ${server.version})`);
    return 0;
  } finally {
    await adapter.close();
  }
}
