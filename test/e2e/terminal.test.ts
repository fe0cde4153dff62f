// Programs that use the terminal, run in a real pseudo-terminal (test/helpers/pty.ts): they see a
// TTY, set raw mode, get their keys (Ctrl+C in raw mode too), the window size and Ctrl+D as under
// plain node, and a readline line is echoed once; a pause gives the prompt the terminal (cooked,
// without what was typed before it) and `cont` gives the program its mode back; Ctrl+Z stops both.
// Piped stdin (no terminal) is process.test.ts's and scripted.test.ts's. docs/terminal.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFixture, until } from '../helpers/cli';
import { testNodes } from '../helpers/nodes';
import { ptyAvailable, runInPty, type PtyCli } from '../helpers/pty';

const count = (text: string, word: string) => text.split(word).length - 1;

/** Is the process stopped (job control)? */
function stopped(pid: number): boolean {
  try { return /^\d+ \(.*\) T/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

if (!ptyAvailable()) throw new Error('these tests need python3 with its pty module (a real pseudo-terminal)');

describe.each(testNodes())('$label', ({ bin }) => {
  let dir: string;
  const running: PtyCli[] = [];
  beforeAll(() => { dir = copyFixture('terminal'); });
  afterEach(async () => {
    for (const cli of running.splice(0)) {
      if (/Check failed|Fatal error|FATAL ERROR|SIGTRAP/.test(cli.screen())) throw new Error(`V8 fatal error on the screen:\n${cli.screen()}`);
      cli.kill();
      await cli.exited;
    }
  });
  const start = (script: string, env: NodeJS.ProcessEnv = {}, cwd = dir) => {
    const cli = runInPty([bin, path.join(cwd, script)], { cwd, rows: 24, cols: 80, env });
    running.push(cli);
    return cli;
  };
  const prompt = (cli: PtyCli, after: number, step: string) => cli.waitFor(/(^|\n)ec> $/, { after, step });

  test('a readline program sees a TTY and its size, echoes a typed line once, gets resizes and its own Ctrl+C', async () => {
    const cli = start('ask.js');
    await cli.waitFor(/tty stdin=true stdout=true size=80x24\n/, { step: 'the program sees the terminal' });
    await cli.waitFor(/name\? $/, { step: 'first question' });
    let from = cli.mark();
    cli.type('zebra\r');
    await cli.waitFor(/hello ZEBRA \(5 letters\)\n/, { after: from, step: 'the answer' });
    // the terminal's echo is off in raw mode: only readline echoes the line
    expect(count(cli.screen().slice(from), 'zebra')).toBe(1);
    await cli.waitFor(/name\? $/, { after: from, step: 'second question' });
    from = cli.mark();
    cli.resize(30, 100);
    await cli.waitFor(/resized to 100x30\n/, { after: from, step: 'the window size reaches the program' });
    // in raw mode Ctrl+C is a key, the program's (readline's SIGINT event), as under plain node
    from = cli.mark();
    cli.type('\x03');
    await cli.waitFor(/the program got Ctrl\+C\n/, { after: from, step: "readline's Ctrl+C" });
    expect(await cli.exitCode()).toBe(0);
    expect(cli.screen()).not.toMatch(/ec> |pausing/);
  });

  test('a raw-mode program gets its keys; a pause gives the prompt the terminal, and cont gives the program its mode back', async () => {
    const cli = start('keys.js');
    await cli.waitFor(/keys ready raw=true pid=\d+\n/, { step: 'raw mode' });
    let from = cli.mark();
    cli.type('a');
    await cli.waitFor(/key "a" raw=true\n/, { after: from, step: 'a key arrives without Enter' });
    // a debugger statement in raw mode: the prompt reads lines, and the terminal echoes them
    from = cli.mark();
    cli.type('d');
    await prompt(cli, from, 'the prompt at the debugger statement');
    from = cli.mark();
    cli.type('p 6 * 7\r');
    await cli.waitFor(/p 6 \* 7\n42\nec> $/, { after: from, step: 'the prompt echoes and answers in cooked mode' });
    from = cli.mark();
    cli.type('cont\r');
    await cli.waitFor(/cont\n/, { after: from, step: 'cont echoed' });
    from = cli.mark();
    cli.type('b');
    await cli.waitFor(/key "b" raw=true\n/, { after: from, step: 'raw mode is back: a key arrives without Enter' });
    // cooked mode: Ctrl+C is a signal, to edit-continue, which pauses the program
    cli.type('c');
    await cli.waitFor(/cooked\n/, { after: from, step: 'the program goes back to cooked mode' });
    from = cli.mark();
    cli.type('\x03');
    await prompt(cli, from, 'the prompt after Ctrl+C');
    expect(cli.screen().slice(from)).toMatch(/pausing/);
    from = cli.mark();
    cli.type('cont\r');
    await cli.waitFor(/cont\n/, { after: from, step: 'cont echoed' });
    from = cli.mark();
    cli.type('two words\r');
    await cli.waitFor(/key "two words\\n" raw=false\n/, { after: from, step: 'a line in cooked mode' });
    // Ctrl+Z stops edit-continue and the program (a shell's `fg` sends SIGCONT: both go on)
    const pid = Number(cli.screen().match(/pid=(\d+)/)![1]);
    cli.type('\x1a');
    await until(() => stopped(pid) && stopped(cli.pid()!), 'Ctrl+Z stops the program and edit-continue');
    process.kill(cli.pid()!, 'SIGCONT');
    await until(() => !stopped(pid), 'SIGCONT to edit-continue lets the program go on');
    from = cli.mark();
    cli.type('more\r');
    await cli.waitFor(/key "more\\n" raw=false\n/, { after: from, step: 'a line after fg' });
    // Ctrl+D at the start of a line: the program's stdin ends, as under plain node
    from = cli.mark();
    cli.type('\x04');
    await cli.waitFor(/stdin ended\n/, { after: from, step: 'Ctrl+D ends the program\'s stdin' });
    expect(await cli.exitCode()).toBe(0);
  });

  test('lines typed while the program ran and did not read them are not run at the prompt; Ctrl+D at the prompt continues', async () => {
    const own = copyFixture('terminal');
    const cli = start('idle.js', {}, own);
    await cli.waitFor(/idle ready\n/, { step: 'started' });
    // Enter between log lines, and a stray command: the terminal echoes them (they are in its queue)
    let from = cli.mark();
    cli.type('\r\rcont\r');
    await cli.waitFor(/\n\ncont\n/, { after: from, step: 'the terminal holds the lines' });
    from = cli.mark();
    fs.writeFileSync(path.join(own, 'stop'), '');
    await prompt(cli, from, 'the prompt at the debugger statement');
    from = cli.mark();
    cli.type('p 2 + 2\r');
    await cli.waitFor(/p 2 \+ 2\n4\nec> $/, { after: from, step: 'still stopped: the old lines were not run' });
    expect(cli.screen()).not.toMatch(/^went on$/m);
    // Ctrl+D at the prompt continues, and ends that read only: the next stop reads the terminal again
    from = cli.mark();
    cli.type('\x04');
    await cli.waitFor(/\(Ctrl\+D: continuing\)\n[\s\S]*went on\n/, { after: from, step: 'Ctrl+D at the prompt' });
    from = cli.mark();
    fs.writeFileSync(path.join(own, 'stop'), '');
    await prompt(cli, from, 'the prompt at the next stop');
    from = cli.mark();
    cli.type('p 3 * 3\r');
    await cli.waitFor(/p 3 \* 3\n9\nec> $/, { after: from, step: 'the prompt reads the terminal again' });
    from = cli.mark();
    cli.type('cont\r');
    await cli.waitFor(/went on\n/, { after: from, step: 'cont' });
  });

  test('an uncaught exception in raw mode: the prompt, edit and retry at the terminal; Ctrl+C twice ends the program as node would', async () => {
    const own = copyFixture('terminal'); // the editor changes keys.js
    const editor = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(own, 'fix-editor.js'))}`;
    const cli = start('keys.js', { EDITOR: editor, VISUAL: '' }, own);
    await cli.waitFor(/keys ready raw=true pid=\d+\n/, { step: 'raw mode' });
    let from = cli.mark();
    cli.type('x');
    await cli.waitFor(/Error: key x pressed/, { after: from, step: 'the exception is shown' });
    await prompt(cli, from, 'the prompt at the exception');
    from = cli.mark();
    cli.type('p key\r');
    await cli.waitFor(/p key\n'x'\nec> $/, { after: from, step: 'the prompt answers' });
    // the editor gets the terminal, and the prompt reads it again after
    from = cli.mark();
    cli.type('edit\r');
    await cli.waitFor(/fix-editor: fixed keys\.js at line 11 \(terminal: true\)\n[\s\S]*ec> $/, { after: from, step: 'the editor ran at the terminal' });
    from = cli.mark();
    cli.type('retry\r');
    await cli.waitFor(/fixed: no error for key x\n/, { after: from, step: 'the fixed handler runs again with the same key' });
    from = cli.mark();
    cli.type('y');
    await cli.waitFor(/key "y" raw=true\n/, { after: from, step: 'raw mode is back after retry' });
    from = cli.mark();
    cli.type('d');
    await prompt(cli, from, 'the prompt at the debugger statement');
    // One key at a time (two signals at once are one signal), the second within a second of the
    // first; should the machine be so slow that it came later, it counts as a first: press again.
    for (let i = 0; i < 6 && !/ending the program/.test(cli.screen()); i++) {
      from = cli.mark();
      cli.type('\x03');
      await cli.waitFor(/the program is paused: cont to go on|pausing…|ending the program/, { after: from, step: `Ctrl+C ${i + 1}` });
    }
    // SIGINT ends it, as Ctrl+C ends a program under plain node: 128 + 2
    expect(await cli.exitCode()).toBe(130);
    expect(cli.screen()).toMatch(/ending the program \(Ctrl\+C twice\)/);
  });
});
