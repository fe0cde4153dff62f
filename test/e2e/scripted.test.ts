// Scripted prompts (-x CMD, --commands FILE), end to end on every supported node line: the commands
// run at the stops as if typed, whether stdin is closed or belongs to the program (piped input).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPerTest, copyFixture, programDir } from '../helpers/cli';
import { testNodes } from '../helpers/nodes';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.each(testNodes())('node $major', ({ bin, major }) => {
  const start = cliPerTest();

  test('-x commands run at the stop with stdin closed: p, edit (with $EDITOR), retry; the job finishes with every item once', async () => {
    const dir = copyFixture('retry');
    const editor = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(dir, 'fix-editor.js'))}`;
    const cli = start(['-x', 'p item.id', '-x', 'edit', '-x', 'retry', '-x', 'p "never run: the program went on"', bin, 'job.js'], dir, 'ignore', { EDITOR: editor, VISUAL: '' });
    await cli.waitFor(/total 754 processed 1,2,3,4,5,6/, { step: 'job finishes' });
    expect((await cli.exited).code).toBe(0);
    const err = cli.stderr();
    expect(err).toMatch(/ec> p item\.id\n4\n/);
    expect(err).toMatch(/ec> edit\n[\s\S]*fix-editor: fixed job\.js \(opened at line 7\)/);
    expect(err).toMatch(/ec> retry\n/);
    expect(err).not.toMatch(/stdin is closed/);
    // the batch ended at retry; no other stop came, so the rest was never run
    expect(err).not.toMatch(/never run/);
    for (const id of [1, 2, 3, 4, 5, 6]) expect(cli.stdout().split(`item ${id} done`).length - 1).toBe(1);
  });

  test('--commands FILE while stdin is piped to the program: the program reads its input, the prompt its file', async () => {
    const dir = copyFixture('framework');
    fs.writeFileSync(path.join(dir, 'cmds.txt'), '# at the stop in take()\np line\nset line = "4"\nretry\n');
    const cli = start(['--commands', 'cmds.txt', bin, 'lines.js'], dir, 'pipe');
    cli.send('1\n2\noops\n');
    await cli.waitFor(/ec> p line\n'oops'\n/, { stream: 'stderr', step: 'p line at the stop' });
    // input that comes while the prompt still holds stdin (the retry is under way) is the program's
    await cli.waitFor(/ec> retry\n/, { stream: 'stderr', step: 'retry runs' });
    cli.send('10\n');
    await cli.waitFor(/got 4 sum 7/, { step: 'the retried call with the new value' });
    await cli.waitFor(/got 10 sum 17/, { step: 'stdin is the program\'s again' });
    cli.child.stdin!.end();
    await cli.waitFor(/end sum 17/, { step: 'input ends' });
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).not.toMatch(/p line|retry/);
  });

  test('--commands with a file that cannot be read says so before the program starts', async () => {
    const dir = copyFixture('framework');
    const cli = start(['--commands', 'nosuch.txt', bin, 'lines.js'], dir, 'ignore');
    const exit = await cli.exited;
    expect(exit.code).not.toBe(0);
    expect(cli.stderr()).toMatch(/--commands nosuch\.txt: ENOENT/);
    expect(cli.stdout()).toBe('');
  });

  test('a SyntaxError while loading a file: its message and a code frame of that file, one stop; locals and retry say what to do', async () => {
    const dir = copyFixture('framework');
    const cli = start(['-x', 'locals', '-x', 'retry', '-x', 'cont', bin, 'load/main.js'], dir, 'ignore');
    const exit = await cli.exited;
    expect(exit.code).toBe(1);
    const err = cli.stderr();
    expect(err).toMatch(/^SyntaxError: Unexpected token ';'[^\n]*\n  in load\/bad\.js:2:15 \(Unexpected token\), which node was loading from:\n  1 \| exports\.x = 1;\n> 2 \| exports\.y = \(2;\n +\| +\^/m);
    expect(err).toMatch(/at \(anonymous\) \(load\/main\.js:3:13\)/);
    expect(err).toMatch(/ec> locals\nframe \d+ is node's loader, compiling load\/bad\.js, which did not compile|ec> locals\n  exports = \{\}/);
    expect(err).toMatch(/ec> retry\nretry: load\/bad\.js did not compile when node loaded it \(Unexpected token, line 2\): no function of it ran, so there is nothing to run again\. A fixed file is read by the next require or import of it: `cont` lets this one fail as under node/);
    expect(err.split('ec> ').length - 1).toBe(3);
    expect(cli.stdout()).toBe('start\n');
  });

  // An error a library makes by its own inheritance from Error (make-error's, which ts-node's TSError
  // uses), thrown where no frame of the program is on the stack: the stop said 'Uncaught OldError' and
  // a blank line, without its message (the compiler's diagnostics, for TSError) or where it came from
  test('an error of a library\'s own making, with a message of many lines and a cause, thrown in the library: its message, cause and stack; an AggregateError\'s errors', async () => {
    const dir = programDir('ec-scripted-', {
      'main.js': "require('oldlib').later('bad input:\\nline 1: x\\nline 2: y');\n",
      'any.js': "setTimeout(() => { throw new AggregateError([new Error('a'), new Error('b')], 'all failed'); }, 1);\n",
      'node_modules/oldlib/index.js': [
        'function OldError(message) { this.name = "OldError"; this.message = message; this.cause = new Error("disk full"); Error.captureStackTrace(this, OldError); }',
        'OldError.prototype = Object.create(Error.prototype, { constructor: { value: OldError } });',
        'exports.later = (message) => setTimeout(() => { throw new OldError(message); }, 1);',
        '',
      ].join('\n'),
    });
    const cli = start(['-x', 'cont', bin, 'main.js'], dir, 'ignore');
    expect((await cli.exited).code).toBe(1);
    // (and its cause; the path as the prompt says paths, relative)
    expect(cli.stderr()).toMatch(/^OldError: bad input:\n  line 1: x\n  line 2: y\n  caused by: Error: disk full\n    at Timeout\._onTimeout \(node_modules\/oldlib\/index\.js:3:\d+\)\n/m);
    // the errors an AggregateError gathers (as Promise.any's)
    const any = start(['-x', 'cont', bin, 'any.js'], dir, 'ignore');
    expect((await any.exited).code).toBe(1);
    expect(any.stderr()).toMatch(/^AggregateError: all failed\n  error 1 of 2: Error: a\n  error 2 of 2: Error: b\n/m);
  });

  // V8 calls a promise rejected before any handler is attached uncaught, and cannot know of one added
  // later: Promise.allSettled's, a .catch() on a later line. Those stops say so, and `cont` goes on;
  // a throw in an async function nothing awaits is not one of them
  test('a promise rejected with no handler yet: the stop says a handler added later takes it; the program goes on as under node', async () => {
    const dir = programDir('ec-scripted-', {
      'settle.js': [
        'async function main() {',
        "  const r = await Promise.allSettled([Promise.reject(new Error('a')), Promise.resolve(2)]);",
        "  console.log(r.map((x) => x.status).join(','));",
        "  const p = Promise.reject(new Error('c')); p.catch(() => console.log('caught c'));",
        "  setTimeout(async () => { throw new Error('thrown'); }, 1);",
        '}',
        'main();',
        '',
      ].join('\n'),
    });
    const cli = start(['-x', 'cont', '-x', 'cont', '-x', 'cont', bin, 'settle.js'], dir, 'ignore');
    expect((await cli.exited).code).toBe(1);
    const err = '\n' + cli.stderr();
    const note = ' (a promise rejected with no handler yet: code that adds one later, as Promise.allSettled does, or a .catch() on a later line, takes it; if none does, node ends the program with it. `cont` goes on)';
    expect(err).toContain(`\nError: a${note}\n    at main (settle.js:2:47)`);
    // (Node 24 and 26 know it is not uncaught: no handler anywhere on the stack, which stops all the same)
    expect(err).toMatch(/\nError: c \((?:a promise rejected with no handler yet|your code does not catch it; no frame on the stack does)[^\n]*\n    at main \(settle\.js:4:21\)/);
    expect(err).toMatch(/^Error: thrown\n    at main\.setTimeout\(\) callback \(settle\.js:5:28\)/m);
    expect(cli.stdout()).toBe('rejected,fulfilled\ncaught c\n');
  });

  // `skip` keeps a program that an exception would end: a throw in a timer, a rejected await with
  // nothing of the program's on the stack (retry has nothing to run there, and the stop says so), a
  // thrown string (matched by value). The rejection may stop before or after tick 4's throw: each stop
  // gets a skip, and what the program saw is the same either way
  test('skip: the program runs on without the exception, for a throw, an awaited rejection and a thrown string', async () => {
    const dir = programDir('ec-scripted-', {
      'ticks.js': [
        "const fs = require('fs');",
        'let n = 0;',
        'const seen = [];',
        "async function load(name) { const text = await fs.promises.readFile(name, 'utf8'); return text.length; }",
        'function step(i) {',
        "  if (i === 2) throw new Error('bad item ' + i);",
        "  if (i === 3) load('missing.txt').then((l) => seen.push(l));",
        "  if (i === 4) throw 'a string';",
        '  seen.push(i);',
        '}',
        'const t = setInterval(() => {',
        '  n++;',
        '  step(n);',
        "  if (n >= 5) { clearInterval(t); console.log('seen ' + seen.join(',')); }",
        '}, 20);',
        '',
      ].join('\n'),
    });
    const cli = start(['-x', 'skip', '-x', 'skip', '-x', 'skip', bin, 'ticks.js'], dir, 'ignore');
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).toBe('seen 1,3,5\n');
    const err = cli.stderr();
    expect(err).toMatch(/^Error: bad item 2\n    at step \(ticks\.js:6:16\)/m);
    // (the error's own stack names the awaiting function on Node 20-24; node 26's fs error has none)
    // and the code at the first place of the program it names, the column as written (the line has the
    // function's opening, where its retry boundary moves the running columns)
    if (major < 26) expect(err).toContain("    at async load (ticks.js:4:57)\n  2 | let n = 0;\n  3 | const seen = [];\n> 4 | async function load(name) { const text = await fs.promises.readFile(name, 'utf8'); return text.length; }\n    |                                          ^\n");
    expect(err).toMatch(/^Error: ENOENT: no such file or directory, open 'missing\.txt'[^\n]*\n(?:(?:    at |[> ] +\d+ \||    \|)[^\n]*\n)*\(none of your functions is on the stack to run again: [^\n]*`skip` drops this error and the program runs on, `cont` ends it as under node\)\nec> skip\n/m);
    expect(err).toMatch(/^Uncaught 'a string'[^\n]*\n    at step \(ticks\.js:8:16\)/m);
    expect(err.split('ec> skip\nskipped: the program runs on without this exception (the calls under way when it was thrown end there)\n').length - 1).toBe(2);
    expect(err).toContain('ec> skip\nskipped: unless a handler added later takes it, the program runs on without this rejection (the calls awaiting it end there)\n');
  });

  // The last chance: node ends the program with an exception no stop showed as uncaught (here a throw
  // in an ES module's top level after an await, which V8 takes for caught by node's module loader, so
  // that --break-on uncaught does not stop at the throw): the preload's uncaughtExceptionMonitor stops
  // there. An exception shown as uncaught does not stop twice.
  test('an exception node is about to end the program with, that no stop showed: skip keeps it running, cont ends it once', async () => {
    const dir = programDir('ec-scripted-', {
      'tla.mjs': [
        'let n = 0;',
        "const t = setInterval(() => { n++; if (n === 3) { clearInterval(t); console.log('ran on'); } }, 20);",
        'await null;',
        "JSON.parse('{bad');",
        '',
      ].join('\n'),
      'throws.js': "setTimeout(() => { throw new Error('x'); }, 10);\n",
      'own.mjs': [
        "process.on('uncaughtException', (e) => console.log('own handler: ' + e.name));",
        "setTimeout(() => console.log('ran on'), 50);",
        'await null;',
        "JSON.parse('{bad');",
        '',
      ].join('\n'),
    });
    const note = ' (nothing caught it, and node is about to end the program with it: `skip` keeps the program running without it, `cont` lets it end, as under node)';
    const skip = start(['--break-on', 'uncaught', '-x', 'bt', '-x', 'retry', '-x', 'next', '-x', 'skip', '-x', 'skip', bin, 'tla.mjs'], dir, 'ignore');
    expect((await skip.exited).code).toBe(0);
    expect(skip.stdout()).toBe('ran on\n');
    expect(skip.stderr()).toMatch(new RegExp(`^SyntaxError: [^\\n]*JSON[^\\n]*${escape(note)}\\n`, 'm'));
    // the code where the error's own stack says it was thrown
    expect(skip.stderr()).toContain("\n> 4 | JSON.parse('{bad');\n    |      ^\n");
    expect(skip.stderr()).toContain("ec> bt\n>#0 edit-continue's last chance, as node ends the program\n");
    expect(skip.stderr()).toContain('ec> retry\nretry: node is ending the program with this exception: it has left every function it passed through');
    expect(skip.stderr()).toContain('ec> next\nnext: node is ending the program with this exception, and none of your code runs before it does: `skip` keeps the program running, `cont` lets it end\n');
    expect(skip.stderr().split('ec> ').length - 1).toBe(4);
    const cont = start(['--json=events.jsonl', '--break-on', 'uncaught', '-x', 'cont', '-x', 'cont', bin, 'tla.mjs'], dir, 'ignore');
    expect((await cont.exited).code).toBe(1);
    // --json says it too
    const paused = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'paused');
    expect(paused.map((e) => [e.reason, e.exception?.uncaught, e.exception?.ending])).toEqual([['exception', true, true]]);
    expect(cont.stderr()).toMatch(new RegExp(`^SyntaxError: [^\\n]*JSON[^\\n]*${escape(note)}\\n`, 'm'));
    expect(cont.stderr().split('ec> ').length - 1).toBe(1);
    expect(cont.stderr()).toMatch(/\nSyntaxError: [^\n]*JSON[\s\S]*Node\.js v/);
    expect(cont.stdout()).toBe('');
    const once = start(['-x', 'cont', '-x', 'cont', bin, 'throws.js'], dir, 'ignore');
    expect((await once.exited).code).toBe(1);
    expect(once.stderr()).toMatch(/^Error: x\n    at setTimeout\(\) callback \(throws\.js:1:20\)/m);
    expect(once.stderr().split('ec> ').length - 1).toBe(1);
    expect(once.stderr()).not.toContain('about to end');
    // a program that takes uncaught exceptions itself is not ended by node: no last chance there
    const own = start(['--break-on', 'uncaught', '-x', 'cont', bin, 'own.mjs'], dir, 'ignore');
    expect((await own.exited).code).toBe(0);
    expect(own.stdout()).toBe('own handler: SyntaxError\nran on\n');
    expect(own.stderr()).not.toContain('ec> ');
  });

  // node's type stripping refuses a parameter property: the place is node's (its stack, or on Node 26,
  // where the stack gets it after the stop, its stripper asked again), not the first type annotation
  // (acorn, which cannot read TypeScript, said line 2)
  // (Node 22+: Node 20 has no type stripping)
  if (major >= 22) test('a .ts file node cannot strip: its message and a code frame at the place node names', async () => {
    const dir = programDir('ts-load', {
      'main.ts': "console.log('start');\nrequire('./bad.ts');\n",
      'bad.ts': 'class Counter {\n  #n: number = 0;\n  constructor(private readonly step: number) {}\n}\nexports.Counter = Counter;\n',
    });
    const cli = start(['-x', 'cont', bin, 'main.ts'], dir, 'ignore');
    expect((await cli.exited).code).toBe(1);
    expect(cli.stderr()).toMatch(/^SyntaxError(?: \[ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX\])?: TypeScript parameter property is not supported in strip-only mode\n  in bad\.ts:3:32, which node was loading from:\n  1 \| class Counter \{\n  2 \|   #n: number = 0;\n> 3 \|   constructor\(private readonly step: number\) \{\}\n +\| +\^/m);
    expect(cli.stdout()).toBe('start\n');
  });
});
