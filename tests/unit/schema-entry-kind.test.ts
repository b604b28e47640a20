import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import { FtError } from '../../src/util/errors.js';

// A seed described under models: (mrr-playbook's subscription_periods) was "no .sql exists …
// remove the entry" — following it deleted the seed's tests. It now says where the entry goes.
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a schema entry under the wrong kind', () => {
  it('names the kind the node is and the section to move the entry to', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ft-entrykind-'));
    dirs.push(root);
    const files: Record<string, string> = {
      'project.yml': 'name: p\nprofile: p\n',
      'profiles.yml': 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n',
      'seeds/periods.csv': 'id\n1\n',
      'models/schema.yml': 'models:\n  - name: periods\n    columns: [{name: id, data_tests: [unique]}]\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const e = await loadProject({ projectDir: root, partialParse: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FtError);
    expect((e as FtError).format()).toBe('models/schema.yml:2: "periods" is a seed, described here under models:. Move this entry (and its tests) under seeds:.');
  });
});
