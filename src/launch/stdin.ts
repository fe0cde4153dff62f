// Our stdin belongs to the program while it runs and to the prompt while it is paused. Two ways:
// - routeStdin: stdin is not a terminal (a pipe, a file): we read it and forward it into the
//   program's stdin pipe, or hand it to the prompt.
// - terminalStdin: stdin is a terminal: the program inherited it and reads it itself; we read it
//   only while the program is paused, and switch the terminal's mode around that.
// Both take the streams as parameters and return a cleanup, so they can be tested on their own.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface StdinRouter {
  /** Send input to the program (the default); `unread`: input the consumer took but did not use goes first. */
  toProgram(unread?: string): void;
  /** Hand input to a consumer (the prompt); nothing reaches the program meanwhile. */
  toConsumer(consumer: (chunk: Buffer) => void, onEnd: () => void): void;
  /** Stop reading for a while (another process, an editor, takes the terminal). */
  hold(): void;
  /** Has our stdin ended? */
  ended(): boolean;
  /** Our stdin is a terminal the program shares (see terminalStdin). */
  terminal?: boolean;
  dispose(): void;
}

export function routeStdin(input: NodeJS.ReadableStream, program: NodeJS.WritableStream | null): StdinRouter {
  let consumer: ((chunk: Buffer) => void) | null = null;
  let onConsumerEnd: (() => void) | null = null;
  let isEnded = false;
  let programOpen = program !== null;

  const toProgram = (chunk: Buffer) => {
    if (!programOpen || !program) return;
    if (!program.write(chunk)) {
      input.pause();
      program.once('drain', () => { if (!consumer) input.resume(); });
    }
  };
  const onData = (chunk: Buffer | string) => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (consumer) consumer(buf);
    else toProgram(buf);
  };
  const onEnd = () => {
    isEnded = true;
    if (consumer) onConsumerEnd?.();
    else if (programOpen && program) { programOpen = false; program.end(); }
  };
  program?.on('error', () => { programOpen = false; });
  program?.on('close', () => { programOpen = false; });
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('error', onEnd);

  return {
    toProgram(unread) {
      consumer = null;
      onConsumerEnd = null;
      if (unread) toProgram(Buffer.from(unread));
      if (isEnded && programOpen && program) { programOpen = false; program.end(); }
      input.resume();
    },
    toConsumer(c, end) {
      consumer = c;
      onConsumerEnd = end;
      input.resume();
      if (isEnded) end();
    },
    hold() {
      consumer = () => {};
      onConsumerEnd = null;
      input.pause();
    },
    ended: () => isEnded,
    dispose() {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onEnd);
      input.pause();
    },
  };
}

/** Read and set a terminal's mode (its termios, as `stty -g` prints it). */
export interface TerminalModes {
  /** The terminal's mode now, or null when it cannot be read. */
  read(): string | null;
  /** Set the mode; false when it could not be set. */
  write(mode: string): boolean;
  /**
   * Read and drop what the terminal holds (typed, not read by anyone), leaving it in a mode of its
   * own; false when nothing was changed. The caller sets the mode it wants after.
   */
  drop(): boolean;
}

/**
 * The modes of the terminal on our stdin, through `stty` (node can put its own stdin in raw mode
 * but cannot read or set the mode another process left the terminal in). A few ms a pause.
 */
export function sttyModes(): TerminalModes {
  return {
    read() {
      const r = spawnSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'], encoding: 'utf8', timeout: 5000 });
      return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
    },
    write(mode) {
      return spawnSync('stty', [mode], { stdio: ['inherit', 'ignore', 'ignore'], timeout: 5000 }).status === 0;
    },
    drop() {
      // Our stdin's descriptor is blocking (node makes a child's inherited stdio blocking, and the
      // program shares it): a read of an empty terminal would wait. Non-canonical with MIN 0 and
      // TIME 0, a read returns at once with what there is (a partial line too), or nothing.
      if (spawnSync('stty', ['-icanon', 'min', '0', 'time', '0'], { stdio: ['inherit', 'ignore', 'ignore'], timeout: 5000 }).status !== 0) return false;
      const buf = Buffer.alloc(4096);
      for (let i = 0; i < 64; i++) {
        try {
          if (fs.readSync(0, buf, 0, buf.length, null) <= 0) break;
        } catch {
          break; // EAGAIN: nothing more
        }
      }
      return true;
    },
  };
}

/**
 * Our stdin is a terminal that the program shares (it inherited it, so it sees a TTY, sets raw mode,
 * reads keys and the window size as under plain node). The terminal is the program's while it runs:
 * we do not read it then. While the program is paused (its event loop stands still, so it reads
 * nothing) the prompt takes it, in the terminal's mode from when we started (cooked: echo, line
 * editing, Ctrl+C is a signal to us); when the program goes on, it gets back the mode it had (raw
 * or cooked).
 *
 * Input left unread when the program goes on cannot be handed back to a terminal: it is dropped
 * (only lines typed ahead of the prompt's answer). Ctrl+D at the prompt ends that read only: the
 * next pause reads the terminal again (`reopen`).
 */
export function terminalStdin(stdin: NodeJS.ReadableStream, modes: TerminalModes, ours: string, reopen: () => NodeJS.ReadableStream): StdinRouter {
  // `ours`: the terminal's mode when we started (modes.read() then), the prompt's
  /** The stream we read the terminal through (null: it ended and could not be opened again). */
  let input: NodeJS.ReadableStream | null = stdin;
  /** The program's mode, saved while the prompt has the terminal (undefined: the program has it). */
  let theirs: string | null | undefined;
  let consumer: ((chunk: Buffer) => void) | null = null;
  let onConsumerEnd: (() => void) | null = null;
  let disposed = false;

  const onData = (chunk: Buffer | string) => {
    if (consumer) consumer(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  };
  const onEnd = () => {
    // Ctrl+D (or the terminal went away): this read is over; a later pause opens the terminal again
    detach();
    try { input = reopen(); attach(); } catch { input = null; }
    const end = onConsumerEnd;
    onConsumerEnd = null;
    consumer = null;
    end?.();
  };
  const attach = () => {
    if (!input) return;
    quiet(input); // first, so that the listener does not start the stream flowing
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onEnd);
  };
  const detach = () => {
    if (!input) return;
    input.removeListener('data', onData);
    input.removeListener('end', onEnd);
    input.removeListener('error', onEnd);
    quiet(input);
  };
  attach();

  /**
   * The prompt takes the terminal: save the program's mode, and set ours. What was typed while the
   * program ran and it did not read (Enter pressed between log lines, say) is not for the prompt:
   * an empty line would repeat the last command. It is dropped.
   */
  const take = () => {
    if (theirs !== undefined) return;
    theirs = modes.read();
    if (modes.drop() || (theirs && theirs !== ours)) modes.write(ours);
  };
  /** The program gets the terminal back, in its mode. */
  const giveBack = () => {
    if (theirs === undefined) return;
    if (theirs && theirs !== ours) modes.write(theirs);
    theirs = undefined;
  };

  return {
    toProgram() {
      consumer = null;
      onConsumerEnd = null;
      if (input) quiet(input);
      giveBack();
    },
    toConsumer(c, end) {
      if (disposed || !input) { end(); return; }
      take();
      consumer = c;
      onConsumerEnd = end;
      input.resume();
    },
    hold() {
      // an editor takes the terminal (and leaves it in the mode it found)
      consumer = null;
      onConsumerEnd = null;
      if (input) quiet(input);
    },
    ended: () => disposed || !input,
    terminal: true,
    dispose() {
      // the program has ended: the terminal stays in our mode (the one it had when we started)
      if (disposed) return;
      disposed = true;
      detach();
    },
  };
}

/**
 * Pause a terminal stream and stop reading the terminal now: a paused socket stream goes on reading
 * into its buffer (process.stdin stops a tick later), and what it read would be lost to the program.
 * Called from a 'data' handler, it also ends libuv's run of reads: the next line stays the program's.
 */
function quiet(stream: NodeJS.ReadableStream): void {
  stream.pause();
  const s = stream as NodeJS.ReadableStream & { _handle?: { reading?: boolean; readStop?(): number }; _readableState?: { reading: boolean } };
  const h = s._handle;
  if (h?.reading && h.readStop) {
    h.reading = false;
    if (s._readableState) s._readableState.reading = false;
    h.readStop();
  }
}

