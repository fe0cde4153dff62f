// The cache of transformed module texts, end to end on every supported node line: a real program
// started twice under the CLI. The second start takes its boundaries from the cache and behaves the
// same (output, retry); an entry changed on disk is used only when it is a whole, valid entry.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ask, cliPerTest, copyFixture, edit, saveByRename, saveInPlace } from '../helpers/cli';
import { engineOf, testNodes } from '../helpers/nodes';
import { FORMAT, formatEntry, parsePack } from '../../src/inject/cache';
import { CODE_CACHE_FOLDER } from '../../src/inject/cache-roots';

const PROGRAM: Record<string, string> = {
  'main.js': `const lib = require('./lib.js');
function run() {
  return import('./esm.mjs').then((esm) => {
    const b = (f) => (/void 0xEC/.test(f.toString()) ? 'boundary' : 'none');
    console.log('lib', lib.twice(2), b(lib.twice), 'esm', esm.half(8), b(esm.half), 'main', b(run));
  });
}
run();
`,
  'lib.js': 'function twice(x) {\n  return x * 2;\n}\nmodule.exports = { twice };\n',
  'esm.mjs': 'export function half(x) {\n  return x / 2;\n}\n',
};
const EXPECTED = 'lib 4 boundary esm 4 boundary main boundary\n';

const programs: string[] = [];
afterAll(() => { for (const dir of programs.splice(0)) fs.rmSync(dir, { recursive: true, force: true }); });

function writeProgram(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-cache-e2e-'));
  programs.push(dir);
  for (const [name, text] of Object.entries(PROGRAM)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Every pack in the cache folder: name → text. */
function packs(cacheDir: string): Record<string, string> {
  const dir = path.join(cacheDir, FORMAT);
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.pack')).sort()) out[name] = fs.readFileSync(path.join(dir, name), 'utf8');
  return out;
}

/** The pack that holds `file`'s entry, and that entry. */
function entryOf(cacheDir: string, file: string) {
  for (const [name, text] of Object.entries(packs(cacheDir))) {
    // the file's entry, whichever transform made it (the swap engine's has a variant of its own)
    const e = [...parsePack(text).entries.values()].find((x) => x.file === file);
    if (e) return { pack: path.join(cacheDir, FORMAT, name), entry: e };
  }
  throw new Error(`no entry for ${file} in ${cacheDir}`);
}

// One engine (edit-continue's own choice): what the cache does with a text does not depend on which transform made it.
describe.each(testNodes())('$label', (config) => {
  const { bin } = config;
  const start = cliPerTest();
  let cacheDir: string;
  beforeEach(() => { cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-cache-dir-')); });
  afterEach(() => { fs.rmSync(cacheDir, { recursive: true, force: true }); });

  const run = async (dir: string, env: NodeJS.ProcessEnv = {}) => {
    const cli = start([bin, 'main.js'], dir, 'ignore', { EDIT_CONTINUE_CACHE_DIR: cacheDir, ...env });
    const exit = await cli.exited;
    if (exit.code !== 0) throw new Error(`exit ${exit.code}\n--- stdout ---\n${cli.stdout()}\n--- stderr ---\n${cli.stderr()}`);
    return cli.stdout();
  };

  test('the second start uses the cache: same output, nothing transformed again; a valid entry is what runs', async () => {
    const dir = writeProgram();
    expect(await run(dir)).toBe(EXPECTED);
    const first = packs(cacheDir);
    for (const name of Object.keys(PROGRAM)) expect(entryOf(cacheDir, path.join(dir, name)).entry.what).toBe('text');

    expect(await run(dir)).toBe(EXPECTED);
    expect(packs(cacheDir)).toEqual(first); // every module was a hit: nothing appended

    // a whole, valid entry for the file's current text is run as it is: the proof that the cache,
    // not a new transform, gave lib.js its text
    const { pack, entry } = entryOf(cacheDir, path.join(dir, 'lib.js'));
    const body = entry.body.replace('x * 2', 'x * 100');
    fs.appendFileSync(pack, formatEntry({ ...entry, body, hash: createHash('sha256').update(body).digest('hex') }));
    expect(await run(dir)).toBe(EXPECTED.replace('lib 4', 'lib 200'));
  });

  test('a damaged entry is not trusted: the program runs its own text, and the entry is written again', async () => {
    const dir = writeProgram();
    expect(await run(dir)).toBe(EXPECTED);
    const { pack, entry } = entryOf(cacheDir, path.join(dir, 'lib.js'));
    const damaged = fs.readFileSync(pack, 'utf8').replace(entry.body, entry.body.replace('x * 2', 'x * 100'));
    fs.writeFileSync(pack, damaged);
    expect(await run(dir)).toBe(EXPECTED);
    expect(entryOf(cacheDir, path.join(dir, 'lib.js')).entry).toEqual(entry);
    expect(await run(dir)).toBe(EXPECTED);
  });

  test('a pack of garbage is ignored; EDIT_CONTINUE_CACHE=0 writes nothing and changes nothing', async () => {
    const dir = writeProgram();
    expect(await run(dir)).toBe(EXPECTED);
    for (const name of Object.keys(packs(cacheDir))) fs.writeFileSync(path.join(cacheDir, FORMAT, name), 'E garbage\n\0\0\n');
    expect(await run(dir)).toBe(EXPECTED);
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.mkdirSync(cacheDir);
    expect(await run(dir, { EDIT_CONTINUE_CACHE: '0' })).toBe(EXPECTED);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  test("V8's code cache: the second start takes the modules' compiled code from it (node 22+), never a save's code; the user's NODE_COMPILE_CACHE wins", async () => {
    const hasCache = execFileSync(bin, ['-p', "typeof require('node:module').enableCompileCache"], { encoding: 'utf8' }).trim() === 'function';
    const dir = writeProgram();
    // main.js prints until lib.js's twice(2) changes (a save patches it), then ends
    fs.writeFileSync(path.join(dir, 'main.js'), `const lib = require('./lib.js');
const first = lib.twice(2);
console.log('lib ' + first);
import('./esm.mjs').then(() => {}, () => {});
const t = setInterval(() => { const v = lib.twice(2); if (v !== first || process.argv[2] !== 'wait') { console.log('now ' + v); clearInterval(t); } }, 20);
`);
    const lib = path.join(dir, 'lib.js');
    const original = fs.readFileSync(lib, 'utf8');
    const cacheLine = (file: string, state: string) => new RegExp(String.raw`cache for (?:CommonJS |ESM )?\S*${file.replace('.', String.raw`\.`)} was ${state}`);
    const go = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const cli = start([bin, 'main.js', ...args], dir, 'pipe', { EDIT_CONTINUE_CACHE_DIR: cacheDir, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', ...env });
      return cli;
    };

    // first start: lib.js compiled and its code cached; a save while it runs patches twice
    const first = await go(['wait']);
    await first.waitFor(/lib 4\n/, { step: 'first start' });
    const mark = first.mark('stderr');
    edit(lib, 'x * 2', 'x * 3', saveInPlace); // the same length: only the cache's own checks of the text could tell
    await first.waitFor(/patched lib\.js: twice/, { stream: 'stderr', after: mark, step: 'the save is patched' });
    await first.waitFor(/now 6\n/, { step: 'the program sees it' });
    expect((await first.exited).code).toBe(0);
    if (!hasCache) {
      expect(fs.existsSync(path.join(cacheDir, CODE_CACHE_FOLDER))).toBe(false);
      return;
    }
    expect(first.stderr()).toMatch(cacheLine('lib.js', 'not initialized'));
    expect(fs.readdirSync(path.join(cacheDir, CODE_CACHE_FOLDER))).toEqual([engineOf(config) === 'swap' ? 'swap' : 'boundaries']);

    // the file as it was: its cached code is the text as it loaded, not the patched function
    fs.writeFileSync(lib, original);
    const second = await go([]);
    expect((await second.exited).code).toBe(0);
    expect(second.stdout()).toBe('lib 4\nnow 4\n');
    expect(second.stderr()).toMatch(cacheLine('lib.js', 'accepted'));
    expect(second.stderr()).toMatch(cacheLine('main.js', 'accepted'));
    expect(second.stderr()).toMatch(cacheLine('esm.mjs', 'accepted')); // an ES module too

    // the saved text: not the first start's entry (its text differs), compiled again
    edit(lib, 'x * 2', 'x * 3', saveInPlace);
    const third = await go([]);
    expect((await third.exited).code).toBe(0);
    expect(third.stdout()).toBe('lib 6\nnow 6\n');
    expect(third.stderr()).not.toMatch(cacheLine('lib.js', 'accepted'));

    // the user's own compile cache: node applies it, ours is not used
    const theirs = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-cache-theirs-'));
    programs.push(theirs);
    fs.rmSync(path.join(cacheDir, CODE_CACHE_FOLDER), { recursive: true, force: true });
    const fourth = await go([], { NODE_COMPILE_CACHE: theirs });
    expect((await fourth.exited).code).toBe(0);
    expect(fourth.stdout()).toBe('lib 6\nnow 6\n');
    expect(fs.existsSync(path.join(cacheDir, CODE_CACHE_FOLDER))).toBe(false);
    expect(fs.readdirSync(theirs).length).toBeGreaterThan(0);
  });

  test('retry works the same when the boundaries come from the cache', async () => {
    const dir = copyFixture('retry');
    const env = { EDIT_CONTINUE_CACHE_DIR: cacheDir };
    // (-v: the engine and how the probe chose it, in the failure's text if a start chose another)
    const first = start(['-v', bin, 'job.js'], dir, 'pipe', env);
    await first.waitFor(/ec> $/, { stream: 'stderr', step: 'first start stops at item 4' });
    first.send('quit\n');
    await first.exited;
    expect(first.stderr()).toMatch(engineOf(config) === 'swap' ? /\(engine: swap; probe: / : /\(engine: LiveEdit; probe: /);
    const filled = packs(cacheDir);
    expect(entryOf(cacheDir, path.join(dir, 'job.js')).entry.what).toBe('text');

    const cli = start([bin, 'job.js'], dir, 'pipe', env);
    await cli.waitFor(/ec> $/, { stream: 'stderr', step: 'second start stops at item 4' });
    expect(packs(cacheDir)).toEqual(filled);
    const mark = cli.mark('stderr');
    edit(path.join(dir, 'job.js'), 'const spec = item.spec;', 'const spec = item.spec ?? { weight: 1 };', saveByRename);
    if (engineOf(config) === 'swap') {
      // the swap engine installs at once (LiveEdit waits for the running work: EC301)
      await cli.waitFor(/patched job\.js: work\n/, { stream: 'stderr', after: mark, step: 'save while paused applies' });
      await ask(cli, 'retry', /retrying work/);
    } else {
      await cli.waitFor(/waiting job\.js: work is running/, { stream: 'stderr', after: mark, step: 'save while paused waits' });
      await ask(cli, 'retry', /patched job\.js: work/);
    }
    await cli.waitFor(/total 754 processed 1,2,3,4,5,6/, { step: 'job finishes' });
    expect((await cli.exited).code).toBe(0);
    for (const id of [1, 2, 3, 4, 5, 6]) expect(cli.stdout().split(`item ${id} done`).length - 1).toBe(1);
  });
});
