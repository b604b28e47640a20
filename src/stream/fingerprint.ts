/**
 * A file's identity is the sha256 of its first min(size, 64 KiB) bytes: it survives renames
 * (into `_archive/`, or by the producer), so a file is never loaded twice; a file that grows by
 * appends keeps its identity once it is past 64 KiB (the loader then resumes where it stopped).
 * Two byte-identical small files share an identity: the second is recognised as already loaded.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const HEAD_BYTES = 64 * 1024;

export interface Fingerprint {
  id: string;
  headLen: number;
}

export async function hashHead(fh: FileHandle, len: number): Promise<string> {
  const buf = Buffer.allocUnsafe(len);
  let off = 0;
  while (off < len) {
    const { bytesRead } = await fh.read(buf, off, len - off, off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  return createHash('sha256').update(buf.subarray(0, off)).digest('hex');
}

export async function fingerprint(fh: FileHandle, size: number): Promise<Fingerprint> {
  const headLen = Math.min(size, HEAD_BYTES);
  return { id: await hashHead(fh, headLen), headLen };
}
