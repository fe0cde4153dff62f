// Pure: the prompt's commands (names and aliases a `node inspect` user knows, plus ours), one help
// text, and the parser that turns a line into a command.
import { distance } from './render';
import type { Origin } from '../util/origin';

export type CommandName =
  | 'help' | 'bt' | 'frame' | 'up' | 'down' | 'list' | 'locals' | 'print' | 'repl' | 'set' | 'edit'
  | 'retry' | 'restart' | 'cont' | 'skip' | 'next' | 'step' | 'out' | 'break' | 'breakpoints' | 'clear' | 'catch' | 'pause' | 'detach' | 'quit'
  | 'threads' | 'thread';

export interface CommandSpec {
  name: CommandName;
  aliases: string[];
  usage: string;
  help: string;
}

export const COMMANDS: CommandSpec[] = [
  { name: 'help', aliases: ['h', '?'], usage: 'help', help: 'this list' },
  { name: 'bt', aliases: ['backtrace', 'where', 'w'], usage: 'bt', help: "the stack (runs of node's own frames folded)" },
  { name: 'frame', aliases: ['f'], usage: 'frame N', help: 'select frame N' },
  { name: 'up', aliases: ['u'], usage: 'up [N]', help: 'select the caller (N frames down the stack)' },
  { name: 'down', aliases: ['d'], usage: 'down [N]', help: 'select the callee' },
  { name: 'list', aliases: ['l'], usage: 'list [N]', help: 'the code around the selected frame (N lines each side)' },
  { name: 'locals', aliases: [], usage: 'locals', help: "the selected frame's variables" },
  { name: 'print', aliases: ['p', 'pp', 'exec'], usage: 'p EXPR', help: 'evaluate EXPR in the selected frame' },
  { name: 'repl', aliases: [], usage: 'repl', help: 'evaluate line after line in the selected frame, until Ctrl+C or .exit' },
  { name: 'set', aliases: [], usage: 'set NAME = EXPR', help: 'change a variable seen from the selected frame (local, parameter, closure, module; a global by assignment); set OBJ.PROP = EXPR changes a property' },
  { name: 'edit', aliases: ['e'], usage: 'edit', help: "open $VISUAL/$EDITOR at the selected frame's line; the change applies when it exits" },
  { name: 'retry', aliases: [], usage: 'retry', help: 'apply pending edits, run the failing function again from its start with the same arguments, and continue (at a breakpoint or Ctrl+C: your function it stopped in)' },
  { name: 'restart', aliases: ['rf'], usage: 'restart N', help: "restart frame N with pending edits applied and stop at its start (frames below keep their state; not node's own frames)" },
  { name: 'cont', aliases: ['c', 'continue'], usage: 'cont', help: 'continue (at an uncaught exception: the program ends as under node, `skip` keeps it; at a caught one, the code that catches it handles it)' },
  { name: 'skip', aliases: ['ignore'], usage: 'skip', help: 'at an exception that would end the program: go on without it; the program runs on (the calls under way when it was thrown end there)' },
  { name: 'next', aliases: ['n'], usage: 'next', help: 'step over' },
  { name: 'step', aliases: ['s'], usage: 'step', help: 'step into' },
  { name: 'out', aliases: ['o'], usage: 'out', help: 'step out' },
  { name: 'break', aliases: ['b', 'sb'], usage: 'break [FILE:]LINE [if COND]', help: 'set a breakpoint (it survives patches)' },
  { name: 'breakpoints', aliases: ['bl'], usage: 'breakpoints', help: 'list breakpoints' },
  { name: 'clear', aliases: ['cb'], usage: 'clear N', help: 'remove breakpoint N' },
  { name: 'threads', aliases: [], usage: 'threads', help: 'the main thread, the worker threads and the child processes, and which are stopped' },
  { name: 'thread', aliases: [], usage: 'thread N', help: "go to thread N (a threadId, or a child's pid), stopping it if it runs; bt, locals, set, retry and restart then act there" },
  { name: 'catch', aliases: [], usage: 'catch unhandled|uncaught|all|none', help: 'which exceptions stop the program (unhandled: those your code does not catch itself)' },
  { name: 'pause', aliases: [], usage: 'pause', help: 'attach mode: stop the running program (as Ctrl+C does)' },
  { name: 'detach', aliases: [], usage: 'detach', help: 'attach mode: let the program go on without edit-continue' },
  { name: 'quit', aliases: ['q', 'exit', '.exit', 'kill'], usage: 'quit', help: 'end the program (attach mode: detach)' },
];

const BY_WORD = new Map<string, CommandSpec>();
for (const c of COMMANDS) {
  BY_WORD.set(c.name, c);
  for (const a of c.aliases) BY_WORD.set(a, c);
}

export type Parsed =
  | { kind: 'command'; name: CommandName; args: string }
  | { kind: 'empty' }
  | { kind: 'unknown'; word: string; hint: string };

export function parseLine(line: string): Parsed {
  const trimmed = line.trim();
  if (!trimmed) return { kind: 'empty' };
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
  const word = m[1].toLowerCase();
  const spec = BY_WORD.get(word);
  if (spec) return { kind: 'command', name: spec.name, args: m[2].trim() };
  return { kind: 'unknown', word: m[1], hint: hintFor(m[1]) };
}

function hintFor(word: string): string {
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const w of BY_WORD.keys()) {
    if (w.length < 2) continue;
    const d = distance(lower, w);
    if (d < bestD) { bestD = d; best = w; }
  }
  const guess = best && bestD <= Math.max(1, Math.floor(lower.length / 3)) ? `did you mean '${best}'? ` : '';
  const expr = /[()=.[\]'"+\-*/]/.test(word) ? `to evaluate, use 'p ${word}'; ` : '';
  return `unknown command '${word}': ${guess}${expr}'help' lists the commands`;
}

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  const lines = COMMANDS.map((c) => {
    const aliases = c.aliases.filter((a) => a !== '?').length ? ` (${c.aliases.filter((a) => a !== '?').join(', ')})` : '';
    return `  ${c.usage.padEnd(width)}  ${c.help}${aliases}`;
  });
  return ['Commands (Enter repeats the last one):', ...lines].join('\n');
}

/**
 * `set OBJ.PROP = EXPR`, `set list[2].w = EXPR` → the target (a name and its property accesses) and
 * the expression: evaluated as an assignment in the frame, as `p OBJ.PROP = EXPR` would.
 */
export function parsePropertyAssignment(args: string): { target: string; expression: string } | null {
  const m = /^([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[[^\[\]=]+\])+)\s*=(?!=)\s*([\s\S]+)$/.exec(args.trim());
  return m ? { target: m[1], expression: m[2].trim() } : null;
}

/** `set NAME = EXPR` → its parts. */
export function parseAssignment(args: string): { name: string; expression: string } | null {
  const m = /^([A-Za-z_$][\w$]*)\s*=(?!=)\s*([\s\S]+)$/.exec(args.trim());
  return m ? { name: m[1], expression: m[2].trim() } : null;
}

/** `break [FILE:]LINE [if COND]` → its parts. */
export function parseBreak(args: string): { file: string | null; line: number; condition?: string } | null {
  // the file part may not contain ` if ` (else a bare line's condition `12 if a ? 1:2` reads as a file)
  const m = /^(?:((?:(?! if ).)+?):)?(\d+)(?:\s+if\s+([\s\S]+))?$/.exec(args.trim());
  if (!m) return null;
  const line = Number(m[2]);
  if (!Number.isInteger(line) || line < 1) return null;
  return { file: m[1] ?? null, line, condition: m[3]?.trim() };
}

/** A frame number argument: `frame 2`, `restart 0`. */
export function parseIndex(args: string): number | null {
  return /^\d+$/.test(args.trim()) ? Number(args.trim()) : null;
}

/** What Ctrl+C says as it asks the program to stop (a second one within a second ends it, or detaches: app.ts). */
export function pausingNote(attached: boolean): string {
  return `pausing… (Ctrl+C again to ${attached ? 'detach' : 'end the program'})`;
}

/**
 * What a stop outside the program's code says under its heading, by whose code the top frame is (a
 * Ctrl+C stops where JavaScript runs: node's timers, a library, or edit-continue's own code, such as
 * its cache's quiet timer rewriting the pack a second after the last module loaded).
 */
export function outsideNote(origin: Origin | 'idle' | undefined): string {
  const where = origin === 'library' ? 'in library code'
    : origin === 'edit-continue' ? "in edit-continue's own code, which runs between yours"
    : origin === 'idle' ? 'idle: nothing of it was running'
    : "idle or in node's own code";
  return `(the program was ${where}; set breakpoints, evaluate, cont)`;
}

/** What Ctrl+C says at the prompt, where the program is stopped already. */
export function pausedNote(attached: boolean): string {
  return `(the program is paused: cont to go on; quit, or Ctrl+C twice, to ${attached ? 'detach' : 'end it'})`;
}
