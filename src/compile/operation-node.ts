import { defaultConfig } from '../project/config-keys.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';

/**
 * A node for SQL that is not a model of the project — a project hook, an inline query — so it
 * renders like one (ref, source, var, this, target), with `dependsOn` as the refs it may use.
 */
export function operationNode(project: Project, name: string, uniqueId: string, file: string, dependsOn: string[]): Node {
  return {
    unique_id: uniqueId,
    name,
    resource_type: 'model',
    package_name: project.config.name,
    path: file,
    original_file_path: file,
    fqn: [project.config.name, name],
    config: defaultConfig('model'),
    description: '',
    columns: {},
    tags: [],
    meta: {},
    depends_on: { nodes: dependsOn, macros: [] },
    refs: [],
    sources: [],
    checksum: { name: 'sha256', checksum: '' },
    database: null,
    schema: project.target.database,
    alias: name,
    relation_name: null,
    patch_path: null,
  };
}
