import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';

/** target/<kind>/<project>/<file>.sql — where a node's compiled (or executed) SQL is written. */
export function sqlArtifactPath(project: Project, node: Node, kind: 'compiled' | 'run'): string {
  const base = join(resolve(project.root, project.config.targetPath), kind, project.config.name);
  if (node.test_metadata) return join(base, node.original_file_path, `${node.name}.sql`);
  return join(base, node.original_file_path);
}

export function writeSqlArtifact(file: string, sql: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, sql.endsWith('\n') ? sql : `${sql}\n`);
}

/** Writes compiled SQL unless the file exists and the SQL came unchanged from the cache. */
export function writeCompiled(project: Project, node: Node, sql: string, fresh: boolean): string {
  const file = sqlArtifactPath(project, node, 'compiled');
  if (fresh || !existsSync(file)) writeSqlArtifact(file, sql);
  return file;
}
