import { Command, CommanderError } from 'commander';
import { fileSystemError } from '../artifacts/write-error.js';
import { FtError, isFtError } from '../util/errors.js';
import { FT_VERSION } from '../version.js';
import { registerCommands } from './commands.js';
import { dbtFlagHint, readDbtArgv } from './dbt-flags.js';

/** Runs the ft CLI and returns the exit code (0 ok, 1 a node or test failed, 2 ft could not run). */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = new Command('ft');
  program
    .description('ft — declarative SQL transformations for MySQL')
    .version(FT_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(withDbtHint(s)) })
    .showSuggestionAfterError(true);
  let code = 0;
  registerCommands(program, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(readDbtArgv(argv, (m) => process.stderr.write(`warning: ${m}\n`)), { from: 'user' });
    return code;
  } catch (e) {
    return report(e, debug);
  }
}

/** commander's "unknown option" error, with what to write instead when the flag is dbt's. */
function withDbtHint(message: string): string {
  const flag = /^error: unknown option '([^']+)'/.exec(message)?.[1];
  const hint = flag ? dbtFlagHint(flag.split('=')[0]!) : undefined;
  return hint ? `${message.trimEnd()}\n${hint}\n` : message;
}

function report(e: unknown, debug: boolean): number {
  // a write that failed where no writer named its file (a full disk, a file in the way)
  e = fileSystemError(e) ?? e;
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    // commander has already printed its one-line message
    return 2;
  }
  if (isFtError(e)) {
    process.stderr.write(`error: ${e.format()}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`error: ${err?.message ?? String(e)}\n`);
  if (debug) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('(run again with --debug for details)\n');
  return 2;
}

export { FtError };
