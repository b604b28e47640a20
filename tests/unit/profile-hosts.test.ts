import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHostList } from '../../src/adapters/mysql/mysql-hosts.js';
import { loadTarget } from '../../src/project/profiles.js';
import { FtError } from '../../src/util/errors.js';

/** A profile's `host:` may list several servers (a Galera cluster's nodes), in the order ft tries them. */
describe('profile host lists', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const target = (host: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-hosts-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'profiles.yml'), `p:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      host: ${host}\n      port: 3307\n      user: u\n      password: s3cret-pw\n      database: d\n`);
    return loadTarget(dir, 'p', { profilesDir: dir });
  };

  it('reads "a,b:port" and YAML lists; a host without a port gets `port:`; one host keeps the old shape', () => {
    expect(parseHostList('db1, db2:3308 ,[::1]:3309', 3306)).toEqual([
      { host: 'db1', port: 3306 },
      { host: 'db2', port: 3308 },
      { host: '::1', port: 3309 },
    ]);
    const t = target('"db1,db2:3308,db3"');
    expect(t.hosts).toEqual([{ host: 'db1', port: 3307 }, { host: 'db2', port: 3308 }, { host: 'db3', port: 3307 }]);
    expect([t.host, t.port]).toEqual(['db1', 3307]);
    expect(target('[db1, "db2:3308"]').hosts).toEqual([{ host: 'db1', port: 3307 }, { host: 'db2', port: 3308 }]);
    const one = target('db1');
    expect([one.host, one.port, one.hosts]).toEqual(['db1', 3307, undefined]);
  });

  it.each([
    ['"db1,,db2"', 'an empty entry between commas'],
    ['"db1,db2:99999"', 'not a port number'],
    ['"db1,db2:x"', 'is not a host or host:port'],
    ['"db1,db1:3307"', 'listed twice'],
    ['[db1, {a: 1}]', 'is not a host name'],
    ['[]', 'an empty list'],
  ])('refuses host: %s naming the file, the target, the value and the fix (no password)', (value, problem) => {
    let err: unknown;
    try {
      target(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FtError);
    const msg = (err as Error).message;
    expect(msg).toContain(problem);
    expect(msg).toContain('p.outputs.dev.host is');
    expect(msg).toMatch(/profiles\.yml/);
    expect(msg).toContain('"db1:3306,db2:3306"');
    expect(msg).not.toContain('s3cret-pw');
  });
});
