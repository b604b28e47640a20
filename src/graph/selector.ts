import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { semanticReads, type SemanticResourceType } from '../metrics/semantic-selection.js';
import { FtError } from '../util/errors.js';
import { fnmatch } from '../util/fnmatch.js';
import { didYouMean } from '../util/suggest.js';
import type { Graph } from './build-graph.js';
import { compareWithState, STATE_SELECTORS, type NodeChange, type StateManifest } from './state.js';
import { RESULT_STATUSES, stateResults } from './state-results.js';
import { withIndirectTests, type IndirectSelection } from './indirect-selection.js';
import { defaultSelectorName, evaluateSelector, loadSelectors, selectorIndirectSelection, selectorLine, SELECTORS_FILE } from './yaml-selectors.js';

const METHODS = ['tag', 'path', 'file', 'fqn', 'source', 'resource_type', 'test_type', 'test_name', 'state', 'result', 'exposure', 'package', 'config', 'name', 'selector', 'metric', 'semantic_model', 'saved_query'];

export interface SelectOptions {
  select?: string[];
  exclude?: string[];
  /** the manifest of --state, for state:modified and the other state: selectors */
  state?: StateManifest;
  /** hears each --select/--exclude criterion that matches no enabled node (dbt warns of each) */
  unmatched?: (criterion: string) => void;
  /** how --exclude takes tests out with the nodes it matches (default eager) */
  indirectSelection?: IndirectSelection;
}

interface Atom {
  parents: number; // 0 none, Infinity all
  children: number;
  at: boolean;
  method: string;
  value: string;
  raw: string;
}

function parseAtom(raw: string): Atom {
  const m = /^(@)?(?:(\d*)\+)?([^+]*?)(?:\+(\d*))?$/.exec(raw);
  if (!m || !m[3]) throw new FtError(`cannot read selector "${raw}". Use forms like name, +name, name+, 2+name, @name, tag:x, path:models/silver.`);
  const [, at, pDepth, body, cDepth] = m;
  const hasParents = raw.replace(/^@/, '').match(/^\d*\+/) !== null;
  const hasChildren = /\+\d*$/.test(raw);
  if (at && hasParents) throw new FtError(`selector "${raw}": @ already includes parents; write @name or +name.`);
  let method = 'name';
  let value = body!;
  const colon = body!.indexOf(':');
  if (colon > 0) {
    method = body!.slice(0, colon);
    value = body!.slice(colon + 1);
    const base = method.split('.')[0]!;
    if (!METHODS.includes(base)) throw new FtError(`unknown selector method "${method}:" in "${raw}".${didYouMean(method, METHODS)} Known methods: ${METHODS.join(', ')}.`);
    if (!value) throw new FtError(`selector "${raw}" has no value after "${method}:".`);
  } else if (value.includes('/')) {
    // as dbt: a bare path (`models/staging`, `models/x.sql`) selects that folder or file
    method = 'path';
    value = value.replace(/^\.\//, '');
  }
  return {
    at: Boolean(at),
    parents: hasParents ? (pDepth ? Number(pDepth) : Infinity) : 0,
    children: hasChildren ? (cDepth ? Number(cDepth) : Infinity) : 0,
    method,
    value,
    raw,
  };
}

/**
 * dbt's fqn selection: the leaf name, or the selector's dotted parts from the start of the fqn,
 * with or without its package (the project's name); from the first part holding a wildcard, the
 * rest matches as a shell pattern (`marts.*`, `shop.staging.stg_*`).
 */
function fqnMatches(fqn: string[], selector: string): boolean {
  const from = (parts: string[]): boolean => {
    const flat = parts.flatMap((p) => p.split('.'));
    const wanted = selector.split('.');
    if (!flat.length || flat.length < wanted.length) return false;
    for (let i = 0; i < wanted.length; i++) {
      if (/[*?[\]]/.test(wanted[i]!)) return fnmatch(wanted.slice(i).join('.')).test(flat.slice(i).join('.'));
      if (flat[i] !== wanted[i]) return false;
    }
    return true;
  };
  return fqn.at(-1) === selector || from(fqn) || from(fqn.slice(1));
}

function matchesAtom(project: Project, node: Node, a: Atom, changes: StateChanges): boolean {
  const v = a.value;
  switch (a.method.split('.')[0]) {
    case 'name': {
      if (node.resource_type === 'source') return false;
      if (node.name === v || fqnMatches(node.fqn, v)) return true;
      // ft's own, beyond dbt: a name glob (stg_*) anywhere, a folder name at any depth
      if (/[*?[]/.test(v)) return fnmatch(v).test(node.name);
      const fqn = node.fqn;
      const parts = v.split('.');
      for (let i = 1; i + parts.length <= fqn.length; i++) if (parts.every((p, j) => fqn[i + j] === p)) return true;
      return false;
    }
    case 'fqn':
      // dbt's fqn method reads models, seeds, snapshots and tests (and unit tests), not sources or exposures
      return node.resource_type !== 'source' && node.resource_type !== 'exposure' && (node.name === v || fqnMatches(node.fqn, v));
    case 'tag':
      return /[*?[]/.test(v) ? node.tags.some((t) => fnmatch(v).test(t)) : node.tags.includes(v);
    case 'path': {
      const p = v.replace(/\/+$/, '');
      return node.original_file_path === p || node.original_file_path.startsWith(`${p}/`) || fnmatch(p).test(node.original_file_path);
    }
    case 'file':
      return node.original_file_path.split('/').pop() === v || node.original_file_path.split('/').pop() === `${v}.sql`;
    case 'source': {
      if (node.resource_type !== 'source') return false;
      // source:s, source:s.t, or (as dbt) source:package.s.t
      const parts = v.split('.');
      const [pkg, s, t] = parts.length >= 3 ? parts : [undefined, parts[0], parts[1]];
      if (pkg !== undefined && pkg !== '*' && node.package_name !== pkg) return false;
      return (s === '*' || node.source_name === s) && (t === undefined || t === '*' || node.name === t);
    }
    case 'exposure':
      return node.resource_type === 'exposure' && (node.name === v || v === '*');
    case 'resource_type':
      // dbt's unit_test is a resource type of its own (ft runs unit tests as test nodes)
      return node.unit_test ? v === 'unit_test' : node.resource_type === v;
    case 'test_type':
      if (node.resource_type !== 'test') return false;
      // dbt's kinds: unit tests, and data tests (generic or singular)
      if (node.unit_test) return v === 'unit';
      return v === 'data' || (v === 'generic' ? node.test_metadata !== undefined : v === 'singular' ? node.test_metadata === undefined : false);
    case 'test_name':
      return node.resource_type === 'test' && node.test_metadata?.name === v;
    case 'package':
      return node.package_name === v;
    case 'state': {
      const compared = changes();
      if (!compared) throw new FtError(`selector "${a.raw}" needs --state <dir> holding the manifest.json to compare with (e.g. --state prod-manifest/).`);
      const test = Object.hasOwn(STATE_SELECTORS, v) ? STATE_SELECTORS[v] : undefined;
      if (!test) throw new FtError(`unknown state selector "${v}"; use state:${Object.keys(STATE_SELECTORS).join(', state:')}.`);
      return test(compared.get(node.unique_id)!);
    }
    case 'result': {
      if (!RESULT_STATUSES.includes(v)) throw new FtError(`unknown result selector "${v}"; use result:${RESULT_STATUSES.join(', result:')}.`);
      return stateResults(changes.state, a.raw).get(node.unique_id) === v;
    }
    case 'metric':
    case 'semantic_model':
    case 'saved_query':
      // not graph nodes: on the graph, the models they read
      return semanticReads(project, a.method as SemanticResourceType, v).has(node.unique_id);
    case 'config': {
      // a nested key as dbt reads it: config.meta.owner:finance
      const path = a.method.slice('config.'.length).split('.');
      let cv: unknown = node.config;
      for (const k of path) cv = cv && typeof cv === 'object' && !Array.isArray(cv) ? (cv as Record<string, unknown>)[k] : undefined;
      if (Array.isArray(cv)) return cv.map(String).includes(v);
      return cv !== undefined && String(cv) === v;
    }
    default:
      return false;
  }
}

function walk(g: Graph, start: Iterable<string>, depth: number, dir: 'predecessors' | 'successors'): Set<string> {
  const out = new Set<string>();
  let frontier = [...start];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const n of g[dir](id) ?? []) {
        if (!out.has(n)) {
          out.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return out;
}

/** selectors.yml of each project, read once; the named selectors being evaluated (a cycle is an error). */
const yamlSelectors = new WeakMap<Project, ReturnType<typeof loadSelectors>>();
const evaluating: string[] = [];

function selectorsOf(project: Project): ReturnType<typeof loadSelectors> {
  let selectors = yamlSelectors.get(project);
  if (!selectors) yamlSelectors.set(project, (selectors = loadSelectors(project.root)));
  return selectors;
}

/** What a command given no --select or --selector selects: the selectors.yml entry marked `default: true`, if any. */
export function defaultSelection(project: Project): string[] | undefined {
  const name = defaultSelectorName(selectorsOf(project));
  return name === undefined ? undefined : [`selector:${name}`];
}

/**
 * The indirect selection a selection asks for: a selectors.yml selector's `indirect_selection`
 * when that selector is the whole selection (`--selector x`, or the default one), else the
 * command's (`given`), else eager. A selector that sets one inside a larger selection is refused.
 */
export function indirectSelectionOf(project: Project, specs: string[] | undefined, given: IndirectSelection | undefined): IndirectSelection {
  const atoms = (specs ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
  const selectors = selectorsOf(project);
  for (const atom of atoms) {
    const name = /^(?:\d*\+|@)?selector:([^+]+?)(?:\+\d*)?$/.exec(atom)?.[1];
    const mode = name === undefined ? undefined : selectorIndirectSelection(selectors, name);
    if (mode === undefined) continue;
    if (atoms.length === 1) return mode;
    throw new FtError(
      `selector "${name}" sets indirect_selection: ${mode}, which ft applies when the selector is the whole selection (--selector ${name}); here it is one part of "${specs!.join(' ')}". Run it alone, or drop its indirect_selection and pass --indirect-selection ${mode}.`,
      2,
      SELECTORS_FILE,
      selectorLine(selectors, name!),
    );
  }
  return given ?? 'eager';
}

/** `selector:name`: what the selectors.yml entry picks. */
function namedSelection(project: Project, g: Graph, name: string, changes: StateChanges): Set<string> {
  const selectors = selectorsOf(project);
  if (evaluating.includes(name)) {
    throw new FtError(`selectors refer to each other in a cycle: ${[...evaluating.slice(evaluating.indexOf(name)), name].join(' -> ')}.`, 2, SELECTORS_FILE, selectorLine(selectors, name));
  }
  evaluating.push(name);
  try {
    return evaluateSelector(selectors, name, { evaluate: (spec) => evaluate(project, g, [spec], changes), all: () => new Set(project.nodes.keys()) });
  } finally {
    evaluating.pop();
  }
}

function selectAtom(project: Project, g: Graph, a: Atom, changes: StateChanges): Set<string> {
  let base = new Set<string>();
  if (a.method === 'selector') base = namedSelection(project, g, a.value, changes);
  else for (const node of project.nodes.values()) if (matchesAtom(project, node, a, changes)) base.add(node.unique_id);
  const out = new Set(base);
  if (a.parents) for (const id of walk(g, base, a.parents, 'predecessors')) out.add(id);
  if (a.children || a.at) {
    const kids = walk(g, base, a.at ? Infinity : a.children, 'successors');
    for (const id of kids) out.add(id);
    if (a.at) for (const id of walk(g, kids, Infinity, 'predecessors')) out.add(id);
  }
  return out;
}

/**
 * One selector expression: space-separated union of comma-separated intersections.
 * `unmatched` hears each criterion of the union that selects nothing.
 */
function evaluate(project: Project, g: Graph, specs: string[], changes: StateChanges, unmatched?: (criterion: string) => void): Set<string> {
  const out = new Set<string>();
  for (const spec of specs.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    let acc: Set<string> | undefined;
    for (const part of spec.split(',').filter(Boolean)) {
      const s = selectAtom(project, g, parseAtom(part), changes);
      acc = acc === undefined ? s : new Set([...acc].filter((x: string) => s.has(x)));
    }
    if (unmatched && !acc?.size) unmatched(spec);
    for (const id of acc ?? []) out.add(id);
  }
  return out;
}

/** The comparison with --state, made when a state: selector first asks for it; null without --state. */
type StateChanges = (() => Map<string, NodeChange> | null) & { state?: StateManifest };

function stateChanges(project: Project, state: StateManifest | undefined): StateChanges {
  let compared: Map<string, NodeChange> | undefined;
  // the manifest itself rides along for result:, which reads the run_results.json beside it
  return Object.assign(() => (state ? (compared ??= compareWithState(project, state)) : null), { state });
}

/** Node ids matched by selector expressions (e.g. those of --exclude). */
/**
 * What --exclude takes out: the nodes it matches and, as dbt expands an exclusion like any
 * selection, the tests its mode brings in with them (eager: every test of an excluded node).
 */
function excludedNodes(project: Project, g: Graph, specs: string[] | undefined, state?: StateManifest, mode?: IndirectSelection, unmatched?: (criterion: string) => void): Set<string> {
  if (!specs?.length) return new Set();
  return withIndirectTests(project, g, evaluate(project, g, specs, stateChanges(project, state), unmatched), undefined, mode);
}

/** dbt's words for a criterion that selects nothing. */
export function unmatchedMessage(criterion: string): string {
  return `The selection criterion '${criterion}' does not match any enabled nodes`;
}

/** Node ids chosen by --select minus --exclude (everything when no --select). */
export function selectNodes(project: Project, g: Graph, opts: SelectOptions): Set<string> {
  return selection(project, g, opts).selected;
}

/** --select minus --exclude, and what --exclude took out (its tests too): callers that add tests leave those out. */
export function selection(project: Project, g: Graph, opts: SelectOptions): { selected: Set<string>; excluded: Set<string> } {
  const changes = stateChanges(project, opts.state);
  const selected = opts.select?.length ? evaluate(project, g, opts.select, changes, opts.unmatched) : new Set(project.nodes.keys());
  const excluded = excludedNodes(project, g, opts.exclude, opts.state, opts.indirectSelection, opts.unmatched);
  for (const id of excluded) selected.delete(id);
  return { selected, excluded };
}
