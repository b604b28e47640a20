/** Minimal glob matching for landing paths: `*`, `?`, `**`, `[abc]`, `{a,b}`. Paths use `/`. */

const GLOB_CHARS = /[*?[\]{}]/;

export function hasGlob(s: string): boolean {
  return GLOB_CHARS.test(s);
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:[^/]*/)*';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else if (c === '{') {
      inGroup++;
      re += '(?:';
    } else if (c === '}' && inGroup > 0) {
      inGroup--;
      re += ')';
    } else if (c === ',' && inGroup > 0) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Splits `landing/events/*.ndjson` into the directory to watch and the glob below it. */
export function splitGlobPath(p: string): { base: string; glob: string | null } {
  const norm = p.replace(/\\/g, '/');
  if (!hasGlob(norm)) return { base: p, glob: null };
  const parts = norm.split('/');
  const i = parts.findIndex((s) => hasGlob(s));
  const base = parts.slice(0, i).join('/') || (norm.startsWith('/') ? '/' : '.');
  return { base, glob: parts.slice(i).join('/') };
}
