import { describe, expect, it } from 'vitest';
import { compileInline } from '../../src/compile/compile-inline.js';
import { FtError } from '../../src/util/errors.js';
import { loadFiles } from '../helpers/project-files.js';

// {{target.threads}}, {{target.user}}, {{target.profile_name}} … rendered as empty text, and so
// did a misspelt target field or name in ft compile --inline: dbt documents them; ft now has
// them, and refuses one it does not have, naming the file and line.
describe('target fields', () => {
  const message = (e: unknown): string => (e instanceof FtError ? e.format() : String(e));

  it("renders dbt's target fields (never the password); an unknown field or name is an error", async () => {
    const project = await loadFiles({
      'profiles.yml': 'p:\n  target: ci\n  outputs:\n    ci: {type: mysql, host: db.example, port: 3307, user: builder, password: secret, database: shop, threads: 6}\n',
      'models/m.sql': 'select 1 as x\n',
    });
    expect(compileInline(project, "select '{{target.name}}', '{{target.profile_name}}', {{target.threads}}, '{{target.host}}', {{target.port}}, '{{target.user}}', '{{target.schema}}'")).toBe(
      "select 'ci', 'p', 6, 'db.example', 3307, 'builder', 'shop'",
    );
    expect(message(await Promise.resolve().then(() => compileInline(project, "select '{{target.password}}'")).catch((e: unknown) => e))).toBe(
      "--inline:1: target.password at column 9 is not known; ft's target has name, schema, database, type, profile_name, threads, host, port, user.",
    );
    expect(message(await Promise.resolve().then(() => compileInline(project, "select '{{targett.name}}'")).catch((e: unknown) => e))).toMatch(/^--inline:1: unknown helper or variable "targett\.name"/);
    const e = await loadFiles({ 'models/m.sql': "select '{{target.usr}}' as u\n" }).catch((x: unknown) => x);
    expect(message(e)).toBe("models/m.sql:1: target.usr at column 9 is not known; ft's target has name, schema, database, type, profile_name, threads, host, port, user. Did you mean \"user\"?");
  });
});
