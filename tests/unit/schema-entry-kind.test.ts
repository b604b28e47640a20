import { describe, expect, it } from 'vitest';
import { FtError } from '../../src/util/errors.js';
import { loadFiles } from '../helpers/project-files.js';

// A seed described under models: (mrr-playbook's subscription_periods) was "no .sql exists …
// remove the entry" — following it deleted the seed's tests. It now says where the entry goes.

describe('a schema entry under the wrong kind', () => {
  it('names the kind the node is and the section to move the entry to', async () => {
    const e = await loadFiles({
      'seeds/periods.csv': 'id\n1\n',
      'models/schema.yml': 'models:\n  - name: periods\n    columns: [{name: id, data_tests: [unique]}]\n',
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FtError);
    expect((e as FtError).format()).toBe('models/schema.yml:2: "periods" is a seed, described here under models:. Move this entry (and its tests) under seeds:.');
  });
});
