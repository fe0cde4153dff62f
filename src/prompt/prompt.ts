// The `ec>` prompt: opens when the program stops, reads commands from stdin (a terminal or not), and
// hands stdin back to the program when it continues. Output goes to stderr, beside our other lines,
// so the program's stdout stays the program's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StdinRouter } from '../launch/stdin';
import { codeFrame } from '../report/codeFrame';
import { displayPath, type Style } from '../report/format';
import { COMMANDS, parsePropertyAssignment, helpText, parseAssignment, parseBreak, parseIndex, outsideNote, parseLine, pausedNote, pausingNote, type CommandName } from './commands';
import { backtrace, errorStackLines, exceptionHeadline, firstProgramPlace, formatValue, frameLine, isLastChance, localsLine, messageLines, placeOf, stackLines } from './render';
import type { BreakOn, FrameView, Pause, PromptSession, RetryFailure } from './session';
import { BREAK_ON_MODES } from './session';
import { CLOSED, isOpen, next, readingOf, type PromptEffect, type PromptInput, type PromptMode } from './mode';
import { parseThreadNumber, threadNumber, threadParts } from '../session/threads';
import { SYNTAX_ERROR_LINE } from '../session/load-error';

export interface PromptDeps {
  /** The one way to the program (LiveSession). */
  session: PromptSession;
  stdin: StdinRouter;
  /** Is our stdin a terminal? (the editor then gets it) */
  stdinIsTTY: boolean;
  write(text: string): void;
  style: Style;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** End the program (attached: detach from it, leaving it running). */
  quit(): Promise<void>;
  /** Attached to a program we did not start: quit detaches. */
  attached?: boolean;
  /**
   * Commands to run at the stops, as if typed, before stdin is read (-x, --commands): at each stop, a
   * batch up to a command that lets the program go; the rest waits for the next stop.
   */
  commands?: string[];
}

/** Commands after which the program is no longer stopped where it was. */
const GOES_ON = new Set<CommandName>(['cont', 'skip', 'next', 'step', 'out', 'retry', 'restart', 'quit', 'detach']);

const PROMPT = 'ec> ';
const REPL_PROMPT = '> ';

export class Prompt {
  private selected = 0;
  private frames: FrameView[] = [];
  private lastLine = '';
  private pending = '';
  private lines: string[] = [];
  /** Scripted commands not yet run, and how many of `lines` (at its head) came from them. */
  private readonly script: string[];
  private scriptedAhead = 0;
  /** A command is running. */
  private busy = false;
  /** `step`, `next` or `out` waits for the stop its step ends in (the program runs meanwhile); was Ctrl+C pressed meanwhile? */
  private stepWait: { interrupted: boolean } | null = null;
  /** A stop is being shown. */
  private rendering = false;
  /** The pause the frames on screen belong to. */
  private shown: Pause | null = null;
  /** Closed, open, the terminal lent for a command that lets the program go, letting it go (./mode.ts). */
  private mode: PromptMode = CLOSED;

  constructor(private readonly d: PromptDeps) {
    this.script = [...(d.commands ?? [])];
    d.session.onPause((p) => { void this.opened(p); });
    d.session.onResume(() => this.closed());
    // Attached, the program has a stdin of its own: ours is the prompt's, running or paused.
    if (d.attached) d.stdin.toConsumer((chunk) => this.input(chunk), () => this.inputEnded());
  }

  /** Commands that make sense while an attached program runs. */
  private static readonly WHILE_RUNNING = new Set<CommandName>(['help', 'break', 'breakpoints', 'clear', 'catch', 'detach', 'quit', 'pause', 'threads']);

  /**
   * Is the program stopped, with the prompt waiting on the user? Not once a `cont` (or Ctrl+D) has
   * let it go: it may run, read the terminal and go back to cooked mode before V8's `resumed` reaches
   * us and closes the prompt, so a Ctrl+C then is for the running program (app pauses it).
   */
  get isOpen(): boolean { return isOpen(this.mode, !!this.d.session.current); }

  /** How lines are read now (null: the program runs). */
  private get reading() { return readingOf(this.mode); }

  /** Move the mode on (./mode.ts) and carry out what that asks of stdin. */
  private feed(input: PromptInput): PromptEffect[] {
    const r = next(this.mode, input);
    this.mode = r.mode;
    for (const e of r.effects) this.carryOut(e);
    return r.effects;
  }

  private carryOut(e: PromptEffect): void {
    switch (e.do) {
      case 'lend-terminal':
        this.d.stdin.toProgram();
        return;
      case 'take-stdin':
        this.d.stdin.toConsumer((chunk) => this.input(chunk), () => this.inputEnded());
        return;
      case 'give-stdin': {
        // lines that came after the command that let the program go (piped input, typed ahead) are the
        // program's input now, as they would be had they come a moment later (scripted ones are ours)
        const typed = this.lines.slice(this.scriptedAhead);
        const unread = (typed.length ? typed.join('\n') + '\n' : '') + this.pending;
        this.lines = [];
        this.pending = '';
        this.scriptedAhead = 0;
        this.d.stdin.toProgram(unread);
        return;
      }
    }
  }

  /** A line from elsewhere (a save's report) while the prompt may be waiting for input. */
  notify(line: string): void {
    if (this.mode.is === 'closed' || this.busy || this.rendering) { this.out(line); return; }
    // leave the waiting prompt's line, print the lines that come together, then show the prompt again
    if (!this.notifying) {
      this.notifying = true;
      this.d.write('\n');
      queueMicrotask(() => {
        this.notifying = false;
        if ((this.reading === 'command' || this.reading === 'repl') && !this.busy && !this.rendering) this.prompt();
      });
    }
    this.out(line);
  }
  private notifying = false;

  private out(text: string): void { this.d.write(text.endsWith('\n') ? text : text + '\n'); }
  private prompt(): void { this.d.write(this.reading === 'repl' ? REPL_PROMPT : PROMPT); }

  // ---- opening and closing ----

  private async opened(pause: Pause): Promise<void> {
    // (LiveSession has let go of the stops the user is not to see: caught exceptions in node's code)
    // Take stdin at once: a line typed as soon as the pause shows must reach the prompt, not the program.
    this.rendering = true;
    this.feed({ on: 'stopped', stdinEnded: this.d.stdin.ended() });
    try {
      this.frames = await this.d.session.frames(pause);
      this.selected = Math.max(0, this.frames.findIndex((f) => f.origin === 'program'));
      this.shown = pause;
      await this.showPause(pause);
    } finally {
      this.rendering = false;
    }
    this.feedScript();
    if (this.d.stdin.ended() && this.scriptedAhead === 0) {
      this.out(this.d.style.dim('(stdin is closed: continuing)'));
      this.feed({ on: 'let-go' });
      await this.d.session.resume();
      return;
    }
    if (this.mode.is === 'closed') return;
    if (!this.busy) this.prompt();
    void this.drain();
  }

  /** Put the next batch of scripted commands ahead of typed lines: up to one that lets the program go. */
  private feedScript(): void {
    if (this.scriptedAhead > 0 || this.script.length === 0) return;
    const batch: string[] = [];
    while (this.script.length) {
      const line = this.script.shift()!;
      batch.push(line);
      const parsed = parseLine(line);
      if (parsed.kind === 'command' && GOES_ON.has(parsed.name)) break;
    }
    this.lines.unshift(...batch);
    this.scriptedAhead = batch.length;
  }

  private closed(): void {
    this.feed({ on: 'running', attached: !!this.d.attached });
  }

  private inputEnded(): void {
    if (this.mode.is === 'closed' || this.scriptedAhead > 0) return; // drain says it once the script's batch is done
    // at a terminal, Ctrl+D ends this read only: the next stop reads the terminal again
    this.out(this.d.style.dim(this.d.stdin.terminal ? '(Ctrl+D: continuing)' : '(stdin is closed: continuing)'));
    this.feed({ on: 'let-go' });
    void this.d.session.resume();
  }

  /** Ctrl+C while the prompt is open: leave the repl, or say how to go on (twice ends the program: app). */
  interrupt(): void {
    // a step of ours is on its way and the program runs (a step across a loop, or one that will not
    // stop before the event loop): stop it where it is, and the step ends there
    if (this.stepWait && !this.d.session.current) {
      this.stepWait.interrupted = true;
      this.out(this.d.style.dim(pausingNote(this.d.attached === true)));
      this.d.session.interrupt().catch(() => {});
      return;
    }
    if (this.reading === 'repl') {
      this.feed({ on: 'read-as', reading: 'command' });
      this.out('');
      this.prompt();
      return;
    }
    if (this.reading === 'confirming-quit') this.feed({ on: 'read-as', reading: 'command' });
    this.out('\n' + pausedNote(this.d.attached === true));
    this.prompt();
  }

  // ---- input ----

  private input(chunk: Buffer): void {
    this.pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      this.lines.push(line);
      this.pending = this.pending.slice(nl + 1);
      // At a terminal what is typed next is the program's, and cannot be handed back once read: a
      // command that lets the program go lends it the terminal now, in the program's mode, before it
      // runs (it may change the mode itself at once); the rest of the chunk waits in `pending`.
      const lent = this.feed({ on: 'line', goes: this.letsGo(line), terminal: !!this.d.stdin.terminal });
      if (lent.length) break;
    }
    void this.drain();
  }

  /** Is this typed line (queued now) a command that lets the program go? (Enter repeats the last command.) */
  private letsGo(line: string): boolean {
    const parsed = parseLine(line.trim() ? line : this.lastLine);
    // `quit` at a terminal asks first, and the answer is ours to read: the terminal is not lent for it
    // (taking it back would drop an answer typed at once)
    if (parsed.kind === 'command' && parsed.name === 'quit' && this.d.stdinIsTTY && !this.d.attached) return false;
    return parsed.kind === 'command' && GOES_ON.has(parsed.name);
  }

  private async drain(): Promise<void> {
    if (this.busy || this.rendering) return;
    this.busy = true;
    try {
      while (this.lines.length && (this.mode.is !== 'closed' || this.d.attached)) {
        const line = this.lines.shift()!;
        if (this.scriptedAhead > 0) {
          this.scriptedAhead--;
          this.d.write(line + '\n'); // as if typed: shown after the prompt
        }
        if (this.reading === 'repl') await this.replLine(line);
        else await this.commandLine(line);
        // (not for a stop the command ran into that is not on screen yet, a breakpoint right after a
        // `cont`: its own showing ends with the prompt, which here would stand above it)
        if ((this.reading === 'command' || this.reading === 'repl') && !this.rendering && !this.stopNotShown()) this.prompt();
        // still stopped after a batch: the next one (a retry that could not go on, say); a stop the
        // command ran into that is not on screen yet takes its batch when it is shown (opened)
        if (this.lines.length === 0 && this.mode.is !== 'closed' && !this.rendering && !this.stopNotShown()) this.feedScript();
        // still stopped after a command that lent the terminal (a step ended, a retry could not go on): read it again
        this.feed({ on: 'command-done', queued: this.lines.length > 0, stopped: !!this.d.session.current });
      }
    } finally {
      this.busy = false;
    }
    if (this.mode.is !== 'closed' && !this.d.attached && this.scriptedAhead === 0 && this.lines.length === 0 && this.d.stdin.ended() && !this.rendering && !this.stopNotShown()) {
      this.inputEnded();
    }
  }

  /** Has the program stopped anew where the prompt has not shown it (opened() is about to)? */
  private stopNotShown(): boolean {
    const now = this.d.session.current;
    return now !== null && now !== this.shown;
  }

  private async replLine(line: string): Promise<void> {
    if (line.trim() === '.exit') { this.feed({ on: 'read-as', reading: 'command' }); return; }
    if (!line.trim()) return;
    await this.print(line);
  }

  private async commandLine(line: string): Promise<void> {
    if (this.reading === 'confirming-quit') {
      this.feed({ on: 'read-as', reading: 'command' });
      if (/^\s*y(es)?\s*$/i.test(line)) { this.out('ending the program'); await this.d.quit(); }
      else this.out('not ending it');
      return;
    }
    let parsed = parseLine(line);
    if (parsed.kind === 'empty') {
      if (!this.lastLine) return;
      parsed = parseLine(this.lastLine);
    } else {
      this.lastLine = line;
    }
    if (parsed.kind === 'unknown') { this.out(parsed.hint); return; }
    if (parsed.kind !== 'command') return;
    if (this.mode.is === 'closed' && !Prompt.WHILE_RUNNING.has(parsed.name)) {
      this.out(`the program is running: 'pause' (or Ctrl+C) stops it first`);
      return;
    }
    try {
      await this.run(parsed.name, parsed.args);
    } catch (err) {
      this.out(`error: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  // ---- commands ----

  private async run(name: CommandName, args: string): Promise<void> {
    const s = this.d.session;
    switch (name) {
      case 'help': return this.out(helpText());
      case 'bt': return this.out(backtrace(this.frames, this.selected).join('\n'));
      case 'frame': {
        const n = parseIndex(args);
        if (n === null) return this.out('usage: frame N');
        return this.select(n);
      }
      case 'up': return this.step(parseIndex(args) ?? 1);
      case 'down': return this.step(-(parseIndex(args) ?? 1));
      case 'list': return this.out(await this.code(this.selected, parseIndex(args) ?? 5));
      case 'locals': {
        const load = this.shown?.loadError;
        const frame = this.frames[this.selected];
        // a file that does not compile: node's loader variables are not what the user is after
        if (load && frame && frame.origin !== 'program' && args !== 'all') {
          return this.out(`frame ${this.selected} is node's loader, compiling ${displayPath(load.file, this.d.cwd)}, which did not compile (line ${load.line}): no code of it ran, so it has no variables yet (\`locals all\` shows the loader's)`);
        }
        return this.out(await this.locals(this.selected, true));
      }
      case 'print':
        if (!args) return this.out('usage: p EXPR');
        return this.print(args);
      case 'repl':
        this.feed({ on: 'read-as', reading: 'repl' });
        return this.out('evaluating in the selected frame; Ctrl+C or .exit to leave');
      case 'set': return this.set(args);
      case 'edit': return this.edit();
      case 'retry': {
        // the line comes as the retried code starts, before what it prints; from then on the program
        // is let go as by `cont` (a Ctrl+C that comes before V8 says it runs pauses it again)
        let lettingGo = false;
        try {
          const r = await s.retry((m) => { this.out(this.d.style.ok(m)); this.feed({ on: 'let-go' }); lettingGo = true; });
          if (!r.ok) { this.out(`retry: ${r.message}`); return this.showIfMoved(); }
        } finally {
          if (lettingGo) this.feed({ on: 'cont-returned' });
        }
        return;
      }
      case 'restart': {
        const n = parseIndex(args);
        if (n === null) return this.out("usage: restart N (the frame number from 'bt'); it restarts one frame, not the program");
        const r = await s.restartFrame(n);
        if (!r.ok) { this.out(`restart: ${r.message}`); return this.showIfMoved(); }
        return this.refreshed(r.value, `restarted frame ${n}; stopped at its start`);
      }
      case 'skip': {
        if (!s.skipException) return this.out('skip is not available here: `cont` goes on');
        const r = await s.skipException();
        this.out(r.ok ? r.value.message : `skip: ${r.message}`);
        if (r.ok) await this.goOn();
        return;
      }
      case 'cont':
        return this.goOn();
      case 'next':
      case 'step':
      case 'out': {
        // the last chance: only node's own code runs from here, and a step would leave the stop skip needs
        if (s.current?.ending) return this.out(`${name}: node is ending the program with this exception, and none of your code runs before it does: \`skip\` keeps the program running, \`cont\` lets it end`);
        const kind = name === 'next' ? 'over' : name === 'step' ? 'into' : 'out';
        const wait = { interrupted: false };
        this.stepWait = wait;
        let p: Pause | null;
        try {
          p = await s.step(kind);
        } finally {
          this.stepWait = null;
        }
        if (!p) {
          // it ran on: back to the event loop, or on in code V8 did not stop in. A Ctrl+C typed
          // meanwhile that V8 has not answered: node 22 reads nothing while `out` runs a loop (docs/v8.md)
          this.out(this.d.style.dim(wait.interrupted
            ? `(the step did not stop within 3 s, and node has not answered the Ctrl+C yet: the program stops once node reads it; Ctrl+C twice ${this.d.attached ? 'detaches' : 'ends it'})`
            : '(the step did not stop within 3 s: the program runs on; Ctrl+C stops it again)'));
          this.closed();
          return;
        }
        return this.refreshed(p, this.stoppedBy(p) ?? undefined);
      }
      case 'break': return this.addBreakpoint(args);
      case 'breakpoints': {
        const all = s.breakpoints();
        if (!all.length) return this.out('no breakpoints');
        return this.out(all.map((b) => `  ${b.n}  ${displayPath(b.file, this.d.cwd)}:${b.line}${b.condition ? ` if ${b.condition}` : ''}${b.resolved ? '' : ' (not loaded yet)'}`).join('\n'));
      }
      case 'clear': {
        const n = parseIndex(args);
        if (n === null) return this.out('usage: clear N (the number from breakpoints)');
        const r = await s.removeBreakpoint(n);
        return this.out(r.ok ? `removed breakpoint ${n}` : r.message);
      }
      case 'catch': {
        if (!BREAK_ON_MODES.includes(args as BreakOn)) return this.out(`usage: catch ${BREAK_ON_MODES.join('|')} (now: ${s.breakOn})`);
        await s.setBreakOn(args as BreakOn);
        return this.out(`stopping at ${args === 'all' ? 'every exception' : args === 'none' ? 'no exception' : args === 'unhandled' ? 'exceptions your code does not catch itself' : 'uncaught exceptions'}`);
      }
      case 'threads': return this.out(this.threadLines());
      case 'thread': {
        const n = parseThreadNumber(args);
        if (n === null || !s.selectThread) return this.out('usage: thread N (the number from `threads`; 0 is the main thread, PID/N a child process\'s worker)');
        const r = await s.selectThread(n);
        if (!r.ok) return this.out(`thread: ${r.message}`);
        return this.refreshed(r.value, `${this.label() || 'main thread'}: ${r.value.kind === 'exception' ? exceptionHeadline(r.value.exception, r.value.rejection) : 'paused'}`);
      }
      case 'pause':
        if (s.current) return this.out('the program is already paused');
        await s.interrupt();
        return;
      case 'detach':
        if (!this.d.attached) return this.out("detach is for 'edit-continue attach'; here the program is ours: cont, or quit to end it");
        // (the session says 'detached: the program runs on' once it has let go)
        await this.d.quit();
        return;
      case 'quit':
        if (this.d.attached) {
          this.out('quit detaches: the program was not started by edit-continue');
          await this.d.quit();
          return;
        }
        // At a terminal a stray `q` must not end an hour of work: ask. A script is not asked.
        if (this.d.stdinIsTTY) {
          this.feed({ on: 'read-as', reading: 'confirming-quit' });
          this.d.write('end the program? (y/N) ');
          return;
        }
        this.out('ending the program');
        await this.d.quit();
        return;
    }
  }

  /** `[worker 2] ` when the selected thread is a worker, '' otherwise. */
  private label(): string {
    const l = this.d.session.threadLabel?.() ?? '';
    return l ? l + ' ' : '';
  }

  private threadLines(): string {
    const all = this.d.session.threads?.() ?? [];
    if (all.length <= 1) return 'only the main thread (no worker threads)';
    return all.map((t) => {
      const { pid, thread } = threadParts(t.id);
      const where = t.url ? ` (${t.url.startsWith('file:') ? displayPath(fileURLToPath(t.url), this.d.cwd) : t.url})` : '';
      const name = t.id === 0 ? 'main thread' : pid && !thread ? 'child process' : pid ? `worker ${thread} of process ${pid}${where}` : `worker ${thread}${where}`;
      const top = t.stopped?.callFrames[0];
      const state = t.stopped ? `stopped (${t.stopped.kind}${top ? ` in ${top.functionName || '(anonymous)'}` : ''})` : 'running';
      return `${t.selected ? '*' : ' '} ${threadNumber(t.id).padStart(2)}  ${name}  ${state}`;
    }).join('\n');
  }

  /** A step may end at a breakpoint or an exception that came first (elsewhere, or in another call). */
  private stoppedBy(p: Pause): string | null {
    if (p.kind === 'exception') return `${exceptionHeadline(p.exception, p.rejection)} (before the step ended)`;
    if (p.kind === 'interrupt') return 'paused (Ctrl+C) before the step ended';
    const n = this.d.session.breakpointNumbers(p);
    return n.length ? `breakpoint ${n.join(', ')} in ${p.callFrames[0]?.functionName || '(anonymous)'}` : null;
  }

  /** After a failed retry or restart the program may have stepped: show where it is now. */
  private async showIfMoved(): Promise<void> {
    const now = this.d.session.current;
    if (now && now !== this.shown) await this.refreshed(now, 'the program is now stopped here:');
  }

  private async refreshed(p: Pause, note?: string): Promise<void> {
    this.shown = p;
    this.frames = await this.d.session.frames(p);
    this.selected = Math.max(0, this.frames.findIndex((f) => f.origin === 'program'));
    if (note) this.out(note);
    const f = this.frames[this.selected];
    if (f) this.out(`${f.name} (${placeOf(f)}:${f.line}:${f.column})`);
    this.out(await this.code(this.selected, 2));
  }

  /**
   * The frame `by` frames up (down when negative) from the selected one, as `bt` lists them: the swap
   * engine's dispatch frames (the original function passing the call on) are not counted or stopped at.
   */
  private moved(by: number): number {
    const listed = this.frames.filter((f) => !f.dispatch || f.index === this.selected).map((f) => f.index);
    const at = listed.indexOf(this.selected);
    if (at < 0) return this.selected + by;
    const to = at + by;
    return to < 0 ? -1 : to >= listed.length ? this.frames.length : listed[to];
  }

  /** `up` and `down`: past either end of the stack, say which end it is at. */
  private step(by: number): Promise<void> {
    const n = this.moved(by);
    if (n < 0) return Promise.resolve(this.out(`already at frame ${this.selected}, the innermost (up goes to its callers)`));
    if (n >= this.frames.length) return Promise.resolve(this.out(`already at frame ${this.selected}, the outermost (down goes back)`));
    return this.select(n);
  }

  private async select(n: number): Promise<void> {
    if (n < 0 || n >= this.frames.length) return this.out(`there is no frame ${n} (0 to ${this.frames.length - 1})`);
    this.selected = n;
    const f = this.frames[n];
    if (f.idle) return this.out(frameLine(f, true));
    this.out(`#${n} ${f.name} (${placeOf(f)}:${f.line}:${f.column})`);
    this.out(await this.code(n, 2));
  }

  private async print(expression: string): Promise<void> {
    const frameIndex = this.frames.length ? this.selected : null;
    const r = await this.d.session.evaluateSeeing(expression, frameIndex);
    if (!r.ok) return this.out(`error: ${r.message}`);
    this.out(formatValue(r.value.value));
    const place = this.seenIn(r.value.module, r.value.from);
    if (place) this.out(this.d.style.dim(`(read in ${place}: ${r.value.module ? 'no frame of your program is on the stack' : `${this.selectedName()} does not use it, so V8 keeps it only there`})`));
  }

  private async set(args: string): Promise<void> {
    const a = parseAssignment(args);
    if (!a) {
      const prop = parsePropertyAssignment(args);
      if (!prop) {
        // `set qty 3`, as gdb's and lldb's users type it: say the line that works
        const bare = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s+(?![=\s])([\s\S]+)$/.exec(args.trim());
        return this.out(`usage: set NAME = EXPR, or set OBJ.PROP = EXPR${bare ? ` (here: set ${bare[1]} = ${bare[2]})` : ''}`);
      }
      return this.setProperty(prop.target, prop.expression);
    }
    const r = await this.d.session.setVariable(this.selected, a.name, a.expression);
    if (!r.ok) return this.out(`set: ${r.message}`);
    const constNote = r.value.declaredConst ? ` (note: ${a.name} is declared const; the program assumed it would not change)` : '';
    const place = this.seenIn(r.value.module, r.value.frame);
    const elsewhere = place ? ` (in ${place}${r.value.module ? '' : `, which holds it: ${this.selectedName()} does not use it`})` : '';
    this.out(`${a.name} = ${formatValue(r.value.value)}${r.value.scopeType === 'global' ? ' (global)' : ''}${elsewhere}${constNote}`);
  }

  /** `set OBJ.PROP = EXPR`: the assignment evaluated in the selected frame (an object is changed in place, as the program would). */
  private async setProperty(target: string, expression: string): Promise<void> {
    const frameIndex = this.frames.length ? this.selected : null;
    const r = await this.d.session.evaluateSeeing(`${target} = (${expression})`, frameIndex);
    if (!r.ok) return this.out(`set: ${r.message}`);
    const place = this.seenIn(r.value.module, r.value.from);
    const read = place ? ` (${r.value.module ? '' : `${target.split(/[.[]/)[0]} read `}in ${place})` : '';
    this.out(`${target} = ${formatValue(r.value.value)}${read}`);
  }

  /**
   * Where `p`, `set` or a property's `set` found a name, when not in the selected frame: the top level
   * of a module (an idle stop), or the frame below that keeps it (`frame 1, main at job.js:4`); null
   * for the selected frame.
   */
  private seenIn(module: string | null | undefined, frame: number | null): string | null {
    if (module) return `the top level of ${displayPath(module, this.d.cwd)}`;
    return frame !== null && frame !== this.selected ? `frame ${frame}, ${this.where(frame)}` : null;
  }

  private selectedName(): string {
    return this.frames[this.selected]?.name ?? 'this function';
  }

  /** `name at file:line` of a frame, for messages. */
  private where(index: number): string {
    const f = this.frames[index];
    return f ? `${f.name} at ${placeOf(f)}:${f.line}` : `frame ${index}`;
  }

  private async edit(): Promise<void> {
    const f = this.frames[this.selected];
    if (!f?.file) return this.out('the selected frame has no file to edit');
    const editor = this.d.env.VISUAL || this.d.env.EDITOR;
    if (!editor) return this.out('set $EDITOR (or $VISUAL) to your editor, e.g. EDITOR=vim; or save the file from any editor: the change applies');
    const file = path.resolve(this.d.cwd, f.file);
    const goto = /\b(code|codium|cursor|code-insiders)\b/.test(editor) ? `--goto ${shellQuote(`${file}:${f.line}`)}` : `+${f.line} ${shellQuote(file)}`;
    this.out(`opening ${displayPath(file, this.d.cwd)}:${f.line} in ${editor}`);
    const tty = this.d.stdinIsTTY;
    if (tty) this.d.stdin.hold();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(`${editor} ${goto}`, { shell: true, stdio: [tty ? 'inherit' : 'ignore', 'inherit', 'inherit'], cwd: this.d.cwd, env: this.d.env });
      child.on('error', () => resolve(127));
      child.on('exit', (c) => resolve(c));
    });
    if (tty) this.d.stdin.toConsumer((chunk) => this.input(chunk), () => this.inputEnded());
    if (code !== 0) this.out(`the editor exited with ${code}`);
    await this.d.session.changed(file);
  }

  private async addBreakpoint(args: string): Promise<void> {
    const b = parseBreak(args);
    if (!b) return this.out('usage: break [FILE:]LINE [if COND]  (e.g. break job.js:12 if item.id === 4)');
    let file: string | null;
    if (b.file === null) file = this.frames[this.selected]?.file ? path.resolve(this.d.cwd, this.frames[this.selected].file!) : null;
    else file = this.resolveFile(b.file);
    if (!file) return this.out(b.file ? `no file '${b.file}' (give a path, or the name of a file the program loaded)` : 'give a file: break FILE:LINE');
    const r = await this.d.session.addBreakpoint(file, b.line, b.condition);
    if (!r.ok) return this.out(r.message);
    this.out(`breakpoint ${r.value.n} at ${displayPath(r.value.file, this.d.cwd)}:${b.line}${b.condition ? ` if ${b.condition}` : ''}${r.value.resolved ? '' : ' (set when the file loads)'}`);
  }

  private resolveFile(name: string): string | null {
    const direct = path.resolve(this.d.cwd, name);
    if (fs.existsSync(direct)) return direct;
    const loaded = this.d.session.loadedFiles().filter((f) => f.endsWith(path.sep + name) || path.basename(f) === name);
    return loaded.length === 1 ? loaded[0] : null;
  }

  /** Let the program go on (`cont`, and `skip` once it is ready). */
  private async goOn(): Promise<void> {
    this.feed({ on: 'let-go' });
    try {
      await this.d.session.resume();
    } finally {
      this.feed({ on: 'cont-returned' }); // the prompt has closed by now, or is open at a stop that came after
    }
  }

  // ---- what is shown ----

  /** A retried async call failed again: its frames are gone; show the error where it was thrown. */
  private showRetryFailure(f: RetryFailure): void {
    const st = this.d.style;
    this.out(this.label() + st.bad(exceptionHeadline(f.exception, false)) + st.dim(' (the retried call failed too)'));
    if (f.stack.length) this.out(f.stack.map((l) => `    at ${l.name} (${displayPath(l.file, this.d.cwd)}:${l.line}:${l.column})`).join('\n'));
    if (f.code) this.out(codeFrame(f.code.text, f.code.line, f.code.column, { context: 2 }));
    this.out(st.dim('(its frames are gone: fix the code and `retry` to call it again, or `cont` to pass the error to its caller)'));
  }

  private async showPause(p: Pause): Promise<void> {
    const failed = await this.d.session.retryFailure(p);
    if (failed) return this.showRetryFailure(failed);
    const top = this.frames[this.selected];
    const where = top ? `${top.name} (${placeOf(top)}:${top.line}:${top.column})` : 'node internals';
    const st = this.d.style;
    switch (p.kind) {
      case 'exception': {
        const thrown = (await this.d.session.exception?.(p)) ?? { exception: p.exception, notes: [] };
        const exception = thrown.exception;
        // node puts `file:line`, the line and an arrow before a load error's own first line
        const headline = (p.loadError && SYNTAX_ERROR_LINE.exec(exception?.description ?? '')?.[0]) || exceptionHeadline(exception, p.rejection);
        const rejectedHere = p.uncaught && p.rejection && !p.thrownAgain && (await this.rejectedWithoutThrow());
        this.out(this.label() + st.bad(headline) + (p.uncaught ? (p.ending ? st.dim(ENDING) : p.thrownAgain ? st.dim(THROWN_AGAIN) : rejectedHere ? st.dim(NO_HANDLER_YET) : '') : st.dim(caughtNote(p))));
        // the rest of a message of many lines (an assertion's diff, a compiler's diagnostics)
        const more = p.loadError ? [] : messageLines(exception);
        if (more.length) this.out(more.map((l) => (l ? `  ${l}` : '')).join('\n'));
        // what caused it (fetch's 'fetch failed': the refused connection), what an AggregateError gathers
        for (const note of thrown.notes) this.out(`  ${note}`);
        if (p.loadError) {
          // node was compiling this file: the error is there, not in any frame
          const e = p.loadError;
          const said = headline.endsWith(`: ${e.message}`) ? '' : ` (${e.message})`;
          this.out(`  in ${displayPath(e.file, this.d.cwd)}:${e.line}:${e.column + 1}${said}, which node was loading from:`);
          this.out(codeFrame(e.text, e.line, e.column + 1, { context: 2 }));
        }
        // no frame of the program on the stack (thrown in a library or node as it loaded a file): where
        // the error itself says it was thrown
        const own = stackLines(this.frames);
        const lines = own.length ? own : errorStackLines(exception, 5, this.d.cwd);
        if (lines.length) this.out(lines.join('\n'));
        // and the code there, at the first place the error's stack names in a file of the program
        if (!own.length && !p.loadError) {
          const loaded = new Set(this.d.session.loadedFiles());
          const place = firstProgramPlace(exception, (f) => loaded.has(f));
          const code = place && (await this.d.session.codeAt?.(place.file, place.line, place.column));
          if (code) this.out(codeFrame(code.text, code.line, code.column, { context: 2 }));
        }
        // nothing of the program's to run again (an await's rejection: its functions wait, off the stack)
        if (!own.length && p.uncaught && !p.loadError && !p.ending) this.out(st.dim(NOTHING_TO_RETRY));
        break;
      }
      case 'interrupt':
        this.out(this.label() + st.warn(top?.idle ? 'paused while the program was idle' : `paused in ${where}`));
        break;
      case 'break': {
        const n = this.d.session.breakpointNumbers(p);
        this.out(this.label() + st.warn(n.length ? `breakpoint ${n.join(', ')} in ${where}` : `paused at a debugger statement in ${where}`));
        break;
      }
      case 'step':
        this.out(this.label() + st.warn(`paused in ${where}`));
        break;
    }
    if (!top || top.origin !== 'program') {
      if (p.kind === 'interrupt') this.out(st.dim(outsideNote(top?.idle ? 'idle' : top?.origin)));
      return;
    }
    this.out(await this.code(this.selected, 2));
    this.out(await this.locals(this.selected, false));
  }

  /**
   * Is the stop at a `Promise.reject(e)` of the program's? V8 calls the rejection uncaught when no
   * handler is attached yet, and cannot know of one added later (Promise.allSettled's, a `.catch()`
   * on a later line). Only that call, as written: an async function's exception stops at the
   * expression that threw, which may be a call too (JSON.parse's), and an executor's `reject` has
   * any name.
   */
  private async rejectedWithoutThrow(): Promise<boolean> {
    const view = this.frames[0];
    if (!view || view.origin !== 'program' || !view.file) return false;
    const text = await this.d.session.originalText(0);
    const line = text?.split('\n')[view.line - 1];
    return line !== undefined && /\bPromise\s*\.\s*$/.test(line.slice(0, view.column - 1)) && /^reject\s*\(/.test(line.slice(view.column - 1));
  }

  private async code(index: number, context: number): Promise<string> {
    const view = this.frames[index];
    if (!this.d.session.current?.callFrames[index] || !view) return '(no frame)';
    if (view.idle) return '(no code of the program: it was idle)';
    if (isLastChance(view)) return "(edit-continue's own code, where node is about to end the program with the exception: `p error` is it)";
    const text = await this.d.session.originalText(index);
    if (text === null) return '(no source)';
    return codeFrame(text, view.line, view.column, { context });
  }

  private async locals(index: number, all: boolean): Promise<string> {
    // edit-continue's last chance: only what it was given, not its module's names
    const ours = this.frames[index] !== undefined && isLastChance(this.frames[index]);
    const types = all && !ours ? undefined : ['local', 'block', 'catch'];
    const found = await this.d.session.variables(index, types);
    // names a compiler added (compiled TypeScript): not the user's, listed apart by name (`p NAME` reads one)
    const vars = found.filter((v) => !v.compilerAdded);
    const added = found.filter((v) => v.compilerAdded).map((v) => v.name);
    const notLive = ours ? null : notLiveText(await this.d.session.loopNamesNotLive(index));
    if (all) {
      const lines = vars.map((v) => `  ${v.name} = ${formatValue(v.value)}${v.scopeType === 'local' || v.scopeType === 'block' ? '' : this.d.style.dim(` (${v.scopeType})`)}`);
      if (!lines.length) lines.push('(no variables)');
      if (notLive) lines.push(this.d.style.dim(`  (${notLive})`));
      if (added.length) {
        const file = this.frames[index]?.file;
        lines.push(this.d.style.dim(`  (and ${added.length === 1 ? 'a name' : `${added.length} names`} the compiler added${file ? `, not in ${file}` : ''}: ${added.join(', ')})`));
      }
      return lines.join('\n');
    }
    // parameters first, then the body's variables (the boundary puts those in a block scope)
    const ordered = [...vars.filter((v) => v.scopeType === 'local'), ...vars.filter((v) => v.scopeType !== 'local')];
    const line = localsLine(ordered.filter((v) => v.name !== 'this'));
    return notLive ? `${line}${this.d.style.dim(` (${notLive})`)}` : line;
  }
}

/** What `locals` says of a loop's variables V8 shows no binding for (PauseSession.loopNamesNotLive), or null. */
export function notLiveText(names: { name: string; line: number }[]): string | null {
  if (names.length === 0) return null;
  const byLine = new Map<number, string[]>();
  for (const n of names) byLine.set(n.line, [...(byLine.get(n.line) ?? []), n.name]);
  const parts = [...byLine].map(([line, list]) => `${list.join(', ')} of the loop at line ${line}`);
  return `${parts.join('; ')}: not live at the loop's head, between two iterations; \`next\` steps in`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export { COMMANDS };

/** The heading's note at an uncaught exception that was shown before, when something caught it. */
const THROWN_AGAIN = ' (the exception shown before: the code that caught it threw it again, and nothing catches it now: `cont` ends the program, as under node; `skip` runs on without it)';

/** The heading's note where node is about to end the program with an exception no stop showed as uncaught (the preload's last chance). */
const ENDING = " (nothing caught it, and node is about to end the program with it: `skip` keeps the program running without it, `cont` lets it end, as under node)";

/** Under an uncaught exception's stack when none of it is the program's: retry has nothing to run. */
const NOTHING_TO_RETRY = '(none of your functions is on the stack to run again: they wait at an `await`, or node called this code. Fix them for their next call; `skip` drops this error and the program runs on, `cont` ends it as under node)';

const NO_HANDLER_YET = ' (a promise rejected with no handler yet: code that adds one later, as Promise.allSettled does, or a .catch() on a later line, takes it; if none does, node ends the program with it. `cont` goes on)';

/** What `cont` does with a caught exception, as far as the stack tells. */
function caughtNote(p: Pause): string {
  if (p.catcher === undefined) return ' (caught)';
  if (p.catcher === null) return ' (your code does not catch it; no frame on the stack does: a promise handler or node\'s native code takes it, and `cont` passes it on)';
  const who = p.catcher.origin === 'node' ? "node's own code" : p.catcher.origin === 'library' ? 'a library' : 'other code';
  return ` (your code does not catch it; ${who} does, in ${p.catcher.name} (frame ${p.catcher.frame}): \`cont\` lets it handle the error)`;
}
