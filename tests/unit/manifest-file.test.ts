import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNodeAt, replaceNodes, stageManifest, startsWith } from '../../src/artifacts/manifest-file.js';
import { writeJsonFile } from '../../src/artifacts/json-pieces.js';
import { writeFileAtomic } from '../../src/artifacts/write-json.js';
import { FtError } from '../../src/util/errors.js';

const work = mkdtempSync(join(tmpdir(), 'ft-manifest-file-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const node = (id: string, resource_type: string, code: string): Record<string, unknown> => ({ unique_id: id, resource_type, raw_code: code, config: { tags: [] }, skip: undefined });

/** A manifest with non-ASCII text, a node larger than the write buffer and many small ones. */
function sample(): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) nodes[`model.p.m${i}`] = node(`model.p.m${i}`, 'model', `select ${i} as n -- ${'x'.repeat(i % 400)}`);
  nodes['model.p.wide'] = node('model.p.wide', 'model', `select 'é€😀' as s, '${'y'.repeat(1_500_000)}' as big`);
  nodes['test.p.t1'] = node('test.p.t1', 'test', 'select 1 -- «test»');
  nodes['model.p.after'] = node('model.p.after', 'model', 'select "quoted \\" text" as q');
  return { $schema: 'x', metadata: { generated_at: 'now' }, nodes, sources: { 'source.p.raw.e': node('source.p.raw.e', 'source', '') }, exposures: {}, gone: undefined, vars: { ü: 1 } };
}

describe('the manifest written in pieces', () => {
  it('is byte for byte what JSON.stringify gives, with the byte range of each indexed node', () => {
    const file = join(work, 'a', 'manifest.json');
    const manifest = sample();
    const { staged, offsets } = stageManifest(file, manifest, (n) => n.resource_type !== 'test');
    expect(readdirSync(join(work, 'a'))).toEqual([`manifest.json.${process.pid}.tmp`]);
    staged.commit();
    const bytes = readFileSync(file);
    expect(bytes.toString('utf8')).toBe(JSON.stringify(manifest));
    expect(Object.keys(offsets).sort()).toEqual(Object.keys({ ...(manifest.nodes as object), ...(manifest.sources as object) }).filter((id) => !id.startsWith('test.')).sort());
    for (const id of ['model.p.m0', 'model.p.m2999', 'model.p.wide', 'model.p.after', 'source.p.raw.e']) {
      const [start, end] = offsets[id]!;
      expect(JSON.parse(bytes.toString('utf8', start, end))).toEqual(JSON.parse(JSON.stringify((manifest.nodes as Record<string, unknown>)[id] ?? (manifest.sources as Record<string, unknown>)[id])));
    }
  });

  it('writes empty node maps as {} and leaves nothing behind when discarded', () => {
    const file = join(work, 'b', 'manifest.json');
    const manifest = { metadata: {}, nodes: {}, sources: {} };
    const { staged } = stageManifest(file, manifest, () => true);
    staged.discard();
    expect(readdirSync(join(work, 'b'))).toEqual([]);
    stageManifest(file, manifest, () => true).staged.commit();
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(manifest));
  });

  it('a manifest that cannot be put in place is an FtError naming it, and no temporary file is left', () => {
    const file = join(work, 'd', 'manifest.json');
    mkdirSync(join(file, 'in-the-way'), { recursive: true });
    const { staged } = stageManifest(file, { nodes: {} }, () => true);
    const err = (() => {
      try {
        staged.commit();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(FtError);
    expect((err as FtError).message).toContain(`cannot write ${file}`);
    expect((err as FtError).exitCode).toBe(2);
    staged.discard();
    expect(readdirSync(join(work, 'd'))).toEqual(['manifest.json']);
    // and one whose folder cannot be made fails the same way, before anything is written
    writeFileSync(join(work, 'e'), 'a file where the target folder should be');
    expect(() => stageManifest(join(work, 'e', 'manifest.json'), {}, () => true)).toThrow(FtError);
  });

  it('replaces nodes in a copy and moves the ranges of the nodes after them', () => {
    const file = join(work, 'c', 'manifest.json');
    const manifest = sample();
    const { staged, offsets } = stageManifest(file, manifest, (n) => n.resource_type !== 'test');
    staged.commit();
    const nodes = manifest.nodes as Record<string, Record<string, unknown>>;
    nodes['model.p.m10']!.raw_code = 'select 10 -- now longer, with ü';
    nodes['model.p.wide']!.raw_code = 'select 1';
    nodes['model.p.m2']!.raw_code = 'x';
    manifest.$schema = 'y';
    const fd = openSync(file, 'r');
    try {
      expect(startsWith(fd, Buffer.from('{"$schema":"x"'))).toBe(true);
      expect(readNodeAt(fd, offsets, 'model.p.m10')).toMatchObject({ unique_id: 'model.p.m10', raw_code: expect.stringMatching(/^select 10 as n/) });
      expect(readNodeAt(fd, offsets, 'model.p.nope')).toBeUndefined();
      // a range that does not hold the node asked for
      expect(readNodeAt(fd, { 'model.p.m1': offsets['model.p.m2']! }, 'model.p.m1')).toBeUndefined();
      const changed = ['model.p.m10', 'model.p.wide', 'model.p.m2'].map((id) => ({ id, json: JSON.stringify(nodes[id]) }));
      const next = replaceNodes(file, fd, Buffer.from('{"$schema":"y"'), changed, offsets);
      next.staged.commit();
      const bytes = readFileSync(file);
      expect(bytes.toString('utf8')).toBe(JSON.stringify(manifest));
      for (const [id, [start, end]] of Object.entries(next.offsets)) expect((JSON.parse(bytes.toString('utf8', start, end)) as { unique_id: string }).unique_id).toBe(id);
    } finally {
      closeSync(fd);
    }
  });
});

describe('text written through the scratch buffer', () => {
  it('is the same bytes as Buffer.from, with pairs of surrogates across every piece boundary', () => {
    const step = Math.floor((1 << 20) / 3);
    // '😀' is two UTF-16 units: shifted by one unit, every boundary between pieces falls inside one
    for (const prefix of ['', 'a']) {
      const text = prefix + '😀é'.repeat(step) + 'tail';
      const file = join(work, `text${prefix.length}.json`);
      writeFileAtomic(file, text);
      expect(readFileSync(file).equals(Buffer.from(text))).toBe(true);
    }
    writeFileAtomic(join(work, 'empty.json'), '');
    expect(readFileSync(join(work, 'empty.json'), 'utf8')).toBe('');
  });
});

describe('JSON caches written entry by entry', () => {
  it('are byte for byte JSON.stringify, whatever the values under the streamed keys', () => {
    const value = { version: 3, files: { 'a.sql': { checksum: 'x', n: [1, 2] }, 'b ü.sql': { skip: undefined } }, schemas: {}, stamps: null, gone: undefined, text: 'é"\\' };
    const file = join(work, 'cache.json');
    writeJsonFile(file, value, new Set(['files', 'schemas', 'stamps', 'missing']));
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(value));
    const entries = { k1: { key: 'a', sql: 'select 1' }, k2: undefined, 'k"3': { key: 'b', sql: 'é' } };
    writeJsonFile(file, entries, 'entries');
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(entries));
    writeJsonFile(file, {}, 'entries');
    expect(readFileSync(file, 'utf8')).toBe('{}');
  });
});
