// Pure: turn the command line into what to do. edit-continue's own options come first; from the
// first word that is not one of them (`node` or the script) everything belongs to the program.
import yargs from 'yargs';
import { splitCommand, type TargetCommand } from '../launch/command';
import type { Verbosity } from '../report/format';
import type { BreakOn } from '../session/pause';

export interface RunRequest {
  kind: 'run';
  command: TargetCommand;
  watch: boolean;
  watchPatterns: string[];
  verbosity: Verbosity;
  poll: boolean;
  /** Which exceptions stop the program at the prompt. */
  breakOn: BreakOn;
  /** Put retry boundaries into the program's own files as they load. */
  boundaries: boolean;
}


export type CliRequest =
  | RunRequest
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'error'; message: string; help: string };

export const USAGE = `Usage: edit-continue [options] [node] [node options] script.js [args]

Runs a Node program under the V8 inspector and patches its functions in place when you
save a file it loaded: state, closures and objects keep working and see the new code.
Top-level code is not run again. Each save prints what was patched, and what was not and why.

When the program throws an uncaught exception, or you press Ctrl+C, it stops with its stack
live and an 'ec>' prompt opens: look at the stack and locals, change values, fix the code and
'retry' the failing function, then continue. Type 'help' there for the commands.`;

export const EPILOGUE = `Examples:
  edit-continue server.js --port 8080       use the node that runs edit-continue
  edit-continue node --max-old-space-size=4096 job.js
  edit-continue --watch 'lib/**/*.js' app.js
  edit-continue --break-on all job.js       stop at caught exceptions too

Everything after 'node' or the script goes to node and the program unchanged.
Exit status: the program's (128+n when a signal ended it).
Docs: README.md; reason codes (EC101...): docs/codes.md`;

function build(argv: string[]) {
  return yargs(argv)
    .scriptName('edit-continue')
    .usage(USAGE)
    .parserConfiguration({
      'halt-at-non-option': true,
      'boolean-negation': false,
      'populate--': true,
      'parse-positional-numbers': false,
      'duplicate-arguments-array': true,
    })
    .option('watch', {
      alias: 'w',
      type: 'string',
      requiresArg: true,
      describe: 'also watch this file, directory or glob (repeatable); files the program loads are watched anyway',
    })
    .option('no-watch', { type: 'boolean', default: false, describe: 'do not watch files (no live patching)' })
    .option('poll', { type: 'boolean', default: false, describe: 'poll files instead of using inotify (network drives, some containers)' })
    .option('break-on', {
      type: 'string',
      choices: ['uncaught', 'all', 'none'],
      default: 'uncaught',
      requiresArg: true,
      describe: 'which exceptions stop the program at the prompt (also: catch at the prompt)',
    })
    .option('no-boundaries', {
      type: 'boolean',
      default: false,
      describe: "do not add retry boundaries to the program's files ('retry' then cannot keep the failing frame)",
    })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'say more: unchanged files, timings' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'say only what failed' })
    .help(false)
    .version(false)
    .option('help', { alias: 'h', type: 'boolean', describe: 'show this help' })
    .option('version', { type: 'boolean', describe: 'show the version' })
    .epilogue(EPILOGUE)
    .strictOptions()
    .exitProcess(false)
    .fail((msg, err) => { throw err ?? new Error(msg); })
    .wrap(Math.min(100, process.stdout.columns || 100));
}

export async function helpText(): Promise<string> {
  return build([]).getHelp();
}

export async function parseArgs(argv: string[], execPath: string): Promise<CliRequest> {
  const y = build(argv);
  const help = await y.getHelp();
  let parsed: Record<string, unknown> & { _: (string | number)[]; '--'?: (string | number)[] };
  try {
    parsed = (await y.parseAsync()) as typeof parsed;
  } catch (err) {
    return { kind: 'error', message: (err as Error).message, help };
  }
  const rest = [...parsed._, ...(parsed['--'] ?? [])].map(String);
  if (parsed.help) return { kind: 'help', text: help };
  if (parsed.version) return { kind: 'version' };
  if (parsed.verbose && parsed.quiet) return { kind: 'error', message: '--verbose and --quiet do not go together', help };
  const split = splitCommand(rest, execPath);
  if (!split.ok) return { kind: 'error', message: split.error, help };
  const watchPatterns = ([] as unknown[]).concat(parsed.watch ?? []).map(String).filter((w) => w !== '');
  if (parsed['no-watch'] && watchPatterns.length) return { kind: 'error', message: '--watch and --no-watch do not go together', help };
  return {
    kind: 'run',
    command: split.command,
    watch: !parsed['no-watch'],
    watchPatterns,
    verbosity: parsed.quiet ? 'quiet' : parsed.verbose ? 'verbose' : 'normal',
    poll: parsed.poll === true,
    breakOn: (parsed['break-on'] as BreakOn | undefined) ?? 'uncaught',
    boundaries: !parsed['no-boundaries'],
  };
}
