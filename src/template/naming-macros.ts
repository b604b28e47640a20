import type Handlebars from 'handlebars';

/**
 * dbt's built-in naming macros, for a project's generate_schema_name / generate_alias_name
 * override to call as dbt projects do: `{{generate_schema_name_for_env custom_schema_name node}}`,
 * `{{default__generate_schema_name custom_schema_name node}}`. They read `target` from the
 * override's context (generate-names.ts), where `target.schema` is the target database.
 */
export const NAMING_MACROS = ['generate_schema_name_for_env', 'default__generate_schema_name', 'default__generate_alias_name'] as const;

interface Options {
  data?: { root?: { target?: { name?: string; schema?: string } } };
}

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v).trim());
const targetOf = (o: Options): { name?: string; schema?: string } => o.data?.root?.target ?? {};

/** Registers the naming macros on a project's environment. */
export function registerNamingMacros(hb: typeof Handlebars): void {
  // dbt: the custom schema as it is on the prod target, else the target's schema
  hb.registerHelper('generate_schema_name_for_env', (custom: unknown, _node: unknown, options: Options) => {
    const target = targetOf(options);
    const c = text(custom);
    return target.name === 'prod' && c ? c : (target.schema ?? '');
  });
  // dbt's default: <target schema>_<custom>, or the target's schema
  hb.registerHelper('default__generate_schema_name', (custom: unknown, _node: unknown, options: Options) => {
    const schema = targetOf(options).schema ?? '';
    const c = text(custom);
    return c ? `${schema}_${c}` : schema;
  });
  // dbt's default: the custom alias, or the node's name
  hb.registerHelper('default__generate_alias_name', (custom: unknown, node: unknown) => text(custom) ?? String((node as { name?: unknown } | null)?.name ?? ''));
}
