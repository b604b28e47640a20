// What a template's output depends on beyond the project's files, vars and target: found in
// its text (and its macros' text), so that caches keyed by content re-render it when that changes.

export interface TemplateReads {
  /** environment variables named literally to env_var (`{{env_var "NAME" …}}`, also in a subexpression) */
  envNames: string[];
  /** an env_var whose name is computed (`{{env_var name}}`): it may read any variable */
  anyEnv: boolean;
  /** `run_started_at` or `invocation_id`: its SQL is new in every invocation */
  invocation: boolean;
}

const NONE: TemplateReads = { envNames: [], anyEnv: false, invocation: false };

/** What one template text reads from outside the project. */
export function templateReads(text: string): TemplateReads {
  // most templates read nothing: look for the words before running a regex
  const env = text.includes('env_var');
  const invocation = (text.includes('run_started_at') || text.includes('invocation_id')) && /\b(?:run_started_at|invocation_id)\b/.test(text);
  if (!env) return invocation ? { ...NONE, invocation } : NONE;
  const names = new Set<string>();
  let anyEnv = false;
  for (const m of text.matchAll(/(?:\{\{~?|\()\s*env_var\s+(?:"([^"]+)"|'([^']+)'|[^\s"'}])/g)) {
    const name = m[1] ?? m[2];
    if (name === undefined) anyEnv = true;
    else names.add(name);
  }
  return { envNames: [...names], anyEnv, invocation };
}

/** A template's reads together with those of the macros it may call. */
export function withMacros(own: TemplateReads, macros: TemplateReads): TemplateReads {
  if (macros === NONE) return own;
  return { envNames: [...new Set([...macros.envNames, ...own.envNames])], anyEnv: own.anyEnv || macros.anyEnv, invocation: own.invocation || macros.invocation };
}

/** The reads of the project's macros (partials), taken as one text. */
export const macroReads = (partials: Iterable<unknown>): TemplateReads => templateReads([...partials].filter((p): p is string => typeof p === 'string').join('\n'));
