/**
 * Durations as people write them: `500ms`, `60s`, `2 minutes`, `90m`, `1h30m`, `7d`. One grammar
 * for the producer's flags and the loader's settings; each caller words its own error.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const BARE_RE = /^\d+(?:\.\d+)?$/;
const PART_RE = /\s*(\d+(?:\.\d+)?)\s*([a-z]+)/iy;

/**
 * Milliseconds (not rounded), or null when the text is not a duration. A bare number is in
 * `bareUnit`: the producer's flags count seconds, the loader's settings milliseconds.
 */
export function parseDuration(text: string, bareUnit: 'ms' | 's'): number | null {
  const t = text.trim();
  if (BARE_RE.test(t)) return Number(t) * UNIT_MS[bareUnit]!;
  PART_RE.lastIndex = 0;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = PART_RE.exec(t)) !== null) {
    const unit = UNIT_MS[m[2]!.toLowerCase()];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
    pos = PART_RE.lastIndex;
  }
  return pos > 0 && pos === t.length ? total : null;
}

/** 90061000 → "1d1h1m1s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [u, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${u}`;
    rest -= n * size;
  }
  return out;
}
