// tax_rate: converted by ft convert from macros/money.sql:14, a macro that returned a value.
const truthy = (v) => (Array.isArray(v) ? v.length > 0 : v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? Object.keys(v).length > 0 : Boolean(v));
const eq = (a, b) => (a == null ? b == null : a === b);
const text = (v) => (v == null ? '' : String(v));
const contains = (hay, x) => (Array.isArray(hay) ? hay.some((y) => eq(y, x)) : typeof hay === 'string' ? hay.includes(text(x)) : hay != null && Object.prototype.hasOwnProperty.call(hay, text(x)));

export function tax_rate(...args) {
  const options = args.pop();
  const hash = options?.hash ?? {};
  const root = options?.data?.root ?? {};
  const variable = (name, dflt) => { const v = options?.data?.ft?.lookupVar(name); return v === undefined ? dflt : v; };
  const country = args.length > 0 ? args[0] : "country" in hash ? hash["country"] : undefined;
  return (truthy(eq(country, "FR")) ? 0.2 : 0.1);
}
