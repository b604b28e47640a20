import { fstatSync, readSync } from 'node:fs';
import type { Node } from '../project/types.js';
import { putJson } from './json-pieces.js';
import { BufferedText, scratchBuffer, stageFile, writeAll, type StagedFile } from './write-json.js';

/** Where a node's JSON is in manifest.json, in bytes: [start, end). */
export type NodeOffsets = Record<string, [number, number]>;

/** The manifest's maps of nodes by unique id: their entries are written (and located) one by one. */
const NODE_MAPS = new Set(['nodes', 'sources']);

/**
 * Writes a manifest as JSON.stringify would, byte for byte, into a staged file (renamed into
 * place by `commit()`), and returns the byte range of every node for which `indexed` is true.
 *
 * Each node is stringified alone (json-pieces.ts: the manifest of a large project is tens of
 * MB, which as one string costs more to touch than to produce). The byte ranges let a later
 * compile read and replace single nodes without reading the whole file.
 */
export function stageManifest(file: string, manifest: Record<string, unknown>, indexed: (node: { resource_type?: string }) => boolean): { staged: StagedFile; offsets: NodeOffsets } {
  const offsets: NodeOffsets = {};
  const staged = stageFile(file, (fd) => {
    const out = new BufferedText(fd);
    putJson(out, manifest, NODE_MAPS, (id, node, start, end) => {
      if (indexed(node as { resource_type?: string })) offsets[id] = [start, end];
    });
    out.flush();
  });
  return { staged, offsets };
}

/** `length` bytes of an open file from `position`; undefined if the file is shorter. */
function bytesAt(fd: number, position: number, length: number): Buffer | undefined {
  const out = Buffer.allocUnsafe(length);
  for (let done = 0; done < length; ) {
    const n = readSync(fd, out, done, length - done, position + done);
    if (n === 0) return undefined;
    done += n;
  }
  return out;
}

/** Whether the open manifest starts with `head`. */
export function startsWith(fd: number, head: Buffer): boolean {
  return bytesAt(fd, 0, head.length)?.equals(head) ?? false;
}

/** The node at its recorded place in the open manifest; undefined unless it is there, whole. */
export function readNodeAt(fd: number, offsets: NodeOffsets, id: string): Node | undefined {
  const at = offsets[id];
  const bytes = at && bytesAt(fd, at[0], at[1] - at[0]);
  if (!bytes) return undefined;
  try {
    const node = JSON.parse(bytes.toString('utf8')) as Node;
    return node.unique_id === id ? node : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A copy of the open manifest, staged next to `file`, with its first bytes replaced by `head`
 * (the same length) and some nodes by new JSON; the nodes' new byte ranges. The unchanged
 * bytes are copied through one reused buffer, so the file is never all in memory.
 */
export function replaceNodes(file: string, fd: number, head: Buffer, nodes: Array<{ id: string; json: string }>, offsets: NodeOffsets): { staged: StagedFile; offsets: NodeOffsets } {
  const edits = nodes.map((n) => ({ at: offsets[n.id]!, bytes: Buffer.from(n.json) })).sort((a, b) => a.at[0] - b.at[0]);
  const buffer = scratchBuffer();
  const size = fstatSync(fd).size;
  const copy = (out: number, from: number, to: number): void => {
    for (let at = from; at < to; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, to - at), at);
      if (n === 0) throw new Error('the manifest changed while it was copied');
      writeAll(out, buffer, n);
      at += n;
    }
  };
  const staged = stageFile(file, (out) => {
    writeAll(out, head, head.length);
    let from = head.length;
    for (const e of edits) {
      copy(out, from, e.at[0]);
      writeAll(out, e.bytes, e.bytes.length);
      from = e.at[1];
    }
    copy(out, from, size);
  });
  // every range after a replaced node moves by the difference in its length
  const moved: NodeOffsets = {};
  for (const [id, [start, end]] of Object.entries(offsets)) {
    let shift = 0;
    let replaced: Buffer | undefined;
    for (const e of edits) {
      if (e.at[0] === start) replaced = e.bytes;
      if (e.at[1] > start) break;
      shift += e.bytes.length - (e.at[1] - e.at[0]);
    }
    moved[id] = [start + shift, replaced ? start + shift + replaced.length : end + shift];
  }
  return { staged, offsets: moved };
}
