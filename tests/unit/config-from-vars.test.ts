import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';
import { FtError } from '../../src/util/errors.js';

// {{config}} values computed from vars, env_var and target, as dbt's config(enabled=var('x', false)).

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => {
  delete process.env.FT_CFG_SCHEMA;
});

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n';

async function load(models: Record<string, string>, vars?: Record<string, unknown>, projectYml = ''): Promise<Project> {
  const root = mkdtempSync(join(tmpdir(), 'ft-cfgvars-'));
  dirs.push(root);
  const all: Record<string, string> = { 'project.yml': `name: p\nprofile: p\n${projectYml}`, 'profiles.yml': PROFILES };
  for (const [k, v] of Object.entries(models)) all[`models/${k}`] = v;
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return loadProject({ projectDir: root, partialParse: false, vars });
}

describe('{{config}} values computed from vars', () => {
  it('enables a model from a var, with its default when the var is not set', async () => {
    const models = { 'opt.sql': '{{config enabled=(var "load_opt" false) materialized="table"}}\nselect 1 as x', 'base.sql': 'select 1 as y' };
    expect((await load(models)).nodes.has('model.p.opt')).toBe(false);
    const on = await load(models, { load_opt: true });
    expect(on.nodes.get('model.p.opt')?.config.materialized).toBe('table');
    const fromProject = await load(models, undefined, 'vars:\n  load_opt: true\n');
    expect(fromProject.nodes.has('model.p.opt')).toBe(true);
  });

  it('computes schema, alias, tags and meta from env_var, target, array and dict', async () => {
    process.env.FT_CFG_SCHEMA = 'raw';
    const p = await load(
      { 'm.sql': '{{config schema=(env_var "FT_CFG_SCHEMA" "x") alias=target.name tags=(array "a" (var "tag")) meta=(dict owner=(var "owner" "nobody"))}}\nselect 1 as x' },
      { tag: 'b' },
    );
    const n = p.nodes.get('model.p.m')!;
    expect(n.schema).toBe('db_raw');
    expect(n.alias).toBe('dev');
    expect(n.config.tags).toEqual(['a', 'b']);
    expect(n.config.meta).toEqual({ owner: 'nobody' });
  });

  it('renders folder-level config of project.yml from vars and env_var', async () => {
    process.env.FT_CFG_SCHEMA = 'staging';
    const projectYml = 'models:\n  p:\n    +enabled: "{{ var(\'load_all\', false) }}"\n    kept:\n      +enabled: true\n      +schema: "{{env_var \'FT_CFG_SCHEMA\'}}"\n';
    const p = await load({ 'dropped.sql': 'select 1 as x', 'kept/k.sql': 'select 1 as y' }, undefined, projectYml);
    expect([...p.nodes.keys()].filter((k) => k.startsWith('model.'))).toEqual(['model.p.k']);
    expect(p.nodes.get('model.p.k')!.schema).toBe('db_staging');
    expect((await load({ 'dropped.sql': 'select 1 as x' }, { load_all: true }, projectYml)).nodes.has('model.p.dropped')).toBe(true);
  });

  it('names the file when a required var is missing, and the line for a value it cannot compute', async () => {
    const missing = load({ 'm.sql': '{{config enabled=(var "nowhere")}}\nselect 1 as x' });
    await expect(missing).rejects.toThrow(FtError);
    await expect(missing).rejects.toMatchObject({ file: 'models/m.sql', message: expect.stringContaining('required var "nowhere" (in {{config}}) is not defined') });
    const computed = load({ 'm.sql': 'select 1 as x\n{{config alias=(ref "other")}}' });
    await expect(computed).rejects.toMatchObject({ file: 'models/m.sql', line: 2, message: expect.stringContaining('(var "x" default)') });
  });
});
