import { FtError } from '../util/errors.js';

/** dbt's warn_if / error_if conditions: "!= 0", ">10", ">= 5", "=0", "<3". */
export function parseCondition(cond: string, file?: string, line?: number): (n: number) => boolean {
  const m = /^\s*(!=|<>|>=|<=|==|=|>|<)\s*(-?\d+(\.\d+)?)\s*$/.exec(String(cond));
  if (!m) throw new FtError(`cannot read the threshold "${cond}"; write a comparison such as ">10", ">= 5" or "!= 0".`, 2, file, line);
  const v = Number(m[2]);
  switch (m[1]) {
    case '!=':
    case '<>':
      return (n) => n !== v;
    case '>=':
      return (n) => n >= v;
    case '<=':
      return (n) => n <= v;
    case '>':
      return (n) => n > v;
    case '<':
      return (n) => n < v;
    default:
      return (n) => n === v;
  }
}

/** pass, warn or fail for a failure count under a test's severity and thresholds. */
export function testStatus(failures: number, cfg: { severity?: string; warn_if?: string; error_if?: string }, file?: string, line?: number): 'pass' | 'warn' | 'fail' {
  const severity = String(cfg.severity ?? 'error').toLowerCase();
  if (severity !== 'error' && severity !== 'warn') throw new FtError(`severity must be "error" or "warn", not "${cfg.severity}".`, 2, file, line);
  if (severity === 'error' && parseCondition(cfg.error_if ?? '!= 0', file, line)(failures)) return 'fail';
  if (parseCondition(cfg.warn_if ?? '!= 0', file, line)(failures)) return 'warn';
  return 'pass';
}
