/**
 * File identity. A file is known by its content, not its path, so a file renamed (into
 * `_archive/`, or by its producer) or dropped again is recognised as loaded:
 *
 * - `head_id`, the sha256 of its first min(size, 64 KiB) bytes, finds the candidates quickly
 *   (an index of the checkpoint table);
 * - `content_hash`, the sha256 of every byte committed so far ([0, bytes_committed)), decides:
 *   a file is a loaded file (or that file grown) only when its first `bytes_committed` bytes
 *   hash to the same value. Two files that differ anywhere in what was loaded are never one.
 *
 * The content hash is kept up to date as batches are read (bulk `update`s of the read buffer),
 * and recomputed from the file when a file is resumed from its checkpoint.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const HEAD_BYTES = 64 * 1024;
const READ_BYTES = 1024 * 1024;

/** sha256 (hex) of the first min(size, 64 KiB) bytes, and that length. */
export interface Fingerprint {
  headId: string;
  headLen: number;
}

export async function fingerprint(fh: FileHandle, size: number): Promise<Fingerprint> {
  const headLen = Math.min(size, HEAD_BYTES);
  const h = createHash('sha256');
  await hashRange(fh, h, 0, headLen);
  return { headId: h.digest('hex'), headLen };
}

/** Feeds bytes [from, to) of a file into `h`; returns how many were read (less when the file is shorter). */
export async function hashRange(fh: FileHandle, h: Hash, from: number, to: number): Promise<number> {
  const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(1, to - from)));
  let off = from;
  while (off < to) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - off), off);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    off += bytesRead;
  }
  return off - from;
}

/**
 * The sha256 of the file's first `len` bytes for each of `lengths`, in one pass. Also returns
 * the running hash positioned at each length, so loading can continue from there.
 */
export async function prefixHashes(fh: FileHandle, lengths: number[]): Promise<Map<number, { digest: string; state: Hash }>> {
  const out = new Map<number, { digest: string; state: Hash }>();
  const sorted = [...new Set(lengths)].sort((a, b) => a - b);
  const h = createHash('sha256');
  let at = 0;
  for (const len of sorted) {
    if ((await hashRange(fh, h, at, len)) !== len - at) break; // the file is shorter
    at = len;
    out.set(len, { digest: h.copy().digest('hex'), state: h.copy() });
  }
  return out;
}
