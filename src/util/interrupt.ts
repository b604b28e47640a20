/**
 * SIGINT and SIGTERM for every command: the first signal asks each registered handler to stop
 * (KILL QUERY, finish the batch, close the server) and gives the command a few seconds to end
 * on its own; after that, or at a second signal, the process exits 130 whatever it waits for.
 * A command with no handler registered keeps the default action: the signal ends it at once.
 */

/** How long a command may take to wind down after the first signal (the bound is 5 s). */
export const STOP_GRACE_MS = 4_000;

type Handler = (signal: NodeJS.Signals) => void;

const handlers = new Set<Handler>();
let signalled: NodeJS.Signals | null = null;
let graceMs = STOP_GRACE_MS;

/** A command whose wind-down is a whole build (continuous mode) asks for longer than STOP_GRACE_MS. */
export function setStopGrace(ms: number): void {
  graceMs = ms;
}

function onSignal(signal: NodeJS.Signals): void {
  if (signalled) {
    process.stderr.write(`\n${signal} again: stopping now.\n`);
    process.exit(130);
  }
  signalled = signal;
  // unref: a command that ends in time is not kept alive by the deadline
  setTimeout(() => {
    process.stderr.write(`\nft did not stop within ${graceMs / 1000}s of ${signal}; exiting.\n`);
    process.exit(130);
  }, graceMs).unref();
  for (const h of [...handlers]) h(signal);
}

function listen(on: boolean): void {
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    if (on) process.on(s, onSignal);
    else process.off(s, onSignal);
  }
}

/** Calls `handler` at the first SIGINT/SIGTERM until the returned function is called. */
export function onInterrupt(handler: Handler): () => void {
  if (!handlers.size) listen(true);
  handlers.add(handler);
  if (signalled) handler(signalled);
  return () => {
    if (handlers.delete(handler) && !handlers.size) listen(false);
  };
}

/**
 * Runs code of the user's that may never return (a JS macro in a loop) with the signals' default
 * action: while it holds the only thread no handler could run, so a signal ends the process.
 */
let inUserCode = 0;
export function withDefaultSignals<T>(fn: () => T): T {
  if (!handlers.size) return fn();
  if (inUserCode++ === 0) listen(false);
  try {
    return fn();
  } finally {
    if (--inUserCode === 0 && handlers.size) listen(true);
  }
}
