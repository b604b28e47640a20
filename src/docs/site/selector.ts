/**
 * Node selection in the browser, over the docs data: the CLI's syntax
 * (src/graph/selector.ts) — `name`, `+name`, `name+`, `2+name`, `name+1`, `@name`,
 * `method:value`, space = union, comma = intersection — reimplemented without
 * the project and graphlib, which the browser does not have.
 */
export interface SelNode {
  id: string;
  name: string;
  type: string;
  tags: string[];
  path: string;
  fqn: string[];
  package: string;
  source_name?: string;
  test_name?: string;
  config: Record<string, unknown>;
}

export interface SelGraph {
  nodes: Map<string, SelNode>;
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

export interface SelAtom {
  at: boolean;
  parents: number;
  children: number;
  method: string;
  value: string;
  raw: string;
}

export const SELECTOR_METHODS = ['tag', 'path', 'file', 'fqn', 'source', 'resource_type', 'test_type', 'test_name', 'state', 'exposure', 'package', 'config', 'name'];

export class SelectorError extends Error {}

export function parseSelectorAtom(raw: string): SelAtom {
  const m = /^(@)?(?:(\d*)\+)?([^+]*?)(?:\+(\d*))?$/.exec(raw);
  if (!m || !m[3]) throw new SelectorError(`cannot read "${raw}": use name, +name, name+, 2+name, @name, tag:x, path:models/silver`);
  const at = Boolean(m[1]);
  const hasParents = /^\d*\+/.test(raw.replace(/^@/, ''));
  const hasChildren = /\+\d*$/.test(raw);
  if (at && hasParents) throw new SelectorError(`"${raw}": @ already includes parents; write @name or +name`);
  let method = 'name';
  let value = m[3];
  const colon = value.indexOf(':');
  if (colon > 0) {
    method = value.slice(0, colon);
    value = value.slice(colon + 1);
    if (!SELECTOR_METHODS.includes(method.split('.')[0]!)) throw new SelectorError(`unknown selector method "${method}:" (known: ${SELECTOR_METHODS.join(', ')})`);
    if (!value) throw new SelectorError(`"${raw}" has no value after "${method}:"`);
    if (method === 'state') throw new SelectorError('state: selectors need --state on the command line; they are not available in the docs site');
  }
  return {
    at,
    parents: hasParents ? (m[2] ? Number(m[2]) : Infinity) : 0,
    children: hasChildren ? (m[4] ? Number(m[4]) : Infinity) : 0,
    method,
    value,
    raw,
  };
}

/** Space-separated union of comma-separated intersections. */
export function parseSelector(text: string): SelAtom[][] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((spec) => spec.split(',').filter(Boolean).map(parseSelectorAtom));
}

function globRe(pattern: string): RegExp {
  return new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
}

export function atomMatches(n: SelNode, a: SelAtom): boolean {
  const v = a.value;
  switch (a.method.split('.')[0]) {
    case 'name': {
      if (v.includes('*')) return globRe(v).test(n.name);
      if (n.name === v) return n.type !== 'source';
      const parts = v.split('.');
      for (let i = 0; i + parts.length <= n.fqn.length; i++) {
        if (parts.every((p, j) => n.fqn[i + j] === p) && (i + parts.length < n.fqn.length || i > 0)) return n.type !== 'source';
      }
      return false;
    }
    case 'fqn':
      return n.fqn.join('.') === v || n.fqn.join('.').startsWith(`${v}.`) || n.name === v;
    case 'tag':
      return v.includes('*') ? n.tags.some((t) => globRe(v).test(t)) : n.tags.includes(v);
    case 'path': {
      const p = v.replace(/\/+$/, '');
      return n.path === p || n.path.startsWith(`${p}/`) || globRe(p).test(n.path);
    }
    case 'file': {
      const f = n.path.split('/').pop();
      return f === v || f === `${v}.sql`;
    }
    case 'source': {
      if (n.type !== 'source') return false;
      const [s, t] = v.split('.');
      return n.source_name === s && (t === undefined || t === '*' || n.name === t);
    }
    case 'exposure':
      return n.type === 'exposure' && (n.name === v || v === '*');
    case 'resource_type':
      return n.type === v;
    case 'test_type':
      return n.type === 'test' && (v === 'generic' ? n.test_name !== undefined : v === 'singular' ? n.test_name === undefined : false);
    case 'test_name':
      return n.type === 'test' && n.test_name === v;
    case 'package':
      return n.package === v;
    case 'config': {
      const cv = n.config[a.method.slice('config.'.length)];
      if (Array.isArray(cv)) return cv.map(String).includes(v);
      return cv !== undefined && cv !== null && String(cv) === v;
    }
    default:
      return false;
  }
}

/** Nodes within `depth` steps along parents or children (the start nodes excluded). */
export function walkGraph(edges: Map<string, string[]>, start: Iterable<string>, depth: number): Set<string> {
  const out = new Set<string>();
  let frontier = [...start];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const n of edges.get(id) ?? []) {
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

function selectOne(g: SelGraph, a: SelAtom): { ids: Set<string>; base: Set<string> } {
  const base = new Set<string>();
  for (const n of g.nodes.values()) if (atomMatches(n, a)) base.add(n.id);
  const out = new Set(base);
  if (a.parents) for (const id of walkGraph(g.parents, base, a.parents)) out.add(id);
  if (a.children || a.at) {
    const kids = walkGraph(g.children, base, a.at ? Infinity : a.children);
    for (const id of kids) out.add(id);
    if (a.at) for (const id of walkGraph(g.parents, kids, Infinity)) out.add(id);
  }
  return { ids: out, base };
}

/** The ids a selector text picks; throws SelectorError on syntax it cannot read. */
export function selectIds(g: SelGraph, text: string): Set<string> {
  return selectWithBase(g, text).ids;
}

/** The selection, and the nodes the selector names directly (before +, @ expansion), to focus on. */
export function selectWithBase(g: SelGraph, text: string): { ids: Set<string>; base: Set<string> } {
  const ids = new Set<string>();
  const base = new Set<string>();
  for (const group of parseSelector(text)) {
    let acc: Set<string> | undefined;
    const bases: Array<Set<string>> = [];
    for (const atom of group) {
      const s = selectOne(g, atom);
      bases.push(s.base);
      acc = acc === undefined ? s.ids : new Set([...acc].filter((x) => s.ids.has(x)));
    }
    for (const id of acc ?? []) ids.add(id);
    for (const b of bases) for (const id of b) if (acc?.has(id)) base.add(id);
  }
  return { ids, base };
}

/** The selector text that picks exactly this node: name for models and seeds, source:x.y, exposure:x. */
export function selectorFor(n: SelNode): string {
  if (n.type === 'source') return `source:${n.source_name}.${n.name}`;
  if (n.type === 'exposure') return `exposure:${n.name}`;
  if (n.type === 'test') return `fqn:${n.fqn.join('.')}`;
  return n.name;
}
