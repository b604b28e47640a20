import { afterEach, describe, expect, it } from 'vitest';
import { renderDeclaredDashboards } from '../../src/docs/site/dashboards-view.js';
import type { DashboardData, DashboardPanelData } from '../../src/docs/site/types.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * A table panel's `tone:` column: its cell in each row is marked by the value's sign (the
 * flagship's anomaly table shows spikes and drops by z-score this way), or good/bad when the
 * panel says which way is better; a tone column the table does not show as a number is the
 * panel's error, named in the docs.
 */
const ALERTS = `select 1 as id, 'spike' as kind, 2.5 as z
union all select 2, 'drop', -1.75
union all select 3, 'flat', 0
union all select 4, 'none', null`;

const dashboards = (tone: string, extra = ''): string => `version: 2
dashboards:
  - name: alerts
    panels:
      - kind: table
        title: Alerts
        model: ref('alerts')
        columns: [id, kind, z]
        order_by: [id]
        tone: ${tone}
${extra}`;

describe('table panels: tone', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const generate = async (yaml: string): Promise<{ panels: DashboardPanelData[]; data: DashboardData; output: string }> => {
    p = await createProject({ label: 'dashtone', models: { 'alerts.sql': ALERTS }, yaml: { 'dashboards.yml': yaml } });
    const built = await p.ft(['build']);
    expect(built.code, built.output).toBe(0);
    const docs = await p.ft(['docs', 'generate']);
    expect(docs.code, docs.output).toBe(0);
    const data = p.readJson('target/docs/dashboard.json') as DashboardData;
    return { panels: data.dashboards![0]!.panels, data, output: docs.output };
  };

  it('marks the tone column of each row by its sign: up, down, nothing for 0 and NULL', async () => {
    const { panels, data } = await generate(dashboards('z'));
    expect(panels[0]).toMatchObject({ status: 'ok', tone: 'z', columns: ['id', 'kind', 'z'] });
    const html = renderDeclaredDashboards(data, (id) => id);
    const cells = [...html.matchAll(/<td( class="[^"]*")?>(-?[\d.]+|)<\/td><\/tr>/g)].map((m) => [m[1] ?? '', m[2]]);
    expect(cells).toEqual([
      [' class="tone tone-up"', '2.50'],
      [' class="tone tone-down"', '-1.75'],
      ['', '0.00'],
      ['', ''],
    ]);
  }, 120_000);

  it('with better: for the column, the cell is good or bad', async () => {
    const { data } = await generate(dashboards('z', '        better: {z: down}\n'));
    const html = renderDeclaredDashboards(data, (id) => id);
    expect(html).toContain('<td class="tone bad">2.50</td>');
    expect(html).toContain('<td class="tone good">-1.75</td>');
  }, 120_000);

  it('a tone column that is not a number the table shows is the panel error, naming the columns it could be', async () => {
    const { panels } = await generate(dashboards('kind'));
    expect(panels[0]!.status).toBe('error');
    expect(panels[0]!.message).toMatch(/tone "kind" must be a numeric column the table shows \(id, z\)/);
  }, 120_000);

  it('tone: on a panel that is not a table is a warning naming the file and line', async () => {
    p = await createProject({
      label: 'dashtone',
      models: { 'alerts.sql': ALERTS },
      yaml: {
        'dashboards.yml': `version: 2
dashboards:
  - name: alerts
    panels:
      - kind: bars
        model: ref('alerts')
        x: kind
        y: z
        tone: z
`,
      },
    });
    const r = await p.ft(['parse']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/dashboards\.yml:9: panel 1 of dashboard alerts: `tone:` marks the rows of a table panel; ignored on bars\./);
  }, 120_000);
});
