// Pure: what the prompt is doing, and how each thing that happens moves it on.
//
// The Prompt (./prompt.ts) is the shell: it reads the lines, runs the commands and calls the stdin
// router; it feeds what happens into `next` and carries out the effects it answers. Who holds stdin
// (the prompt or the program) around a stop, and when the prompt counts as open, is decided here.

/** How the lines typed at an open prompt are read. */
export type Reading =
  /** `ec> `: commands. */
  | 'command'
  /** `> `: expressions, evaluated in the selected frame (`repl`; `.exit` or Ctrl+C leaves). */
  | 'repl'
  /** `end the program? (y/N) `: the answer to a `quit` typed at a terminal. */
  | 'confirming-quit';

export type PromptMode =
  /**
   * The program runs. Its stdin is its own (attached: the program has a stdin of its own, and ours
   * stays the prompt's for the commands that work while it runs).
   */
  | { is: 'closed' }
  /** The program is stopped and the prompt reads stdin. */
  | { is: 'open'; reading: Reading }
  /**
   * The program is stopped, and at a terminal a command that lets it go came in: the terminal is the
   * program's again before that command runs (what is typed next is the program's, and cannot be
   * handed back once we read it; the program may change the terminal's mode at once). If the program
   * is still stopped when the command is done (a step ended, a retry could not go on), the prompt
   * reads the terminal again.
   */
  | { is: 'lent'; reading: Reading }
  /**
   * A `cont` (or the end of stdin) has let the program go; the prompt closes when V8 says it runs.
   * Until then the program may run, read the terminal and put it back in cooked mode, so a Ctrl+C is
   * the running program's (isOpen). `lent`: the terminal was lent for the `cont` (as in 'lent').
   */
  | { is: 'letting-go'; reading: Reading; lent: boolean };

export type PromptInput =
  /** The program stopped and the prompt opens (LiveSession's pause). `stdinEnded`: nothing more to read. */
  | { on: 'stopped'; stdinEnded: boolean }
  /** The program runs (LiveSession's resume, or a step that did not stop): the prompt closes. */
  | { on: 'running'; attached: boolean }
  /**
   * A line came in and is queued. `goes`: it is a command that lets the program go (Enter repeats
   * the last one); `terminal`: stdin is a terminal the program shares.
   */
  | { on: 'line'; goes: boolean; terminal: boolean }
  /**
   * A command is done. `queued`: more lines wait to run; `stopped`: the program is stopped (the
   * session has a current pause).
   */
  | { on: 'command-done'; queued: boolean; stopped: boolean }
  /** A `cont`, a Ctrl+D or the end of stdin lets the program go. */
  | { on: 'let-go' }
  /** The `cont`'s resume has returned: the prompt has closed by now, or is open at a later stop. */
  | { on: 'cont-returned' }
  /** Lines are read another way from now on (`repl`, `.exit`, `quit` at a terminal, its answer, Ctrl+C). */
  | { on: 'read-as'; reading: Reading };

export type PromptEffect =
  /** Give the terminal to the program now (nothing unread to hand over: the rest of the chunk waits). */
  | { do: 'lend-terminal' }
  /** Read stdin: the program stopped, or it is still stopped after the command the terminal was lent for. */
  | { do: 'take-stdin' }
  /** Hand stdin to the program, with the lines typed after the command that let it go. */
  | { do: 'give-stdin' };

export interface PromptStep { mode: PromptMode; effects: PromptEffect[] }

export const CLOSED: PromptMode = { is: 'closed' };

/** How lines are read now (null: closed). */
export function readingOf(m: PromptMode): Reading | null {
  return m.is === 'closed' ? null : m.reading;
}

/**
 * Is the program stopped, with the prompt waiting on the user (a Ctrl+C is then the prompt's)? Not
 * once a `cont` (or Ctrl+D) has let it go and the program is no longer stopped.
 */
export function isOpen(m: PromptMode, stopped: boolean): boolean {
  return m.is !== 'closed' && !(m.is === 'letting-go' && !stopped);
}

const stay = (mode: PromptMode): PromptStep => ({ mode, effects: [] });

export function next(m: PromptMode, input: PromptInput): PromptStep {
  switch (input.on) {
    case 'stopped':
      // take stdin at once: a line typed as soon as the stop shows must reach the prompt, not the program
      return { mode: { is: 'open', reading: 'command' }, effects: input.stdinEnded ? [] : [{ do: 'take-stdin' }] };
    case 'running':
      if (m.is === 'closed') return stay(m);
      // attached: keep listening: the program runs on, `detach` and `pause` still work
      return { mode: CLOSED, effects: input.attached ? [] : [{ do: 'give-stdin' }] };
    case 'line': {
      if (m.is === 'closed' || m.reading !== 'command' || !input.goes || !input.terminal) return stay(m);
      const mode: PromptMode = m.is === 'letting-go' ? { ...m, lent: true } : { is: 'lent', reading: m.reading };
      return { mode, effects: [{ do: 'lend-terminal' }] };
    }
    case 'command-done': {
      const lent = m.is === 'lent' || (m.is === 'letting-go' && m.lent);
      if (!lent || input.queued || !input.stopped) return stay(m);
      const mode: PromptMode = m.is === 'letting-go' ? { ...m, lent: false } : { is: 'open', reading: m.reading };
      return { mode, effects: [{ do: 'take-stdin' }] };
    }
    case 'let-go':
      // closed already: nothing to let go of (a stop shown while stdin had ended, closed meanwhile)
      if (m.is === 'closed' || m.is === 'letting-go') return stay(m);
      return stay({ is: 'letting-go', reading: m.reading, lent: m.is === 'lent' });
    case 'cont-returned':
      if (m.is !== 'letting-go') return stay(m);
      return stay(m.lent ? { is: 'lent', reading: m.reading } : { is: 'open', reading: m.reading });
    case 'read-as':
      // (no command that changes the reading runs while the program runs: `repl` and a confirmed
      // `quit` are refused or detach then, and Ctrl+C reaches the prompt only while it is open)
      if (m.is === 'closed') return stay(m);
      return stay({ ...m, reading: input.reading });
  }
}
