import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { keyLine, rejectYamlJinja, UNSUPPORTED_PROJECT_KEYS } from './not-supported.js';
import type { ProjectConfig } from './types.js';
import { parseYaml } from './yaml-file.js';

const KNOWN_KEYS = [
  'name', 'version', 'config-version', 'profile', 'model-paths', 'source-paths', 'seed-paths', 'data-paths',
  'test-paths', 'macro-paths', 'docs-paths', 'analysis-paths', 'snapshot-paths', 'target-path', 'clean-targets',
  'log-path', 'packages-install-path', 'vars', 'models', 'seeds', 'tests', 'data_tests', 'sources', 'on-run-start',
  'on-run-end', 'require-dbt-version', 'quoting', 'flags', 'dispatch', 'query-comment', 'snapshots', 'exposures',
];

/** Names project.yml may have, in order of preference. */
export const PROJECT_FILES = ['project.yml', 'ft_project.yml', 'dbt_project.yml'];

/** Files of a dbt project that ft reads only to warn that it does not act on them. */
export const PACKAGE_FILES = ['packages.yml', 'dependencies.yml'];

/** project.yml's text and the line of each of its mappings, for messages naming a key's line. */
const sourceOf = new WeakMap<ProjectConfig, { text: string; lines: Map<object, number> }>();

/** The line of `key` in the project file, searched from the line of the mapping `level` (1 if unknown). */
export function projectKeyLine(config: ProjectConfig, level: object, key: string): number {
  const src = sourceOf.get(config);
  if (!src) return 0;
  return keyLine(src.text, key, src.lines.get(level) ?? 1);
}

/** Finds and reads project.yml (dbt_project.yml is accepted too, so dbt projects load unchanged). */
export function loadProjectConfig(projectDir: string, warn: (msg: string) => void): ProjectConfig {
  const found = PROJECT_FILES.map((f) => join(projectDir, f)).find((f) => existsSync(f));
  if (!found) {
    throw new FtError(
      `no project.yml in ${projectDir}. Run ft inside a project directory or pass --project-dir <dir> pointing at the folder that holds project.yml.`,
    );
  }
  const file = found.slice(projectDir.length + 1);
  const text = readFileSync(found, 'utf8');
  const doc = parseYaml(text, file);
  const { value } = doc;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new FtError('project.yml must be a mapping with at least `name:`.', 2, file, 1);
  }
  rejectYamlJinja(doc, text, file);
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    const line = keyLine(text, key, 1, true);
    if (!KNOWN_KEYS.includes(key)) warn(`${file}:${line}: unknown key "${key}" ignored.${didYouMean(key, KNOWN_KEYS)}`);
    else if (UNSUPPORTED_PROJECT_KEYS[key]) warn(`${file}:${line}: ${key}: ${UNSUPPORTED_PROJECT_KEYS[key]}; this section is ignored.`);
  }
  if (typeof raw.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.name)) {
    throw new FtError('project.yml needs `name:` made of letters, digits and underscores (e.g. `name: my_project`).', 2, file, 1);
  }
  const paths = (key: string, alt: string | null, dflt: string[]): string[] => {
    const v = raw[key] ?? (alt ? raw[alt] : undefined);
    if (v === undefined || v === null) return dflt;
    if (!Array.isArray(v) || v.some((p) => typeof p !== 'string')) {
      throw new FtError(`\`${key}\` must be a list of folder names, e.g. ${key}: ["${dflt[0] ?? 'models'}"].`, 2, file);
    }
    return v as string[];
  };
  const hooks = (key: string): string[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
  };
  const mapping = (key: string): Record<string, unknown> => {
    const v = raw[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new FtError(`\`${key}:\` must be a mapping.`, 2, file);
    return v as Record<string, unknown>;
  };
  const config: ProjectConfig = {
    name: raw.name,
    version: String(raw.version ?? '1.0.0'),
    profile: typeof raw.profile === 'string' ? raw.profile : raw.name,
    modelPaths: paths('model-paths', 'source-paths', ['models']),
    seedPaths: paths('seed-paths', 'data-paths', ['seeds']),
    testPaths: paths('test-paths', null, ['tests']),
    macroPaths: paths('macro-paths', null, ['macros']),
    docsPaths: paths('docs-paths', null, []),
    snapshotPaths: paths('snapshot-paths', null, ['snapshots']),
    analysisPaths: paths('analysis-paths', null, ['analyses']),
    targetPath: typeof raw['target-path'] === 'string' ? raw['target-path'] : 'target',
    cleanTargets: paths('clean-targets', null, [typeof raw['target-path'] === 'string' ? raw['target-path'] : 'target']),
    vars: mapping('vars'),
    models: mapping('models'),
    seeds: mapping('seeds'),
    snapshots: mapping('snapshots'),
    tests: { ...mapping('tests'), ...mapping('data_tests') },
    onRunStart: hooks('on-run-start'),
    onRunEnd: hooks('on-run-end'),
    file,
  };
  sourceOf.set(config, { text, lines: doc.lines });
  return config;
}
