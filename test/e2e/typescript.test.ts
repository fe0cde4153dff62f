// TypeScript as people run it (issue 14): a program started with a loader (tsx, ts-node/register) on
// every node line, with real saves of its .ts files. The loader compiles the save in the program
// itself (src/loaders/transform.ts); an edit of a decorated method of a class with parameter
// properties, beside an enum, is patched with the program's state kept, and again; a save the
// loader cannot compile says why and the program goes on. Node 20 without a loader is refused in one line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ask, cliPerTest, copyFixture, edit, saveByRename, saveInPlace } from '../helpers/cli';
import { testNodes, ROOT_DIR } from '../helpers/nodes';

const LOADERS = [
  { name: 'tsx', args: ['--import', 'tsx'], env: {} },
  { name: 'ts-node', args: ['-r', 'ts-node/register'], env: { TS_NODE_TRANSPILE_ONLY: '1' } },
];

function fixture(): string {
  const dir = copyFixture('typescript');
  fs.symlinkSync(path.join(ROOT_DIR, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe.each(testNodes())('node $major', ({ bin, major }) => {
  const start = cliPerTest();

  test.each(LOADERS)('$name: a save of a .ts file is patched with state kept, twice; a broken save says why', async ({ args, env }) => {
    const dir = fixture();
    const file = path.join(dir, 'src', 'price.ts');
    const cli = start([bin, ...args, 'src/index.ts'], dir, 'pipe', env);
    await cli.waitFor(/ready/, { step: 'start' });
    await ask(cli, 'p', /price 10 total 10 calls 1 tier Gold/, 'stdout');

    let mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate;', 'return qty * this.rate + 1;', saveByRename);
    await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: 'patch price' });
    await ask(cli, 'p', /price 21 total 31 calls 2 tier Gold/, 'stdout');

    mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate + 1;', 'return qty * this.rate * 3;', saveInPlace);
    await cli.waitFor(/patched src\/price\.ts: Pricer\.price\n/, { stream: 'stderr', after: mark, step: 'patch price again' });
    await ask(cli, 'p', /price 90 total 121 calls 3 tier Gold/, 'stdout');

    mark = cli.mark('stderr');
    edit(file, 'return qty * this.rate * 3;', 'return qty * * this.rate;', saveInPlace);
    await cli.waitFor(/not patched src\/price\.ts: .*(Expected|expression expected|Unexpected)/i, { stream: 'stderr', after: mark, step: 'syntax error' });
    await ask(cli, 'p', /price 120 total 241 calls 4 tier Gold/, 'stdout');
  });

  if (major < 22) {
    test('a .ts program without a loader is refused in one line that says what to use', async () => {
      const dir = fixture();
      const cli = start([bin, 'src/index.ts'], dir, 'pipe');
      const exit = await cli.exited;
      expect(exit.code).not.toBe(0);
      expect(cli.stderr().trim().split('\n')).toHaveLength(1);
      expect(cli.stderr()).toMatch(/cannot run TypeScript by itself: .*--import tsx/);
    });
  }
});
