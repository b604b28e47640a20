import { describe, expect, it } from 'vitest';
import { loadFiles } from '../helpers/project-files.js';

// A test of an enabled model that reads a disabled one is disabled with a warning, as in dbt.
// It stopped the whole project saying the model did not exist ("no model or seed").

describe('a test that reads a disabled model', () => {
  it('is left out with a warning naming the file, the line and the disabled model', async () => {
    const warnings: string[] = [];
    const project = await loadFiles({
      'project.yml': 'name: p\nprofile: p\nmodels:\n  p:\n    legacy:\n      +enabled: false\n',
      'models/legacy/old_model.sql': 'select 1 as x\n',
      'models/m.sql': 'select 1 as x\n',
      'models/rel.yml': ['models:', '  - name: m', '    columns:', '      - name: x', "        data_tests: [not_null, {relationships: {to: ref('old_model'), field: x}}]", ''].join('\n'),
    }, (m) => warnings.push(m));
    const tests = [...project.nodes.values()].filter((n) => n.resource_type === 'test').map((n) => n.name);
    expect(tests).toEqual(['not_null_m_x']);
    expect(warnings).toContain('models/rel.yml:5: test relationships_m_x__x__ref_old_model_ is disabled: it reads model old_model (models/legacy/old_model.sql), whose config has enabled: false.');
  });
});
