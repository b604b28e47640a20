// `saved_queries:` entries: a named metrics query (metrics, group_by, where), and its exports.
import type { SavedQuery } from './types.js';
import type { YamlFields } from './yaml-fields.js';

export function readSavedQueries(section: unknown, f: YamlFields, sectionLine: number): SavedQuery[] {
  return f.items(section, 'saved_queries', sectionLine).map(({ value, line }) => {
    const o = f.named(value, 'saved_queries', line);
    const name = String(o.name);
    f.checkKeys(o, ['name', 'description', 'label', 'query_params', 'exports', 'config', 'meta', 'tags'], `saved query ${name}`, line);
    const ql = f.keyLine('query_params', line);
    const q = f.mapping(o.query_params, 'query_params', ql);
    f.checkKeys(q, ['metrics', 'group_by', 'where', 'order_by', 'limit'], `query_params of ${name}`, ql);
    const strings = (key: string): string[] => f.items(q[key], `query_params.${key}`, f.keyLine(key, ql)).map(({ value: v }) => String(v));
    const metrics = strings('metrics');
    if (!metrics.length) f.fail(`saved query ${name} needs \`query_params: {metrics: [<metric name>, …]}\`.`, o.query_params ? ql : line);
    let limit: number | undefined;
    if (q.limit !== undefined && q.limit !== null) {
      limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 0) f.fail(`\`limit: ${String(q.limit)}\` must be a whole number.`, f.keyLine('limit', ql));
    }
    const config = f.mapping(o.config, 'config', f.keyLine('config', line));
    return {
      name,
      description: f.str(o, 'description', line) ?? '',
      label: f.str(o, 'label', line),
      metrics,
      group_by: strings('group_by'),
      where: typeof q.where === 'string' ? [q.where] : strings('where'),
      order_by: strings('order_by'),
      limit,
      exports: f.items(o.exports, 'exports', f.keyLine('exports', line)).map(({ value: v, line: l }) => {
        const e = f.named(v, `exports of ${name}`, l);
        f.warnings.push(`${f.file}:${l}: saved query ${name}: export ${String(e.name)} is recorded in manifest.json but not built (ft writes no export tables); run ft metrics query --saved-query ${name}.`);
        const c = f.mapping(e.config, 'config', l);
        return { name: String(e.name), export_as: f.str(c, 'export_as', l), schema: f.str(c, 'schema', l), alias: f.str(c, 'alias', l) };
      }),
      meta: { ...f.mapping(config.meta, 'meta', line), ...f.mapping(o.meta, 'meta', line) },
      file: f.file,
      line,
    };
  });
}
