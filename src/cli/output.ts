/** Console output that respects NO_COLOR and --log-format json. */
export interface Output {
  json: boolean;
  color: boolean;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** a JSON event (json mode) or nothing */
  event(kind: string, data: Record<string, unknown>): void;
}

export function createOutput(opts: { logFormat?: string; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream }): Output {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const json = opts.logFormat === 'json';
  const color = !json && !process.env.NO_COLOR && Boolean((stdout as NodeJS.WriteStream).isTTY);
  const emit = (level: string, msg: string, data?: Record<string, unknown>): string =>
    JSON.stringify({ ts: new Date().toISOString(), level, msg, ...(data ?? {}) }) + '\n';
  return {
    json,
    color,
    info(msg, data) {
      stdout.write(json ? emit('info', msg, data) : `${msg}\n`);
    },
    warn(msg) {
      stderr.write(json ? emit('warn', msg) : `${color ? '\x1b[33mwarning\x1b[0m' : 'warning'}: ${msg}\n`);
    },
    error(msg) {
      stderr.write(json ? emit('error', msg) : `${color ? '\x1b[31merror\x1b[0m' : 'error'}: ${msg}\n`);
    },
    event(kind, data) {
      if (json) stdout.write(emit('info', kind, { event: kind, ...data }));
    },
  };
}

export function paint(out: Output, code: 'green' | 'red' | 'yellow' | 'dim', text: string): string {
  if (!out.color) return text;
  const c = { green: 32, red: 31, yellow: 33, dim: 2 }[code];
  return `\x1b[${c}m${text}\x1b[0m`;
}
