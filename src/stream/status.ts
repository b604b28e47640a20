/** Status, event and summary lines of `ft stream-load`, as text or one JSON object per line. */
import type { StatusExtra, StreamLoadSummary } from './types.js';

export interface StatusSnapshot {
  eventsPerSecond: number;
  rowsLoaded: number;
  rowsRejected: number;
  filesPending: number;
  /** Age in seconds of the oldest file not fully loaded yet (0 when caught up). */
  lagSeconds: number;
  batches: number;
  extra?: StatusExtra | undefined;
}

const fmt = new Intl.NumberFormat('en-US');
const n = (x: number) => fmt.format(Math.round(x));

export class StreamLog {
  constructor(
    private readonly format: 'text' | 'json',
    private readonly out: (line: string) => void,
  ) {}

  private emit(obj: Record<string, unknown>, text: string): void {
    try {
      this.out(this.format === 'json' ? JSON.stringify({ ts: new Date().toISOString(), ...obj }) : text);
    } catch {
      /* a failing log sink must not stop the load */
    }
  }

  event(level: string, message: string, extra: Record<string, unknown> = {}): void {
    this.emit({ level, event: extra.event ?? 'log', message, ...extra }, `stream-load${level === 'warn' ? ' warning' : level === 'error' ? ' error' : ''}: ${message}`);
  }

  status(s: StatusSnapshot): void {
    const { extra, ...fields } = s;
    this.emit(
      { level: 'info', event: 'status', ...fields, eventsPerSecond: Math.round(s.eventsPerSecond), lagSeconds: round1(s.lagSeconds), ...extra?.json },
      `stream-load: ${n(s.eventsPerSecond)} events/s | ${n(s.rowsLoaded)} loaded | ${n(s.rowsRejected)} rejected | ${n(s.filesPending)} file(s) pending | lag ${round1(s.lagSeconds)}s${extra ? ` | ${extra.text}` : ''}`,
    );
  }

  summary(s: StreamLoadSummary): void {
    this.emit(
      { level: 'info', event: 'summary', ...s, seconds: round1(s.seconds), loadingSeconds: round1(s.loadingSeconds), eventsPerSecond: Math.round(s.eventsPerSecond) },
      `stream-load done: ${n(s.files)} file(s), ${n(s.batches)} batch(es), ${n(s.rowsLoaded)} rows loaded, ${n(s.rowsRejected)} rejected, ` +
        `${formatBytes(s.bytes)} in ${round1(s.seconds)}s (${n(s.eventsPerSecond)} events/s over ${round1(s.loadingSeconds)}s of loading)`,
    );
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  if (b < 1024 ** 3) return `${(b / 1024 / 1024).toFixed(1)} MiB`;
  return `${(b / 1024 ** 3).toFixed(2)} GiB`;
}
