import { sha256 } from './hash.js';

// The environment variables ft read for a project: a compile is reused only while they keep
// their values, not while the whole environment does (`cd` alone changes OLDPWD).
const read = new Set<string>();

/** process.env[name], noted as read by this process. */
export function readEnv(name: string): string | undefined {
  read.add(name);
  return process.env[name];
}

/** Names read through readEnv by this process so far. */
export const envNamesRead = (): ReadonlySet<string> => read;

/** What a cache keeps of a variable's value: a hash (values may be credentials), or null when unset. */
export const envFingerprint = (name: string): string | null => {
  const v = process.env[name];
  return v === undefined ? null : sha256(v);
};

/**
 * These variables' fingerprints now, by name; a variable holding `password` (the target's) is
 * left out: no hash of a credential is kept, and a password changes no compiled SQL.
 */
export function envFingerprints(names: Iterable<string>, password: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const n of [...new Set(names)].sort()) if (!password || process.env[n] !== password) out[n] = envFingerprint(n);
  return out;
}

/** A hash of the whole environment but `_` (the shell's last command), for code that may read any of it. */
export const wholeEnvHash = (): string => sha256(JSON.stringify(Object.entries(process.env).filter(([k]) => k !== '_').sort()));

/** Whether JavaScript source may read the environment (it names `process` at all). */
export const mayReadEnv = (source: string): boolean => /\bprocess\b/.test(source);
