import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect, TEST_DB } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** ft debug: the server version and the target, never the password. */
describe('ft debug', () => {
  let p: TestProject;
  // a throwaway user with a password, so the masked password is a real one
  const user = `ftt_dbg_${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    p = await createProject({ label: 'debug', models: { 'a.sql': 'select 1 as a' } });
    const c = await connect();
    try {
      await c.query(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?`, [user, password]);
      await c.query(`CREATE USER ?@'localhost' IDENTIFIED BY ?`, [user, password]);
      await c.query(`GRANT ALL ON \`${p.prefix}%\`.* TO ?@'127.0.0.1'`, [user]);
      await c.query(`GRANT ALL ON \`${p.prefix}%\`.* TO ?@'localhost'`, [user]);
    } finally {
      await c.end();
    }
    p.write(
      'profiles.yml',
      stringify({ proj: { target: 'dev', outputs: { dev: { type: 'mysql', host: TEST_DB.host, port: TEST_DB.port, user, password, database: p.database, threads: 3 } } } }),
    );
  });

  afterAll(async () => {
    const c = await connect();
    try {
      await c.query(`DROP USER IF EXISTS ?@'127.0.0.1'`, [user]);
      await c.query(`DROP USER IF EXISTS ?@'localhost'`, [user]);
    } finally {
      await c.end();
    }
    await p.cleanup();
  });

  it('prints the server version and the target with the password masked', async () => {
    const r = await p.ft(['debug']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^ft version: \d+\.\d+\.\d+/m);
    expect(r.stdout).toMatch(/^connection: OK \((mariadb|mysql) \d+\.\d+\.\d+/m);
    expect(r.stdout).toMatch(/^ {2}password: \*{4}$/m);
    expect(r.stdout).toMatch(new RegExp(`^ {2}user: ${user}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ {2}database: ${p.database}$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}host: 127\.0\.0\.1$/m);
    expect(r.stdout).toMatch(/^ {2}threads: 3$/m);
    expect(r.stdout).toMatch(/^profiles\.yml: .*profiles\.yml$/m);
    expect(r.output).not.toContain(password);
  });

  it('the same user can build with that profile', async () => {
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain(password);
  });

  it('a wrong password: the target is still shown masked, then one error line, exit 2', async () => {
    const good = p.read('profiles.yml');
    try {
      p.write('profiles.yml', good.replace(password, `${password}-wrong`));
      const r = await p.ft(['debug']);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/^ {2}password: \*{4}$/m);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: access denied for ftt_dbg_/);
      expect(r.output).not.toContain(password);
    } finally {
      // the other tests use the right password
      p.write('profiles.yml', good);
    }
  });
});
