// What a template's output depends on beyond the project's files, vars and target: found in
// its text (and its macros' text), so that caches keyed by content re-render it when that changes.

/** Names passed literally to env_var in a template (`{{env_var "NAME" …}}`, also inside a subexpression). */
export function envVarNames(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\benv_var\s+(?:"([^"]+)"|'([^']+)')/g)) out.add(m[1] ?? m[2]!);
  return [...out];
}

/** Whether a template reads `run_started_at` or `invocation_id`: its SQL is new in every invocation. */
export const readsInvocation = (text: string): boolean => /\b(?:run_started_at|invocation_id)\b/.test(text);
