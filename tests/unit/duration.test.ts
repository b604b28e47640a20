/** src/util/duration.ts: the producer's flags (a bare number is seconds) and the loader's settings (milliseconds). */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', () => {
  it('reads units and compounds', () => {
    expect(parseDuration('60s', 's')).toBe(60_000);
    expect(parseDuration('24h', 's')).toBe(86_400_000);
    expect(parseDuration('7d', 's')).toBe(604_800_000);
    expect(parseDuration('1h30m', 's')).toBe(5_400_000);
    expect(parseDuration('500ms', 's')).toBe(500);
    expect(parseDuration('2 minutes', 'ms')).toBe(120_000);
    expect(parseDuration(' 1 SEC ', 'ms')).toBe(1000);
    expect(parseDuration('1.5ms', 'ms')).toBe(1.5);
  });

  it('reads a bare number in the unit the caller names', () => {
    expect(parseDuration('90', 's')).toBe(90_000);
    expect(parseDuration('250', 'ms')).toBe(250);
  });

  it('returns null for what is not a duration', () => {
    for (const t of ['soon', '', '  ', '1h30', '5 hours', '-5s', '1.2.3s', 's']) expect(parseDuration(t, 'ms'), t).toBeNull();
  });

  it('formats', () => {
    expect(formatDuration(90_061_000)).toBe('1d1h1m1s');
  });
});
