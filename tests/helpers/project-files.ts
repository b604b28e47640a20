import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';

/** project.yml and profiles.yml of a project named `p` that no test connects to a server with. */
export const OFFLINE_PROJECT: Record<string, string> = {
  'project.yml': 'name: p\nprofile: p\n',
  'profiles.yml': 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n',
};

const roots: string[] = [];
afterAll(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes files (paths relative to the project) into a new folder, removed after the test file. */
export function writeProjectFiles(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-files-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** Loads a project written from these files (OFFLINE_PROJECT's unless given), as ft does without a server. */
export function loadFiles(files: Record<string, string>, warn?: (message: string) => void): Promise<Project> {
  return loadProject({ projectDir: writeProjectFiles({ ...OFFLINE_PROJECT, ...files }), partialParse: false, warn });
}
