import type Handlebars from 'handlebars';
import type { HelperFn } from '../template/environment.js';
import type { TemplateAnalysis } from '../template/template-analysis.js';
import type { SemanticLayer } from '../metrics/semantic-layer.js';
import type { DashboardDecl } from '../dashboards/types.js';
import type { Node, ProjectConfig, ResolvedTarget, TestDeclaration } from './types.js';

/** Everything loaded from disk: config, target, nodes and the template environment. */
export interface Project {
  root: string;
  config: ProjectConfig;
  target: ResolvedTarget;
  vars: Record<string, unknown>;
  nodes: Map<string, Node>;
  /** parse results of every templated node (models, singular tests), by unique id */
  analyses: Map<string, TemplateAnalysis>;
  partials: Map<string, string>;
  /** each partial's file (a package's under dbt_packages/), for messages */
  partialFiles?: Map<string, string>;
  helpers: Map<string, HelperFn>;
  /** a macros/*.js file may read the environment (it names `process`) */
  helpersReadEnv: boolean;
  docs: Map<string, string>;
  testDeclarations: TestDeclaration[];
  /** models, seeds and snapshots with enabled: false, by name (a test that reads one is disabled with it) */
  disabled?: ReadonlyMap<string, Node>;
  env: typeof Handlebars;
  /** hash of everything global that changes rendering: vars, target, macros */
  globalKey: string;
  warnings: string[];
  /** semantic_models:, metrics: and saved_queries: of the schema files, linked (none declared: undefined) */
  semantic?: SemanticLayer;
  /** dashboards: of the schema files, their references checked */
  dashboards?: DashboardDecl[];
}

export function nodesOfType(project: Project, type: Node['resource_type']): Node[] {
  return [...project.nodes.values()].filter((n) => n.resource_type === type);
}

/**
 * The node of `source(s, t)`: the project's own declaration, else an installed package's (a
 * package's sources carry its name in their ids, as in dbt). Undefined when none declares it.
 */
export function sourceNode(project: Pick<Project, 'config' | 'nodes'>, s: string, t: string): Node | undefined {
  const own = project.nodes.get(`source.${project.config.name}.${s}.${t}`);
  if (own) return own;
  for (const n of project.nodes.values()) if (n.resource_type === 'source' && n.source_name === s && n.name === t) return n;
  return undefined;
}
