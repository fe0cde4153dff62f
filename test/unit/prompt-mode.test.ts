// The prompt's mode, one transition at a time: next() is pure (the Prompt is its shell, driven through
// a fake session in prompt-session.test.ts and end to end in test/e2e/terminal.test.ts, a real pty,
// and prompt*.test.ts, scripted.test.ts).
import { CLOSED, isOpen, next, readingOf, type PromptEffect, type PromptInput, type PromptMode } from '../../src/prompt/mode';

/** A prompt driven through inputs; what the last one did is kept. */
class Prompt {
  mode: PromptMode = CLOSED;
  effects: PromptEffect[] = [];
  feed(...inputs: PromptInput[]): this {
    for (const input of inputs) {
      const r = next(this.mode, input);
      this.mode = r.mode;
      this.effects = r.effects;
    }
    return this;
  }
}

const STOP: PromptInput = { on: 'stopped', stdinEnded: false };
const GO_AT_TERMINAL: PromptInput = { on: 'line', goes: true, terminal: true };
const DONE_STOPPED: PromptInput = { on: 'command-done', queued: false, stopped: true };

describe('opening and closing', () => {
  test('a stop opens the prompt reading commands and takes stdin; the program running closes it and hands stdin over, once', () => {
    const p = new Prompt().feed(STOP);
    expect(p.mode).toEqual({ is: 'open', reading: 'command' });
    expect(p.effects).toEqual([{ do: 'take-stdin' }]);
    expect(isOpen(p.mode, true)).toBe(true);
    p.feed({ on: 'running', attached: false });
    expect(p.mode).toEqual(CLOSED);
    expect(p.effects).toEqual([{ do: 'give-stdin' }]);
    expect(isOpen(p.mode, false)).toBe(false);
    p.feed({ on: 'running', attached: false }); // a step that ran on, then V8's resume: closed already
    expect(p.effects).toEqual([]);
  });

  test('a stop after stdin ended opens the prompt without reading (the shell lets go: nothing can come)', () => {
    const p = new Prompt().feed({ on: 'stopped', stdinEnded: true });
    expect(p.mode).toEqual({ is: 'open', reading: 'command' });
    expect(p.effects).toEqual([]);
  });

  test('attached, closing keeps stdin: it is the prompt\'s while the program runs', () => {
    const p = new Prompt().feed(STOP, { on: 'running', attached: true });
    expect(p.mode).toEqual(CLOSED);
    expect(p.effects).toEqual([]);
  });

  test('a stop resets everything: from the repl, a lent terminal, or letting go', () => {
    for (const before of [
      [{ on: 'read-as', reading: 'repl' }],
      [GO_AT_TERMINAL],
      [GO_AT_TERMINAL, { on: 'let-go' }],
      [{ on: 'read-as', reading: 'confirming-quit' }, { on: 'let-go' }],
    ] as PromptInput[][]) {
      const p = new Prompt().feed(STOP, ...before, STOP);
      expect(p.mode).toEqual({ is: 'open', reading: 'command' });
    }
  });

  test('the program running closes the prompt from any state, a lent terminal too', () => {
    const p = new Prompt().feed(STOP, GO_AT_TERMINAL, { on: 'let-go' }, { on: 'running', attached: false });
    expect(p.mode).toEqual(CLOSED);
    expect(p.effects).toEqual([{ do: 'give-stdin' }]);
  });
});

describe('letting the program go', () => {
  test('after a cont the prompt is not open once the program no longer stops, though V8 has not said it runs', () => {
    const p = new Prompt().feed(STOP, { on: 'let-go' });
    expect(p.mode).toEqual({ is: 'letting-go', reading: 'command', lent: false });
    expect(isOpen(p.mode, true)).toBe(true);
    expect(isOpen(p.mode, false)).toBe(false); // a Ctrl+C now is the running program's
  });

  test('a cont that returns with the prompt still open leaves it open as it was', () => {
    const p = new Prompt().feed(STOP, { on: 'let-go' }, { on: 'cont-returned' });
    expect(p.mode).toEqual({ is: 'open', reading: 'command' });
    const lent = new Prompt().feed(STOP, GO_AT_TERMINAL, { on: 'let-go' }, { on: 'cont-returned' });
    expect(lent.mode).toEqual({ is: 'lent', reading: 'command' });
  });

  test('Ctrl+D in the repl or at the quit question lets go too, keeping how lines are read', () => {
    const p = new Prompt().feed(STOP, { on: 'read-as', reading: 'repl' }, { on: 'let-go' });
    expect(p.mode).toEqual({ is: 'letting-go', reading: 'repl', lent: false });
    expect(readingOf(p.mode)).toBe('repl');
  });

  test('letting go twice, or once closed, changes nothing', () => {
    const p = new Prompt().feed(STOP, { on: 'let-go' }, { on: 'let-go' });
    expect(p.mode).toEqual({ is: 'letting-go', reading: 'command', lent: false });
    expect(new Prompt().feed({ on: 'let-go' }).mode).toEqual(CLOSED);
    expect(new Prompt().feed({ on: 'cont-returned' }).mode).toEqual(CLOSED);
  });
});

describe('the terminal lent for a command that lets the program go', () => {
  test('at a terminal, a go command typed at ec> lends the terminal at once', () => {
    const p = new Prompt().feed(STOP, GO_AT_TERMINAL);
    expect(p.mode).toEqual({ is: 'lent', reading: 'command' });
    expect(p.effects).toEqual([{ do: 'lend-terminal' }]);
  });

  test('not from a pipe, not for other commands, not in the repl or at the quit question, not while closed', () => {
    const cases: { before: PromptInput[]; line: PromptInput }[] = [
      { before: [STOP], line: { on: 'line', goes: true, terminal: false } },
      { before: [STOP], line: { on: 'line', goes: false, terminal: true } },
      { before: [STOP, { on: 'read-as', reading: 'repl' }], line: GO_AT_TERMINAL },
      { before: [STOP, { on: 'read-as', reading: 'confirming-quit' }], line: GO_AT_TERMINAL },
      { before: [], line: GO_AT_TERMINAL },
    ];
    for (const c of cases) {
      const p = new Prompt().feed(...c.before);
      const before = p.mode;
      p.feed(c.line);
      expect(p.mode).toEqual(before);
      expect(p.effects).toEqual([]);
    }
  });

  test('still stopped after the command, with nothing queued: the prompt reads the terminal again', () => {
    const p = new Prompt().feed(STOP, GO_AT_TERMINAL, DONE_STOPPED);
    expect(p.mode).toEqual({ is: 'open', reading: 'command' });
    expect(p.effects).toEqual([{ do: 'take-stdin' }]);
  });

  test('not while lines are queued, nor once the program runs', () => {
    const p = new Prompt().feed(STOP, GO_AT_TERMINAL, { on: 'command-done', queued: true, stopped: true });
    expect(p.mode).toEqual({ is: 'lent', reading: 'command' });
    expect(p.effects).toEqual([]);
    p.feed({ on: 'command-done', queued: false, stopped: false });
    expect(p.mode).toEqual({ is: 'lent', reading: 'command' });
    expect(p.effects).toEqual([]);
  });

  test('a command done without a lent terminal takes nothing', () => {
    const p = new Prompt().feed(STOP, DONE_STOPPED);
    expect(p.effects).toEqual([]);
    expect(new Prompt().feed(DONE_STOPPED).effects).toEqual([]);
  });

  test('quit at a terminal lends it, asks, and takes it back for the answer', () => {
    const p = new Prompt().feed(STOP, GO_AT_TERMINAL, { on: 'read-as', reading: 'confirming-quit' });
    expect(p.mode).toEqual({ is: 'lent', reading: 'confirming-quit' });
    p.feed(DONE_STOPPED);
    expect(p.mode).toEqual({ is: 'open', reading: 'confirming-quit' });
    expect(p.effects).toEqual([{ do: 'take-stdin' }]);
    p.feed({ on: 'read-as', reading: 'command' });
    expect(p.mode).toEqual({ is: 'open', reading: 'command' });
  });

  test('cont typed at a terminal: lent, then letting go; taking the terminal back keeps letting go', () => {
    const p = new Prompt().feed(STOP, GO_AT_TERMINAL, { on: 'let-go' });
    expect(p.mode).toEqual({ is: 'letting-go', reading: 'command', lent: true });
    expect(new Prompt().feed(STOP, { on: 'let-go' }, GO_AT_TERMINAL).mode).toEqual(p.mode);
    p.feed(DONE_STOPPED);
    expect(p.mode).toEqual({ is: 'letting-go', reading: 'command', lent: false });
    expect(p.effects).toEqual([{ do: 'take-stdin' }]);
  });
});

describe('how lines are read', () => {
  test('repl and back; the reading survives a lent terminal; nothing changes while closed', () => {
    const p = new Prompt().feed(STOP, { on: 'read-as', reading: 'repl' });
    expect(readingOf(p.mode)).toBe('repl');
    p.feed({ on: 'read-as', reading: 'command' });
    expect(p.mode).toEqual({ is: 'open', reading: 'command' });
    expect(readingOf(new Prompt().feed({ on: 'read-as', reading: 'repl' }).mode)).toBeNull();
  });
});
