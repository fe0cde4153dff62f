// Pure: turn the command line into what to do. edit-continue's own options come first; from the
// first word that is not one of them (`node` or the script) everything belongs to the program.
import type yargsType from 'yargs';
import { splitCommand, type TargetCommand } from '../launch/command';
import type { Verbosity } from '../report/format';
import { BREAK_ON_MODES, type BreakOn } from '../session/pause';
import { ENGINE_CHOICES, type EngineChoice } from '../launch/engine-choice';
import { COMMANDS } from '../prompt/commands';

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
  /** Reach node started without the program's execArgv (spawn('node', …)), through NODE_OPTIONS. */
  spawned: boolean;
  /** JSON events: '-' for stderr, a path, or null. */
  json: string | null;
  /** Prompt commands to run at the stops, before stdin is read (-x; --commands FILE's lines go first). */
  commands: string[];
  commandsFile: string | null;
  /** --engine; undefined: not given ($EDIT_CONTINUE_ENGINE, else auto). */
  engine?: EngineChoice;
}

export interface AttachRequest {
  kind: 'attach';
  target: string | { pid: number };
  allowRemote: boolean;
  watch: boolean;
  watchPatterns: string[];
  verbosity: Verbosity;
  poll: boolean;
  breakOn: BreakOn;
  json: string | null;
  commands: string[];
  commandsFile: string | null;
  engine?: EngineChoice;
}

export type CliRequest =
  | RunRequest
  | AttachRequest
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'error'; message: string; help: string };

export const USAGE = `Usage: edit-continue [options] [node] [node options] script.js [args]

Runs a Node program under the V8 inspector and patches its functions in place when you
save a file it loaded: state, closures and objects keep working and see the new code.
Top-level code is not run again. Each save prints what was patched, and what was not and why.
Worker threads and child processes that run node with the program's execArgv are patched too.

When your code throws an exception it does not catch itself (even if a framework does), or you
press Ctrl+C, it stops with its stack live and an 'ec>' prompt opens: look at the stack and locals,
change values, fix the code and 'retry' the failing function, then continue.`;

export const EPILOGUE = `Examples:
  edit-continue server.js --port 8080       use the node that runs edit-continue
  edit-continue node --max-old-space-size=4096 job.js
  edit-continue node --import tsx src/index.ts
                                            TypeScript through its loader (or -r ts-node/register)
  edit-continue tsx src/index.ts            the same (tsx's loader in the node edit-continue starts)
  edit-continue node dist/index.js          tsc output with source maps: saves of src/*.ts patch it
  edit-continue --watch 'lib/**/*.js' app.js
  edit-continue --break-on all job.js       stop at every exception, even those your code catches
  edit-continue --break-on uncaught app.js  stop only at exceptions nothing catches
  edit-continue -x 'p item' -x retry job.js run prompt commands at each stop, as if typed

Everything after 'node' or the script goes to node and the program unchanged. npm, npx and
nodemon start node themselves: edit-continue says what to run instead.
At a terminal the program has the terminal as under node (raw mode, keys, window size); the
prompt takes it only while the program is stopped. In raw mode (readline, TUIs) Ctrl+C is the
program's key, as under node. Ctrl+C twice within a second ends the program.

${promptCommands()}

Attach to a program already running (its inspector open, or by pid with SIGUSR1):
  edit-continue attach 9229 | 127.0.0.1:9229 | ws://127.0.0.1:9229/<id> | --pid 4242

Environment:
  EDIT_CONTINUE_ENGINE      the patch engine when --engine is not given: auto, swap or liveedit
  EDIT_CONTINUE_CACHE=0     do not cache the program's files with their retry boundaries, nor
                            their compiled code (node 22+: node's compile cache, see README)
  EDIT_CONTINUE_CACHE_DIR   where that cache lives (default: ~/.cache/edit-continue; see README)

Exit status: the program's (128+n when a signal ended it).
Docs: README.md; reason codes (EC101...): docs/codes.md`;

/** The prompt's commands in a few lines, from the prompt's own list (its 'help' says what each does). */
function promptCommands(): string {
  const words = COMMANDS.filter((c) => c.name !== 'help').map((c) => c.usage.replace(/ unhandled\|uncaught\|all\|none$/, ' MODE'));
  const lines: string[] = [];
  let line = "At the 'ec>' prompt ('help' there says what each does):";
  for (const [i, w] of words.entries()) {
    const word = w + (i < words.length - 1 ? ',' : '.');
    if (line.length + 1 + word.length > 96) { lines.push(line); line = ' '; }
    line += ' ' + word;
  }
  return [...lines, line].join('\n');
}

// yargs is loaded only when a command line has options of ours (or asks for help): loading it takes
// 20-30 ms on node 20, before the program can be started (bench/ANALYSIS.md, issue 17).
const yargs = (argv: string[]) => (require('yargs') as typeof yargsType)(argv);
type Yargs = ReturnType<typeof yargsType>;

/** Options the launcher and attach share. */
function common(y: Yargs) {
  return y
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
      choices: [...BREAK_ON_MODES],
      default: 'unhandled',
      requiresArg: true,
      describe: 'which exceptions stop the program at the prompt (also: catch at the prompt). unhandled: those your code throws (or lets through) and does not catch itself, even when a framework, node or a promise handler catches them; uncaught: only those nothing catches',
    })
    .option('execute', {
      alias: 'x',
      type: 'string',
      requiresArg: true,
      describe: "a prompt command to run when the program stops, as if typed (repeatable; a batch runs up to a command that lets the program go, the rest waits for the next stop): -x 'p line' -x cont",
    })
    .option('commands', {
      type: 'string',
      requiresArg: true,
      describe: 'a file of prompt commands, one a line, run as -x runs them (before any -x)',
    })
    .option('json', {
      type: 'string',
      describe: 'write events as JSON lines to stderr, or --json=FILE to a file (docs/events.md)',
    })
    .option('engine', {
      type: 'string',
      choices: [...ENGINE_CHOICES],
      requiresArg: true,
      describe: 'how saves are patched: auto (default: what the program\'s node can do), swap (function swap, no LiveEdit needed) or liveedit (V8 LiveEdit); see README',
    });
}

function finish(y: Yargs) {
  return y
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'say more: unchanged files, timings, the engine' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'say only what failed' })
    .help(false)
    .version(false)
    .option('help', { alias: 'h', type: 'boolean', describe: 'show this help' })
    .option('version', { type: 'boolean', describe: 'show the version' })
    .strictOptions()
    .exitProcess(false)
    .fail((msg, err) => { throw err ?? new Error(msg); })
    .wrap(Math.min(100, process.stdout.columns || 100));
}

function build(argv: string[]) {
  const y = common(yargs(argv).scriptName('edit-continue').usage(USAGE))
    .option('no-boundaries', {
      type: 'boolean',
      default: false,
      describe: "do not add retry boundaries to the program's files ('retry' then cannot keep the failing frame)",
    })
    .option('spawned', {
      type: 'boolean',
      default: false,
      describe: "also reach node the program starts without its execArgv (spawn('node', …)), through NODE_OPTIONS; off by default: node then writes its 'Debugger …' lines on that process's stderr, which the program may read (forked children are reached either way)",
    })
    .epilogue(EPILOGUE);
  return finish(y);
}

export const ATTACH_USAGE = `Usage: edit-continue attach [options] (PORT | HOST:PORT | ws://URL | --pid PID)

Attaches to a node program that is already running with its inspector open (node --inspect), or
opens the inspector of a running node process with --pid (SIGUSR1). Saves patch it and exceptions
stop it at the prompt, as for a program edit-continue starts. quit, detach or Ctrl+C twice leave it
running, un-paused, with no breakpoints. For 'retry' to keep frames, start the program with
node --require edit-continue/register (the retry boundaries).`;

function buildAttach(argv: string[]) {
  const y = common(yargs(argv).scriptName('edit-continue attach').usage(ATTACH_USAGE))
    .option('pid', { type: 'number', requiresArg: true, describe: 'a running node process: open its inspector with SIGUSR1' })
    .option('allow-remote', { type: 'boolean', default: false, describe: 'attach to a host that is not this machine (the inspector gives full control of the program)' });
  return finish(y);
}

export async function helpText(): Promise<string> {
  return build([]).getHelp();
}

/**
 * A command line with no option of ours: its first word is `node` or the script (`attach` is read
 * before this is asked). Everything is the program's, and each option has its default: what yargs
 * gives for it (it stops at the first word that is not an option), without loading yargs
 * (test/unit/args.test.ts compares the two).
 */
function noOptionsOfOurs(argv: string[]): boolean {
  return argv.length > 0 && !argv[0].startsWith('-');
}

/**
 * The launcher's options in their plain spellings: does it take a value, may it come more than once
 * (yargs then gives an array), which values it takes (others go to yargs, which says what is wrong).
 */
const PLAIN_OPTIONS: Readonly<Record<string, { value: boolean; multiple?: boolean; choices?: readonly string[] }>> = {
  watch: { value: true, multiple: true },
  'no-watch': { value: false },
  poll: { value: false },
  'break-on': { value: true, choices: BREAK_ON_MODES },
  execute: { value: true, multiple: true },
  commands: { value: true },
  json: { value: true },
  engine: { value: true, choices: ENGINE_CHOICES },
  'no-boundaries': { value: false },
  spawned: { value: false },
  verbose: { value: false },
  quiet: { value: false },
};
const PLAIN_SHORT: Readonly<Record<string, string>> = { w: 'watch', x: 'execute', v: 'verbose', q: 'quiet' };

/**
 * Options of ours in their plain spellings, read here instead of by yargs, which takes 20-25 ms of
 * CPU to load on node 20 (almost every start through a script or a test gives `--json`, `-x` or
 * `--engine`). Plain: `--name`, `--name=value`, `--name value`, `-w value`, `-x value`, `-v`, `-q`,
 * each at most once (but --watch and -x), every value one of its choices and not empty or
 * option-like, and no `--` anywhere. Anything else (help, a typo, a bad value, a spelling yargs also
 * reads, such as `-vq`) is null, and yargs reads the line: it says what is wrong, and
 * test/unit/args.test.ts checks that the two readings agree, plain lines and others.
 */
function plainOptions(argv: string[]): (Record<string, unknown> & { _: string[] }) | null {
  if (argv.includes('--')) return null;
  const values: Record<string, unknown> = {};
  let end = 0;
  while (end < argv.length && argv[end].startsWith('-')) {
    const m = /^(?:--([a-z][a-z-]*)(=.*)?|-([wxvq]))$/.exec(argv[end]);
    if (!m) return null;
    const name = m[1] ?? PLAIN_SHORT[m[3]];
    const option = PLAIN_OPTIONS[name];
    if (!option || (name in values && !option.multiple)) return null;
    if (!option.value) {
      if (m[2] !== undefined) return null;
      values[name] = true;
    } else {
      const value = m[2] !== undefined ? m[2].slice(1) : argv[++end];
      if (value === undefined || value === '' || (value.startsWith('-') && !(name === 'json' && value === '-'))) return null;
      if (option.choices && !option.choices.includes(value)) return null;
      values[name] = option.multiple ? [...((values[name] as string[] | undefined) ?? []), value] : value;
    }
    end++;
  }
  if (end === 0 || end === argv.length) return null;
  return { ...values, _: argv.slice(end) };
}

/** Spellings of the options whose value is the next word (attach's --pid too; --json's never is). */
const TAKES_VALUE: ReadonlySet<string> = new Set([
  ...Object.keys(PLAIN_OPTIONS).filter((name) => PLAIN_OPTIONS[name].value && name !== 'json').map((name) => `--${name}`),
  ...Object.keys(PLAIN_SHORT).filter((short) => PLAIN_OPTIONS[PLAIN_SHORT[short]].value).map((short) => `-${short}`),
  '--pid',
]);

/** A bare --json (no =FILE) means stderr; it must not take the next word (the script) as its file. */
function jsonFlag(argv: string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '--') break;
    if (out[i] === '--json') out[i] = '--json=-';
    else if (!out[i].startsWith('-')) {
      const prev = out[i - 1];
      if (prev === undefined || !TAKES_VALUE.has(prev)) break;
    }
  }
  return out;
}

export async function parseArgs(argv: string[], execPath: string, opts: { alwaysYargs?: boolean } = {}): Promise<CliRequest> {
  if (argv[0] === 'attach') return parseAttach(jsonFlag(argv.slice(1)));
  argv = jsonFlag(argv);
  // the help text takes ~15 ms to lay out: only when it is shown
  let helpShown: string | undefined;
  const help = async () => (helpShown ??= await helpText());
  let parsed: Record<string, unknown> & { _: (string | number)[]; '--'?: (string | number)[] };
  const plain = opts.alwaysYargs ? null : noOptionsOfOurs(argv) ? { _: [...argv] } : plainOptions(argv);
  if (plain) {
    parsed = plain;
  } else {
    try {
      parsed = (await build(argv).parseAsync()) as typeof parsed;
    } catch (err) {
      return { kind: 'error', message: nodeOptionHint(argv) ?? (err as Error).message, help: await help() };
    }
  }
  const rest = [...parsed._, ...(parsed['--'] ?? [])].map(String);
  if (parsed.help) return { kind: 'help', text: await help() };
  if (parsed.version) return { kind: 'version' };
  if (parsed.verbose && parsed.quiet) return { kind: 'error', message: '--verbose and --quiet do not go together', help: await help() };
  const split = splitCommand(rest, execPath);
  if (!split.ok) return { kind: 'error', message: split.error, help: await help() };
  const watchPatterns = ([] as unknown[]).concat(parsed.watch ?? []).map(String).filter((w) => w !== '');
  if (parsed['no-watch'] && watchPatterns.length) return { kind: 'error', message: '--watch and --no-watch do not go together', help: await help() };
  const engine = engineOf(parsed.engine);
  if (engine.engine === 'swap' && parsed['no-boundaries']) return { kind: 'error', message: '--engine swap and --no-boundaries do not go together: the swap engine patches through the load-time transform', help: await help() };
  return {
    kind: 'run',
    command: split.command,
    watch: !parsed['no-watch'],
    watchPatterns,
    verbosity: parsed.quiet ? 'quiet' : parsed.verbose ? 'verbose' : 'normal',
    poll: parsed.poll === true,
    breakOn: (parsed['break-on'] as BreakOn | undefined) ?? 'unhandled',
    boundaries: !parsed['no-boundaries'],
    spawned: parsed.spawned === true,
    json: jsonOf(parsed.json),
    ...executeOf(parsed),
    ...engine,
  };
}

/** -x commands; --commands FILE is read where the program starts (app.ts), this module stays pure. */
function executeOf(parsed: Record<string, unknown>): { commands: string[]; commandsFile: string | null } {
  return { commands: ([] as unknown[]).concat(parsed.execute ?? []).map(String), commandsFile: parsed.commands === undefined ? null : String(parsed.commands) };
}

/** A node option given before the script (`edit-continue --inspect app.js`): say where node options go. */
export function nodeOptionHint(argv: string[]): string | null {
  for (const word of argv) {
    if (!word.startsWith('-')) return null; // the script or `node`: what follows is not ours
    const flag = word.split('=')[0];
    if (!process.allowedNodeEnvironmentFlags.has(flag)) continue;
    const inspect = /^--inspect/.test(flag)
      ? ' edit-continue already runs the program under the inspector, so it needs no --inspect; to attach to a node you started with --inspect, use `edit-continue attach PORT`.'
      : '';
    return `${flag} is a node option, not edit-continue's: node options go after the word node, before the script: edit-continue node ${word} app.js.${inspect}`;
  }
  return null;
}

function jsonOf(value: unknown): string | null {
  if (value === undefined) return null;
  const v = String(value);
  return v === '' || v === '-' ? '-' : v;
}

async function parseAttach(argv: string[]): Promise<CliRequest> {
  const y = buildAttach(argv);
  let helpShown: string | undefined;
  const help = async () => (helpShown ??= await buildAttach([]).getHelp());
  let parsed: Record<string, unknown> & { _: (string | number)[]; '--'?: (string | number)[] };
  try {
    parsed = (await y.parseAsync()) as typeof parsed;
  } catch (err) {
    return { kind: 'error', message: (err as Error).message, help: await help() };
  }
  if (parsed.help) return { kind: 'help', text: await help() };
  if (parsed.version) return { kind: 'version' };
  const words = [...parsed._, ...(parsed['--'] ?? [])].map(String);
  const pid = parsed.pid as number | undefined;
  if (parsed.verbose && parsed.quiet) return { kind: 'error', message: '--verbose and --quiet do not go together', help: await help() };
  if (pid !== undefined && words.length) return { kind: 'error', message: 'give either --pid or a port/URL, not both', help: await help() };
  if (pid === undefined && words.length !== 1) return { kind: 'error', message: words.length ? `attach takes one target, got: ${words.join(' ')}` : 'attach to what? give a port, host:port, ws:// URL or --pid', help: await help() };
  if (pid !== undefined && (!Number.isInteger(pid) || pid <= 0)) return { kind: 'error', message: `--pid needs a process id, got ${String(parsed.pid)}`, help: await help() };
  const watchPatterns = ([] as unknown[]).concat(parsed.watch ?? []).map(String).filter((w) => w !== '');
  return {
    kind: 'attach',
    target: pid !== undefined ? { pid } : words[0],
    allowRemote: parsed['allow-remote'] === true,
    watch: !parsed['no-watch'],
    watchPatterns,
    verbosity: parsed.quiet ? 'quiet' : parsed.verbose ? 'verbose' : 'normal',
    poll: parsed.poll === true,
    breakOn: (parsed['break-on'] as BreakOn | undefined) ?? 'unhandled',
    json: jsonOf(parsed.json),
    ...executeOf(parsed),
    ...engineOf(parsed.engine),
  };
}

/** --engine given more than once: the last wins, as for other options. */
function engineOf(value: unknown): { engine?: EngineChoice } {
  if (value === undefined) return {};
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return { engine: String(v) as EngineChoice };
}
