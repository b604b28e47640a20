// What a `dashboards:` section of schema YAML declares (read by read-dashboards.ts, linked to the
// project's models and metrics by link-dashboards.ts, read from the database by read-panels.ts).

export const PANEL_KINDS = ['kpi_tiles', 'time_series', 'bars', 'heatmap', 'table'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];

/** How values show: percent is a ratio shown ×100 with %, currency in dollars with cents. */
export const FORMATS = ['percent', 'currency', 'number', 'integer'] as const;
export type DeclaredFormat = (typeof FORMATS)[number];

export const AGGS = ['sum', 'avg', 'min', 'max', 'count', 'none'] as const;
export type PanelAgg = (typeof AGGS)[number];

/** Where a panel's rows come from: exactly one of metrics (through the metrics layer), a saved query, a model. */
export type PanelSource =
  | { kind: 'metrics'; metrics: string[]; group_by: string[]; where: string[] }
  | { kind: 'saved_query'; name: string }
  | { kind: 'model'; model: string };

export interface PanelDecl {
  kind: PanelKind;
  title: string;
  description: string;
  source: PanelSource;
  /** model panels: the time / label column (x axis); metrics panels: a group-by item */
  x?: string;
  /** model panels: the measure columns (y values); metrics panels: the metrics */
  y: string[];
  /** a column (or group-by item) splitting a time series into lines */
  series?: string;
  /** table: the columns shown; kpi_tiles from a model: the tile columns */
  columns: string[];
  /** model panels: how y is aggregated per x (and series); table: none */
  agg: PanelAgg;
  /** model panels: a SQL condition on the model's rows */
  where?: string;
  order_by: string[];
  limit?: number;
  /** time_series: the lines kept, largest total first */
  top: number;
  /** the column holding the time each row shows, for the panel's freshness */
  time?: string;
  /** table: a numeric column whose sign marks its cell in each row (above 0 up, below 0 down; good/bad with better:) */
  tone?: string;
  /** per value column (a single `format:` applies to every one) */
  formats: Record<string, DeclaredFormat>;
  default_format?: DeclaredFormat;
  better: Record<string, 'up' | 'down'>;
  default_better?: 'up' | 'down';
  /** per value column: its label (metrics default to their label:) */
  labels: Record<string, string>;
  file: string;
  line: number;
}

export interface DashboardDecl {
  name: string;
  label?: string;
  description: string;
  panels: PanelDecl[];
  file: string;
  line: number;
}
