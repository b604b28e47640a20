// order_label: converted by ft convert from macros/shop_macros.sql:14, a macro that returned a value.
const truthy = (v) => (Array.isArray(v) ? v.length > 0 : v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? Object.keys(v).length > 0 : Boolean(v));
const eq = (a, b) => (a == null ? b == null : a === b);
const text = (v) => (v == null ? '' : String(v));
const contains = (hay, x) => (Array.isArray(hay) ? hay.some((y) => eq(y, x)) : typeof hay === 'string' ? hay.includes(text(x)) : hay != null && Object.prototype.hasOwnProperty.call(hay, text(x)));

export function order_label(...args) {
  const options = args.pop();
  const hash = options?.hash ?? {};
  const root = options?.data?.root ?? {};
  const variable = (name, dflt) => { const v = options?.data?.ft?.lookupVar(name); return v === undefined ? dflt : v; };
  const prefix = args.length > 0 ? args[0] : "prefix" in hash ? hash["prefix"] : "order";
  return (text((text((text((text(prefix) + text("_"))) + text(variable("label_suffix", "v1")))) + text("_"))) + text((root.target)?.["name"]));
}
