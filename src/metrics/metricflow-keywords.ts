// Words of dbt MetricFlow's YAML that ft reads as dbt defines them: they belong to dbt's format,
// not to any project (a project's own model or column may happen to share a spelling).

/** `conversion_type_params.calculation`: what a conversion metric returns (dbt's default first). */
export const CONVERSION_CALCULATIONS = ['conversion_rate', 'conversions'] as const;
export type ConversionCalculation = (typeof CONVERSION_CALCULATIONS)[number];
