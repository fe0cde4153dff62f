// terminalStdin: the terminal is the program's while it runs; the prompt takes it while the program
// is paused, in our mode, and gives the program back the mode it had. A fake stream and a fake
// terminal mode; the real terminal is test/e2e/terminal.test.ts's.
import { PassThrough } from 'node:stream';
import { terminalStdin, type TerminalModes } from '../../src/launch/stdin';

function fakeTerminal(mode: string) {
  const log: string[] = [];
  const modes: TerminalModes = {
    read: () => { log.push(`read ${mode}`); return mode; },
    write: (m) => { log.push(`write ${m}`); mode = m; return true; },
    drop: () => { log.push('drop'); mode = 'polling'; return true; },
  };
  return { modes, log, set: (m: string) => { mode = m; }, get: () => mode };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('terminalStdin', () => {
  test('the prompt gets the terminal in our mode; the program gets back its raw mode; nothing is read meanwhile', async () => {
    const term = fakeTerminal('cooked');
    const input = new PassThrough();
    const r = terminalStdin(input, term.modes, term.modes.read()!, () => new PassThrough());
    expect(r.terminal).toBe(true);
    expect(input.isPaused()).toBe(true);
    term.set('raw'); // the program's setRawMode(true)
    const got: string[] = [];
    r.toConsumer((c) => got.push(c.toString()), () => got.push('END'));
    expect(term.get()).toBe('cooked');
    input.write('p x\n');
    await settle();
    expect(got).toEqual(['p x\n']);
    // an editor takes the terminal and comes back: the program's mode is not read again
    r.hold();
    expect(input.isPaused()).toBe(true);
    r.toConsumer((c) => got.push(c.toString()), () => got.push('END'));
    r.toProgram();
    expect(input.isPaused()).toBe(true);
    expect(term.get()).toBe('raw');
    expect(term.log).toEqual(['read cooked', 'read raw', 'drop', 'write cooked', 'write raw']);
  });

  test('a program in our mode: what the terminal held is dropped, and the program is given back the same mode', () => {
    const term = fakeTerminal('cooked');
    const r = terminalStdin(new PassThrough(), term.modes, term.modes.read()!, () => new PassThrough());
    r.toConsumer(() => {}, () => {});
    expect(term.get()).toBe('cooked');
    r.toProgram();
    expect(term.get()).toBe('cooked');
    expect(term.log).toEqual(['read cooked', 'read cooked', 'drop', 'write cooked']);
  });

  test('Ctrl+D ends that read only: the prompt is told, and the next pause reads the terminal again', async () => {
    const term = fakeTerminal('cooked');
    const first = new PassThrough();
    const second = new PassThrough();
    const r = terminalStdin(first, term.modes, term.modes.read()!, () => second);
    const got: string[] = [];
    r.toConsumer((c) => got.push(c.toString()), () => got.push('END'));
    first.end();
    await settle();
    expect(got).toEqual(['END']);
    expect(r.ended()).toBe(false);
    r.toProgram();
    r.toConsumer((c) => got.push(c.toString()), () => got.push('END'));
    second.write('cont\n');
    await settle();
    expect(got).toEqual(['END', 'cont\n']);
  });

  test('dispose (the program has ended) leaves the terminal in our mode, not the raw mode the program left', () => {
    const term = fakeTerminal('cooked');
    const r = terminalStdin(new PassThrough(), term.modes, term.modes.read()!, () => new PassThrough());
    term.set('raw');
    r.toConsumer(() => {}, () => {});
    r.dispose();
    expect(term.get()).toBe('cooked');
    expect(r.ended()).toBe(true);
  });
});
