import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** profiles.yml values from env_var reach the connection exactly as set; a bad port is refused. */
describe('profile values', () => {
  let p: TestProject;
  const user = `ftt_pw_${randomBytes(3).toString('hex')}`;
  // a password YAML would read differently if pasted into its text
  const password = 'a"b\\c\\"d: #e\'f';

  beforeAll(async () => {
    p = await createProject({ label: 'profvals', models: { 'one.sql': 'select 1 as id' } });
    const conn = await connect();
    try {
      await conn.query(`CREATE USER '${user}'@'%' IDENTIFIED BY ?`, [password]);
      await conn.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY ?`, [password]);
      await conn.query(`GRANT ALL ON \`${p.prefix}%\`.* TO '${user}'@'%'`);
      await conn.query(`GRANT ALL ON \`${p.prefix}%\`.* TO '${user}'@'localhost'`);
    } finally {
      await conn.end();
    }
  });

  afterAll(async () => {
    const conn = await connect();
    try {
      await conn.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await conn.query(`DROP USER IF EXISTS '${user}'@'localhost'`);
    } finally {
      await conn.end();
    }
    await p.cleanup();
  });

  const writeProfile = (fields: string): void => {
    p.write('profiles.yml', `proj:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      host: 127.0.0.1\n      database: ${p.prefix}\n      threads: 1\n${fields}`);
  };

  it('a password from env_var holding " and \\ is used as it is', async () => {
    writeProfile(`      port: 3306\n      user: ${user}\n      password: "{{env_var "FT_TEST_PW"}}"\n`);
    const r = await p.ft(['run'], { env: { FT_TEST_PW: password } });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain(password);
    expect(await p.tables()).toContain('one');
  });

  it('the same password in single quotes or unquoted works too', async () => {
    writeProfile(`      port: 3306\n      user: ${user}\n      password: '{{env_var "FT_TEST_PW"}}'\n`);
    const r = await p.ft(['debug'], { env: { FT_TEST_PW: password } });
    expect(r.code, r.output).toBe(0);
  });

  it('a port that is not a number (an unset env_var) is refused with the profile path and value', async () => {
    writeProfile(`      port: "{{env_var "FT_TEST_NO_SUCH_PORT" ""}}"\n      user: root\n      password: ""\n`);
    const r = await p.ft(['run'], { env: { FT_TEST_NO_SUCH_PORT: undefined } });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain(p.path('profiles.yml'));
    expect(r.output).toMatch(/port/);
    expect(r.output).toMatch(/""/);
    expect(r.output).not.toMatch(/\n\s+at /);
  });

  it('a port "33o6" is refused and a port from env_var "3306" is accepted', async () => {
    writeProfile(`      port: "{{env_var "FT_TEST_PORT"}}"\n      user: root\n      password: ""\n`);
    const bad = await p.ft(['run'], { env: { FT_TEST_PORT: '33o6' } });
    expect(bad.code, bad.output).toBe(2);
    expect(bad.output).toContain('33o6');
    expect(bad.output).toContain('proj.outputs.dev.port');
    const good = await p.ft(['run'], { env: { FT_TEST_PORT: '3306' } });
    expect(good.code, good.output).toBe(0);
  });
});
