/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32) so that the event producer is
 * deterministic: the same seed and options always give byte-identical output, on any machine.
 * Not cryptographic. All arithmetic is 32-bit integer (Math.imul, >>>), so results never depend
 * on floating-point quirks.
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(w: number): string {
  return HEX[w >>> 24]! + HEX[(w >>> 16) & 255]! + HEX[(w >>> 8) & 255]! + HEX[w & 255]!;
}

/** 32-bit FNV-1a of a string (UTF-16 code units). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32 step: returns [output, next state]. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let t = next ^ (next >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return [t >>> 0, next];
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed  any number or string; `42` and `"42"` are the same seed.
   * @param stream  an independent sub-stream name (e.g. "flash-sales/20261124"), so that one part
   *   of the simulation can draw numbers without shifting another part's sequence.
   */
  constructor(seed: number | string, stream = '') {
    const key = `${String(seed)}\u0000${stream}`;
    // Two different hashes of the key so that the 128-bit state is not a function of 32 bits only.
    let st = fnv1a32(key) ^ Math.imul(key.length, 0x9e3779b1);
    let h2 = 0;
    for (let i = key.length - 1; i >= 0; i--) h2 = (Math.imul(h2, 31) + key.charCodeAt(i)) | 0;
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [o, n] = splitmix32(st ^ (i === 1 ? h2 : 0));
      out.push(o);
      st = n;
    }
    [this.s0, this.s1, this.s2, this.s3] = out as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** A UUID string shaped like RFC 4122 version 4 (version and variant bits set), from this stream. */
  uuid(): string {
    const a = this.nextU32();
    const b = ((this.nextU32() & 0xffff0fff) | 0x00004000) >>> 0;
    const c = ((this.nextU32() & 0x3fffffff) | 0x80000000) >>> 0;
    const d = this.nextU32();
    const H = HEX;
    return (
      hex8(a) +
      '-' +
      H[b >>> 24]! +
      H[(b >>> 16) & 255]! +
      '-' +
      H[(b >>> 8) & 255]! +
      H[b & 255]! +
      '-' +
      H[c >>> 24]! +
      H[(c >>> 16) & 255]! +
      '-' +
      H[(c >>> 8) & 255]! +
      H[c & 255]! +
      hex8(d)
    );
  }

  /** `n` random bits as lowercase hex (n a multiple of 32). */
  hex(bits: 32 | 64 | 96 | 128): string {
    let s = '';
    for (let i = 0; i < bits; i += 32) s += hex8(this.nextU32());
    return s;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
