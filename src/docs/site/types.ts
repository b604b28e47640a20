/**
 * The data the docs site runs on: written by `ft docs generate` into data.js
 * (window.__FT_DOCS__) and dashboard-data.js (window.__FT_DASHBOARD__), read by
 * the browser code in this folder. Types only, shared by both sides.
 */
export type DocResourceType = 'model' | 'seed' | 'source' | 'test' | 'exposure' | 'snapshot';

export interface DocLineageRef {
  /** unique id of the upstream node, when the relation is one of the project's */
  node: string | null;
  /** the relation as written in the SQL; left out when `node` names it */
  relation?: string;
  column: string;
}

export interface DocColumn {
  name: string;
  /** type from the catalog, else the YAML data_type */
  type: string | null;
  description: string;
  /** unique ids of the tests declared on this column */
  tests: string[];
  /** upstream columns; 'unknown' when the SQL could not tell; absent for seeds and sources */
  lineage?: DocLineageRef[] | 'unknown';
  /** has a YAML entry */
  documented: boolean;
  /** in the built relation; null when the relation is not in the catalog */
  in_relation: boolean | null;
}

export interface DocRunResult {
  status: string;
  message: string | null;
  failures: number | null;
  completed_at: string | null;
  execution_time: number | null;
}

export interface DocStats {
  relation_type: 'table' | 'view';
  rows: number | null;
  /** COUNT(*) rather than information_schema's estimate */
  rows_exact: boolean;
  bytes: number | null;
  updated: string | null;
}

export interface DocNode {
  id: string;
  name: string;
  type: DocResourceType;
  package: string;
  path: string;
  fqn: string[];
  tags: string[];
  description: string;
  /** filled in the browser from DocsData.configs[cfg] (configs repeat: they are stored once) */
  config: Record<string, unknown>;
  cfg?: number;
  materialized: string | null;
  schema: string | null;
  alias: string | null;
  relation: string | null;
  source_name?: string;
  /** filled when the node's code chunk (code/<n>.js) has loaded; see code_chunk */
  raw_code?: string;
  compiled_code?: string;
  /** the code/<n>.js file holding raw and compiled SQL, loaded when the page opens */
  code_chunk?: number;
  /** tests, in data.json (whose nodes hold only what the graph and the selector need): the test's name */
  test_name?: string;
  parents: string[];
  children: string[];
  columns: DocColumn[];
  stats?: DocStats;
  result?: DocRunResult;
  /** generic tests */
  test?: { name: string; kwargs: Record<string, unknown>; column: string | null; attached: string | null; namespace: string | null };
  /** exposures */
  exposure?: { type: string | null; owner: Record<string, unknown> | null; maturity: string | null; url: string | null; label: string | null };
  declared_at?: { file: string; line: number };
  meta: Record<string, unknown>;
  /** why column lineage is unknown for the whole model (parse error) */
  lineage_error?: string;
}

export interface DocsData {
  project: {
    name: string;
    generated_at: string;
    target: string;
    database: string;
    ft_version: string;
    /** the catalog was read from the database */
    catalog: boolean;
    run_results: { generated_at: string; invocation_id: string | null } | null;
    warnings: string[];
    /** the project declares dashboards (the site shows a Dashboard tab) */
    dashboard?: boolean;
  };
  overview: { markdown: string; source: string };
  nodes: DocNode[];
  /** distinct node configs, referenced by DocNode.cfg */
  configs?: Array<Record<string, unknown>>;
  /**
   * As stored: node references (parents, children, column tests, lineage nodes,
   * attached test node) are indices into `nodes`, and empty column fields are left
   * out; unpackDocsData restores the form above.
   */
  packed?: boolean;
}

/**
 * details.json: the rest of each node (descriptions, columns, stats, results…), in
 * the order of DocsData.nodes. Loaded alongside data.json but not waited for by the
 * lineage view, so a big project's graph is up before its documentation has arrived.
 */
export interface DocsDetails {
  details: Array<Partial<DocNode>>;
}

/** The contents of one code/<n>.js file: node id → [raw SQL, compiled SQL]. */
export type CodeChunk = Record<string, [string | null, string | null]>;

export type PanelStatus = 'ok' | 'missing' | 'empty' | 'unavailable' | 'error';

export interface PanelBase {
  status: PanelStatus;
  /** unique id of the model the panel reads */
  model: string | null;
  /** the title the model's YAML declares (meta.dashboard.title) */
  title?: string;
  message?: string;
}

export type ValueFormat = 'percent' | 'fraction' | 'currency' | 'number' | 'integer';

export interface KpiPanel extends PanelBase {
  columns: string[];
  /** rows of the KPI model; day null is the overall row */
  rows: Array<Record<string, string | number | null>>;
  formats: Record<string, ValueFormat>;
  /** the tiles the model's YAML declares (meta.dashboard.tiles), in order */
  tiles: KpiTile[];
}

/** A KPI tile; `better` colours the day-over-day change (null: neither direction is good news). */
export interface KpiTile {
  column: string;
  label: string;
  format: ValueFormat;
  better: 'up' | 'down' | null;
}

export interface SeriesPanel extends PanelBase {
  label_column: string | null;
  time_column: string | null;
  measure: string | null;
  series: Array<{ label: string; points: Array<[string, number]> }>;
}

export interface BarsPanel extends PanelBase {
  label_column: string | null;
  measure: string | null;
  bars: Array<{ label: string; value: number }>;
}

export interface HeatmapPanel extends PanelBase {
  measure: string | null;
  /** row labels (days of week), in order */
  days: string[];
  /** [day index, hour 0-23, value] */
  cells: Array<[number, number, number]>;
}

export interface AnomalyPanel extends PanelBase {
  columns: string[];
  rows: Array<Record<string, string | number | null>>;
  z_column: string | null;
  total_flagged: number;
}

export interface DashboardData {
  generated_at: string;
  /** seconds between refreshes when served with --refresh */
  refresh_seconds: number | null;
  /** served with --live: read again as each build lands (the page asks every second) */
  live?: boolean;
  database: boolean;
  message?: string;
  kpis: KpiPanel;
  products: SeriesPanel;
  categories: BarsPanel;
  heatmap: HeatmapPanel;
  anomalies: AnomalyPanel;
  exposures: Array<{ id: string; name: string; label: string | null; type: string | null; owner: Record<string, unknown> | null; url: string | null; depends_on: string[] }>;
  /** the dashboards the project's schema YAML declares (`dashboards:`), each panel's data read */
  dashboards?: DashboardView[];
}

export type DashboardPanelKind = 'kpi_tiles' | 'time_series' | 'bars' | 'heatmap' | 'table';

/** One declared panel and the rows it read: `columns` name the values of each row. */
export interface DashboardPanelData {
  kind: DashboardPanelKind;
  title: string;
  description: string;
  status: PanelStatus;
  message?: string;
  /** how the rows are read, for people: "metrics a, b by metric_time__day", "model x" */
  source: string;
  /** unique ids of the models the rows come from */
  models: string[];
  columns: string[];
  rows: Array<Array<string | number | null>>;
  /** the x axis (time or label), the value columns, and the column splitting lines (heatmap: its rows) */
  x: string | null;
  y: string[];
  series: string | null;
  /** kpi_tiles: each y value over all the rows (null: not read) */
  overall: Array<number | null> | null;
  labels: Record<string, string>;
  formats: Record<string, ValueFormat>;
  better: Record<string, 'up' | 'down'>;
  /** table: the numeric column whose sign marks its cell in each row */
  tone: string | null;
  /** table: the rows matching, of which `rows` are the first */
  total: number | null;
  /** when the rows were read (ISO time) */
  read_at: string;
  /** the newest time the rows show (the latest period or event time), when they have one */
  newest: string | null;
}

export interface DashboardView {
  name: string;
  label: string;
  description: string;
  /** file:line declaring it */
  declared_at: string;
  panels: DashboardPanelData[];
}
