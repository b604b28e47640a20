/**
 * dbt's command lines, read as ft's: a dbt user's CI script (`dbt --debug build -x …`) either
 * runs unchanged or stops with a message naming the flag and what to write instead.
 */

/** Commands that take a subcommand (`ft source freshness`). */
const GROUPS = new Set(['source', 'docs', 'metrics']);

/** Flags that take a value when written before the command (`dbt --log-format json run`). */
const TAKES_VALUE = new Set(['--project-dir', '--profiles-dir', '-t', '--target', '--vars', '--log-format', '--profile', '--target-path', '--threads', '--printer-width', '--log-level', '--log-path', '--log-format-file', '--log-level-file', '--lock-wait']);

/**
 * dbt flags whose effect ft already has: dropped from the command line. `--no-use-colors` sets
 * NO_COLOR, which ft's output reads.
 */
const ALREADY_SO: Record<string, () => void> = {
  '--no-version-check': () => undefined,
  '--no-send-anonymous-usage-stats': () => undefined,
  '--partial-parse': () => undefined,
  '--use-colors': () => undefined,
  '--no-use-colors': () => {
    process.env.NO_COLOR = '1';
  },
};

/**
 * dbt flags that change only how dbt logs or caches, which ft has no setting for: dropped
 * with a warning (and the value after them). Anything else ft does not take is an error.
 */
const COSMETIC = new Set([
  '--printer-width', '--log-path', '--log-format-file', '--log-level-file', '--use-colors-file', '--no-use-colors-file',
  '--populate-cache', '--no-populate-cache', '--cache-selected-only', '--no-cache-selected-only', '--static-parser', '--no-static-parser', '--no-anonymous-usage-stats',
]);

/** What to write instead of a dbt flag ft does not take. */
const INSTEAD: Record<string, string> = {
  '--empty': 'ft cannot build with empty refs yet; leave it out (ft compile checks every template without a server; a build on a CI target runs the SQL)',
  '--favor-state': "ft's --defer takes a parent from --state only when this target does not have it; leave --favor-state out",
  '--defer-state': 'ft defers to the manifest in --state; write --state <dir>',
  '--quiet': 'ft has no quiet mode; leave it out, or use --log-format json and keep the lines you need',
  '-q': 'ft has no quiet mode; leave it out, or use --log-format json and keep the lines you need',
  '--log-level': 'ft has no log levels; leave it out (--debug prints stack traces)',
  '--no-print': "ft has no print() macro output to hide; leave it out",
  '--no-write-json': 'ft always writes its artifacts in target/; leave it out',
  '--write-json': 'ft always writes its artifacts in target/; leave it out',
  '--record-timing-info': 'run_results.json has each node\'s timing; leave it out',
  '-r': 'run_results.json has each node\'s timing; leave it out',
  '--send-anonymous-usage-stats': 'ft sends no usage statistics; leave it out',
  '--version-check': 'ft does not check require-dbt-version; leave it out',
  '--show': 'run ft show -s <model> after the build to see its rows',
  '--macro-debugging': 'leave it out (--debug prints stack traces)',
  '--include-saved-query': 'saved queries are run with ft metrics query --saved-query <name>',
  '--sample': "ft does not sample refs (dbt's --sample); build on a CI target with a sample of the data instead",
  '--event-time-start': "ft does not build microbatch models; leave it out",
  '--event-time-end': "ft does not build microbatch models; leave it out",
  '--no-defer': 'leave it out: ft defers only with --defer',
  '--no-fail-fast': 'leave it out: ft stops at the first failure only with --fail-fast',
  '--no-store-failures': 'leave it out: ft stores failures only with --store-failures or a test\'s store_failures config',
};

/**
 * The command line as ft reads it: flags written before the command move after it (dbt takes
 * its global flags on either side), flags whose effect ft already has are dropped, and
 * log-only flags are dropped with a warning.
 */
export function readDbtArgv(argv: string[], warn: (message: string) => void): string[] {
  const before: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(argv[i]!)) {
    const flag = argv[i]!.split('=')[0]!;
    const takes = TAKES_VALUE.has(flag) && !argv[i]!.includes('=');
    before.push(...argv.slice(i, i + (takes ? 2 : 1)));
    i += takes ? 2 : 1;
  }
  let rest = argv.slice(i);
  if (before.length && rest.length) {
    const path = GROUPS.has(rest[0]!) && rest[1] && !rest[1].startsWith('-') ? 2 : 1;
    rest = [...rest.slice(0, path), ...before, ...rest.slice(path)];
  } else rest = [...before, ...rest];
  const out: string[] = [];
  // dbt's ls: --models implies --resource-type model
  const listing = rest[0] === 'ls' || rest[0] === 'list';
  let models = false;
  for (let j = 0; j < rest.length; j++) {
    const arg = rest[j]!;
    // everything after `--` is an argument, not a flag
    if (arg === '--') {
      out.push(...rest.slice(j));
      break;
    }
    const flag = arg.split('=')[0]!;
    // dbt's older spelling of --select
    if (flag === '-m' || flag === '--models') {
      out.push(arg.replace(flag, '--select'));
      models = true;
      continue;
    }
    const done = ALREADY_SO[flag];
    if (done) {
      done();
      continue;
    }
    if (COSMETIC.has(flag)) {
      const skip = TAKES_VALUE.has(flag) && !arg.includes('=') ? 1 : 0;
      warn(`ft ignores dbt's ${flag}${skip && rest[j + 1] !== undefined ? ` ${rest[j + 1]}` : ''}: it only changes how dbt logs or caches. Leave it out to silence this.`);
      j += skip;
      continue;
    }
    out.push(arg);
  }
  if (listing && models) {
    // before a `--`, and after the values -m took (an option ends a variadic list)
    const dash = out.indexOf('--');
    out.splice(dash < 0 ? out.length : dash, 0, '--resource-type', 'model');
  }
  return out;
}

/** The line to add to commander's "unknown option" error when the flag is dbt's. */
export function dbtFlagHint(flag: string): string | undefined {
  const instead = INSTEAD[flag];
  return instead ? `${flag} is a dbt flag: ${instead}.` : undefined;
}
