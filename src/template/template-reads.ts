// What a template's output depends on beyond the project's files, vars and target: found in
// its text (and its macros' text), so that caches keyed by content re-render it when that changes.

/**
 * The environment variables a template reads with env_var (`{{env_var "NAME" …}}`, also in a
 * subexpression): the names given literally, and whether a name is computed (`{{env_var name}}`),
 * in which case it may read any variable.
 */
export function envReads(text: string): { names: string[]; computed: boolean } {
  // most templates read none: the regex below would try every "{{" and "("
  if (!text.includes('env_var')) return { names: [], computed: false };
  const names = new Set<string>();
  let computed = false;
  for (const m of text.matchAll(/(?:\{\{~?|\()\s*env_var\s+(?:"([^"]+)"|'([^']+)'|[^\s"'}])/g)) {
    const name = m[1] ?? m[2];
    if (name === undefined) computed = true;
    else names.add(name);
  }
  return { names: [...names], computed };
}

/** Whether a template reads `run_started_at` or `invocation_id`: its SQL is new in every invocation. */
export const readsInvocation = (text: string): boolean =>
  (text.includes('run_started_at') || text.includes('invocation_id')) && /\b(?:run_started_at|invocation_id)\b/.test(text);
