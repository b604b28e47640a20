import { describe, expect, it } from 'vitest';
import { loadFiles } from '../helpers/project-files.js';

// dbt's hook forms: text, or {sql: …, transaction: …}, one or a list — in project.yml, YAML and
// inline config (what ft convert writes for dbt's pre_hook={"sql": …}). An object reached the
// server as the text "[object Object]".
describe('hook forms', () => {
  it('an object hook is its sql, wherever it is written', async () => {
    const project = await loadFiles({
      'project.yml': 'name: p\nprofile: p\nmodels:\n  p:\n    +post-hook: [{sql: "analyze table {{this}}", transaction: false}, "select 2"]\n',
      'models/m.sql': `{{config pre_hook='{"sql":"set @a = 1","transaction":false}'}}\nselect 1 as x\n`,
      'models/n.sql': 'select 1 as x\n',
      'models/s.yml': 'models:\n  - name: n\n    config:\n      pre_hook: {sql: "set @b = 2", transaction: true}\n',
    });
    const m = project.nodes.get('model.p.m')!;
    expect(m.config.pre_hook).toEqual(['set @a = 1']);
    expect(m.config.post_hook).toEqual(['analyze table {{this}}', 'select 2']);
    expect(project.nodes.get('model.p.n')!.config.pre_hook).toEqual(['set @b = 2']);
  });
});
