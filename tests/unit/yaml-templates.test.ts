import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/project/yaml-file.js';
import { renderYamlTemplates, rendersFully } from '../../src/project/yaml-templates.js';

// Templates in YAML values as dbt renders them: var, env_var and target, dbt's form and ft's.

const ctx = { vars: { on: true, n: '7', name: 'Orders' }, target: { targetName: 'dev', database: 'shop', type: 'mysql', profileName: 'p' } };

function render(yaml: string): unknown {
  const doc = parseYaml(yaml, 'x.yml');
  renderYamlTemplates(doc, yaml, 'x.yml', ctx);
  return doc.value;
}

describe('YAML templates', () => {
  it('keeps the type of a whole-value expression and splices one into text', () => {
    expect(render(`a: "{{ var('on') }}"\nb: "{{ var('off', false) }}"\nc: "{{var 'n'}}"\nd: "raw_{{ target.name }}_{{target.database}}"\ne: "{{ var('name') | lower }}"\nf: "{{ var('n') | as_number }}"\ng: "{{ var('missing', none) }}"\n`)).toEqual({
      a: true,
      b: false,
      c: 7,
      d: 'raw_dev_shop',
      e: 'orders',
      f: 7,
      g: null,
    });
  });

  it('leaves what it does not render: this, doc, macro calls, descriptions', () => {
    const v = render(`hook: "grant select on {{ this }} to {{ var('name') }}"\ndescription: "{{ var('name') }}"\nm: "{{ my_macro() }}"\nlist: ["{{ var('on') }}", "{{ doc('x') }}"]\n`);
    expect(v).toEqual({ hook: 'grant select on {{ this }} to Orders', description: "{{ var('name') }}", m: '{{ my_macro() }}', list: [true, "{{ doc('x') }}"] });
    expect(rendersFully("{{ var('x') }}_{{ target.name }}")).toBe(true);
    expect(rendersFully('{{ my_macro() }}')).toBe(false);
    expect(rendersFully('{% if x %}1{% endif %}')).toBe(false);
  });

  it('names the line of a required var that is missing', () => {
    expect(() => render(`models:\n  - name: a\n    config:\n      schema: "{{ var('nowhere') }}"\n`)).toThrow(expect.objectContaining({ file: 'x.yml', line: 4, message: expect.stringContaining('required var "nowhere"') }));
  });
});
