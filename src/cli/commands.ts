import { Option, type Command } from 'commander';

import type { CompileFlags } from './compile.js';
import type { ConvertFlags } from './convert.js';
import type { GlobalFlags } from './context.js';
import type { DocsServeFlags } from './docs.js';
import type { InitFlags } from './init.js';
import type { ShowFlags } from './show.js';
import type { RunOperationFlags } from './run-operation.js';
import type { CloneFlags } from './clone.js';
import type { LsFlags } from './ls.js';
import type { MetricsListFlags, MetricsQueryFlags } from './metrics.js';
import type { RunFlags } from './run.js';
import type { FreshnessFlags } from './source-freshness.js';
import type { StreamLoadFlags } from './stream-load.js';
import { INDIRECT_SELECTION_MODES } from '../graph/indirect-selection.js';
import { RESOURCE_TYPE_NAMES } from '../graph/resource-types.js';

// Command modules load when their command runs: `ft --version` or `ft ls` do not pay
// for the SQL parser, the docs site or the stream loader.
const compileCommand = async (f: CompileFlags) => (await import('./compile.js')).compileCommand(f);
const parseCommand = async (f: GlobalFlags) => (await import('./compile.js')).parseCommand(f);
const lsCommand = async (f: LsFlags) => (await import('./ls.js')).lsCommand(f);
const debugCommand = async (f: GlobalFlags) => (await import('./debug.js')).debugCommand(f);
const cleanCommand = async (f: GlobalFlags) => (await import('./clean.js')).cleanCommand(f);
const depsCommand = async (f: GlobalFlags) => (await import('./deps.js')).depsCommand(f);
const convertCommand = async (dir: string, f: ConvertFlags) => (await import('./convert.js')).convertCommand(dir, f);
const runCommand = async (kind: 'run' | 'seed' | 'test' | 'build' | 'snapshot', f: RunFlags) => (await import('./run.js')).runCommand(kind, f);
const sourceFreshnessCommand = async (f: FreshnessFlags) => (await import('./source-freshness.js')).sourceFreshnessCommand(f);
const streamLoadCommand = async (f: StreamLoadFlags) => (await import('./stream-load.js')).streamLoadCommand(f);
const docsGenerateCommand = async (f: GlobalFlags) => (await import('./docs.js')).docsGenerateCommand(f);
const docsServeCommand = async (f: DocsServeFlags) => (await import('./docs.js')).docsServeCommand(f);
const metricsListCommand = async (f: MetricsListFlags) => (await import('./metrics.js')).metricsListCommand(f);
const metricsQueryCommand = async (f: MetricsQueryFlags) => (await import('./metrics.js')).metricsQueryCommand(f);
const initCommand = async (name: string | undefined, f: InitFlags) => (await import('./init.js')).initCommand(name, f);
const showCommand = async (f: ShowFlags) => (await import('./show.js')).showCommand(f);
const retryCommand = async (f: GlobalFlags) => (await import('./retry.js')).retryCommand(f);
const runOperationCommand = async (macro: string, f: RunOperationFlags) => (await import('./run-operation.js')).runOperationCommand(macro, f);
const cloneCommand = async (f: CloneFlags) => (await import('./clone.js')).cloneCommand(f);

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** dbt's --indirect-selection: which tests a selection brings in besides those it names. */
const indirectSelection = (cmd: Command): Command =>
  cmd.addOption(
    new Option('--indirect-selection <mode>', 'tests of the selected nodes: eager (any node they test is selected), cautious (all are), buildable (all are selected or upstream), empty (only tests selected by name)').choices([...INDIRECT_SELECTION_MODES]),
  );

/** dbt's --resource-type / --exclude-resource-type: keep only, or leave out, nodes of these types. */
const resourceTypes = (cmd: Command): Command =>
  cmd
    .option('--resource-type <type>', `only nodes of this type (repeatable): ${RESOURCE_TYPE_NAMES.join(', ')}, all`, collect)
    .option('--exclude-resource-type <type>', 'leave out nodes of this type (repeatable)', collect);

/** Every subcommand, one file each; `done` receives the exit code. */
export function registerCommands(program: Command, done: (code: number) => void): void {
  const selection = (cmd: Command): Command =>
    cmd
      .option('-s, --select <selector...>', 'nodes to include (dbt selection syntax)')
      .option('--exclude <selector...>', 'nodes to leave out')
      .option('--selector <name>', 'a selection named in selectors.yml')
      .option('--state <dir>', 'folder with the manifest.json to compare with (state:modified)');

  selection(withGlobalFlags(program.command('compile').description('render models and tests to target/compiled and write target/manifest.json')))
    .option('--inline <template>', 'print the SQL of this template, rendered in the project (no compiled file or manifest is written)')
    .option('--warn-error', 'treat warnings (MySQL traps in the SQL) as errors')
    .action(async (flags) => done(await compileCommand(flags)));
  withGlobalFlags(program.command('parse').description('load the project and write target/manifest.json'))
    .action(async (flags) => done(await parseCommand(flags)));
  resourceTypes(indirectSelection(selection(withGlobalFlags(program.command('ls').alias('list').description('list the nodes a selection picks')))))
    .option('--output <fmt>', 'name, path, json or selector', 'name')
    .option('--output-keys <keys...>', 'with --output json: only these keys (unique_id, name, resource_type, config, depends_on, package_name, fqn, alias, schema, tags, …)')
    .action(async (flags) => done(await lsCommand(flags)));
  withGlobalFlags(program.command('debug').description('check the project, the profile and the connection'))
    .action(async (flags) => done(await debugCommand(flags)));
  program.command('init [name]').description('create a new project in the folder <name> (asks for what the flags leave out, on a terminal)')
    .option('--host <host>', 'the MySQL/MariaDB server (default 127.0.0.1)')
    .option('--port <n>', 'its port (default 3306)')
    .option('--user <user>', 'the user to connect as (default root; the password is read from FT_PASSWORD)')
    .option('--database <name>', 'the database the models land in (default: the project name)')
    .action(async (name, flags) => done(await initCommand(name, flags)));
  selection(withGlobalFlags(program.command('show').description('run a model (or --inline SQL) with a limit and print its rows')))
    .option('--inline <sql>', 'a query to show instead of a model (templated like a model)')
    .option('--limit <n>', 'rows to show', '5')
    .addOption(new Option('--output <fmt>', 'how to print the rows').choices(['table', 'json', 'csv']).default('table'))
    .action(async (flags) => done(await showCommand(flags)));
  withGlobalFlags(program.command('retry').description('run the last run/build/test/seed again, with its flags, on the nodes that errored, failed or were skipped'))
    .action(async (flags) => done(await retryCommand(flags)));
  withGlobalFlags(program.command('run-operation <macro>').description('run a macro: a .sql partial rendered with --args and run statement by statement, or a JS function given the args and a query function'))
    .option('--args <yaml>', "the macro's arguments, a YAML or JSON mapping")
    .action(async (macro: string, flags) => done(await runOperationCommand(macro, flags)));
  selection(withGlobalFlags(program.command('clone').description("create in this target views of the --state manifest's relations (models, seeds, snapshots), for CI")))
    .option('--full-refresh', 'replace relations that already exist in the target')
    .action(async (flags) => done(await cloneCommand(flags)));
  withGlobalFlags(program.command('clean').description("delete the project's clean-targets (default: the target folder)"))
    .action(async (flags) => done(await cleanCommand(flags)));
  withGlobalFlags(program.command('deps').description("install packages.yml's local and npm packages into dbt_packages/, and say which dbt packages ft's library covers"))
    .action(async (flags) => done(await depsCommand(flags)));
  program
    .command('convert <dbt-project-dir>')
    .description('convert a dbt project (Jinja templates) to ft (Handlebars) and list what needs a human')
    .option('--out <dir>', 'where to write the converted project (default: <dir>-ft next to it; must be empty)')
    .option('--in-place', 'rewrite the project where it is')
    .option('--profile <profiles.yml>', "write profiles.yml for MySQL from this dbt profiles.yml (passwords become env_var)")
    .addOption(new Option('--log-format <fmt>', 'text or json').choices(['text', 'json', 'default']))
    .option('--debug', 'print stack traces')
    .action(async (dir: string, flags) => done(await convertCommand(dir, flags)));

  const execution = (cmd: Command): Command =>
    selection(withGlobalFlags(cmd))
      .option('--threads <n>', 'nodes to build at once (default: the profile\'s threads)')
      .option('-x, --fail-fast', 'stop at the first failure')
      .option('-f, --full-refresh', 'rebuild incremental models and seeds from scratch')
      .option('--defer', 'resolve refs to unbuilt parents to the relations in --state')
      .option('--lock-wait <seconds>', 'how long to wait for another run on the same target (default 60)')
      .option('--warn-error', 'treat warnings as errors')
      .option('--warn-error-options <yaml>', 'dbt\'s: which warnings are errors, e.g. \'{"error": "all", "warn": ["NoNodesForSelectionCriteria"]}\'');
  const tests = (cmd: Command): Command =>
    resourceTypes(indirectSelection(cmd))
      .option('--store-failures', 'keep failing rows in <target>_test_failures')
      .option('--junit-xml <path>', 'write a JUnit XML report of the tests');
  withGlobalFlags(program.command('stream-load').description('load landing files (or stdin) into the bronze source table, exactly once'))
    .option('--source <name.table>', 'the source table to fill, when several declare a loader')
    .option('--path <dir|->', 'landing directory or glob, or - for stdin (overrides loader.path)')
    .option('--format <fmt>', 'ndjson or csv (overrides loader.format)')
    .option('--once', 'process everything present, then exit')
    .option('--max-batch-rows <n>', 'rows per micro-batch')
    .option('--max-batch-bytes <size>', 'bytes per micro-batch, e.g. 16MB')
    .option('--trigger-interval <duration>', 'how often to look for new data, e.g. 1s')
    .option('--max-line-bytes <size>', 'longest accepted line (default 1MiB)')
    .option('--clean-source <mode>', 'archive or delete processed files')
    .option('--status-interval <duration>', 'how often to print a status line (default 5s)')
    .option('--build <selector...>', 'continuous mode: build these (ft build selection) after each committed batch')
    .option('--build-exclude <selector...>', 'continuous mode: nodes to leave out of the builds')
    .option('--threads <n>', 'continuous mode: nodes to build at once (default: the profile\'s threads)')
    .option('--test-interval <duration>', 'continuous mode: run the selection\'s tests at most this often, alongside the builds, and at stop (default 60s; 0: after every build)')
    .option('--max-batches-per-build <n>', 'continuous mode: loader batches one build takes at most (the models read it as the var max_batches_per_build); builds go on until caught up')
    .action(async (flags) => done(await streamLoadCommand(flags)));
  const source = program.command('source').description('commands about sources');
  selection(withGlobalFlags(source.command('freshness').description('check how recently each source was loaded; writes target/sources.json')))
    .option('-o, --output <path>', 'where to write sources.json')
    .action(async (flags) => done(await sourceFreshnessCommand(flags)));
  execution(program.command('run').description('build the selected models')).action(async (flags) => done(await runCommand('run', flags)));
  execution(program.command('seed').description('load the CSV seeds')).action(async (flags) => done(await runCommand('seed', flags)));
  execution(program.command('snapshot').description('record the selected snapshots: type-2 history of changed rows')).action(async (flags) => done(await runCommand('snapshot', flags)));
  tests(execution(program.command('test').description('run the data tests of the selection'))).action(async (flags) => done(await runCommand('test', flags)));
  tests(execution(program.command('build').description('seeds, models and their tests in graph order'))).action(async (flags) => done(await runCommand('build', flags)));
  const metrics = program.command('metrics').description("the project's metrics (semantic_models: and metrics: in schema YAML)");
  withGlobalFlags(metrics.command('list').description('every metric: type, description and the dimensions it can be grouped by'))
    .option('--output <fmt>', 'text or json', 'text')
    .action(async (flags) => done(await metricsListCommand(flags)));
  withGlobalFlags(metrics.command('query').description('compute metrics on the server, grouped and filtered (one SQL statement)'))
    .option('--metrics <names...>', 'metrics to compute, comma-separated')
    .option('--group-by <items...>', 'metric_time__day, entity__dimension, … comma-separated')
    .option('--where <filter>', "a filter, e.g. \"{{ Dimension('product__category') }} = 'x'\" (repeatable)", collect)
    .option('--order-by <items...>', 'result columns to order by; -name for descending')
    .option('--limit <n>', 'at most this many rows')
    .option('--saved-query <name>', 'run a query of saved_queries:')
    .option('--output <fmt>', 'table, json or csv', 'table')
    .option('--explain', 'print the SQL instead of running it')
    .action(async (flags) => done(await metricsQueryCommand(flags)));
  const docs = program.command('docs').description('the documentation site: pages, lineage, column lineage and the KPI dashboard');
  withGlobalFlags(docs.command('generate').description('compile, read the catalog and write target/catalog.json and the site in target/docs'))
    .action(async (flags) => done(await docsGenerateCommand(flags)));
  withGlobalFlags(docs.command('serve').description('serve target/docs over HTTP until Ctrl-C'))
    .option('--port <n>', 'port to listen on (0 = any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--refresh <interval>', 're-read the gold tables for the dashboard every interval, e.g. 30s')
    .option('--live', 'read the dashboard panels again as each build lands (target/run_results.json changes) and every 30s (or --refresh), redrawn without a page reload')
    .action(async (flags) => done(await docsServeCommand(flags)));
}

/** Adds the flags every command accepts. */
export function withGlobalFlags(cmd: Command): Command {
  return cmd
    .option('--project-dir <dir>', 'the project folder (holding project.yml)')
    .option('--profiles-dir <dir>', 'the folder holding profiles.yml')
    .option('-t, --target <name>', 'the target in profiles.yml')
    .option('--vars <yaml>', 'project vars as YAML or JSON')
    .addOption(new Option('--log-format <fmt>', 'text or json').choices(['text', 'json', 'default']))
    .option('--no-partial-parse', 'ignore the parse cache')
    .option('--debug', 'print stack traces');
}
