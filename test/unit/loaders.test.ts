// The pure parts of TypeScript loader support: moving a loader's inline source map onto the text with
// retry boundaries (src/loaders/sourcemap.ts, checked against @jridgewell/trace-mapping), and naming
// the loader of a node command line (src/loaders/detect.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { encode } from '@jridgewell/sourcemap-codec';
import { addBoundaries } from '../../src/inject/boundary';
import { inlineMapComment, inlineMapOf, moveInlineMap } from '../../src/loaders/sourcemap';
import { addBoundariesKeepingMap, withMapOf } from '../../src/loaders/transform';
import { isTypeScriptFile, mayCompileTypeScript, typescriptLoaderOf, writesOneLine } from '../../src/loaders/detect';
import { LIVE_EDIT_CHUNK_LIMIT, longestChangedRun } from '../../src/loaders/liveedit-limit';
import { decideEngine } from '../../src/launch/engine-choice';
import { launcherLoader, throughLauncher } from '../../src/loaders/launchers';
import { LoaderMap, lineMapperOf, mapOutcomeLines } from '../../src/loaders/mapped';
import { messageOf } from '../../src/inject/compile-hooks';

/** A one-line "loader output" whose map sends each function body's `return` to its own line of a .ts. */
function loaderOutput(): string {
  const js = 'var a=function(x){return x+1};var b=function(y){return y*2};';
  // segments: col 0 → line 0; `return x+1` (col 18) → line 1; `function(y)` (col 36) → line 3;
  // `return y*2` (col 48) → line 4 (0-based)
  const map = { version: 3, sources: ['/src/x.ts'], names: [], mappings: encode([[[0, 0, 0, 0], [18, 0, 1, 0], [36, 0, 3, 0], [48, 0, 4, 0]]]) };
  return js + '\n' + inlineMapComment(map);
}

describe('moveInlineMap', () => {
  test('positions after the inserted boundaries still map to the same .ts lines', () => {
    const original = loaderOutput();
    const before = new TraceMap(inlineMapOf(original)!.map as never);
    const atB = original.indexOf('return y*2');
    expect(originalPositionFor(before, { line: 1, column: atB }).line).toBe(5);

    const moved = addBoundariesKeepingMap(original, 'script');
    expect(moved).toContain('try{return y*2');
    const after = new TraceMap(inlineMapOf(moved)!.map as never);
    expect(originalPositionFor(after, { line: 1, column: moved.indexOf('return x+1') }).line).toBe(2);
    expect(originalPositionFor(after, { line: 1, column: moved.indexOf('return y*2') }).line).toBe(5);
    // `var b` stands after the first function's boundary: the moved map keeps it with that function's
    // line, the unmoved one would send it to the second body's line
    expect(originalPositionFor(after, { line: 1, column: moved.indexOf('var b') }).line).toBe(2);
    expect(originalPositionFor(before, { line: 1, column: moved.indexOf('var b') }).line).toBe(5);
  });

  test('a text without an inline map is left as the transform made it; the same save twice gives the same text', () => {
    const plain = 'var a=function(x){return x+1};';
    const out = addBoundaries(plain, 'script');
    expect(moveInlineMap(plain, out, [{ at: 18, length: 4 }])).toBe(out);
    expect(addBoundariesKeepingMap(loaderOutput(), 'script')).toBe(addBoundariesKeepingMap(loaderOutput(), 'script'));
  });

  test('withMapOf puts the running text\'s map comment in place of the saved one', () => {
    const saved = 'x();\n' + inlineMapComment({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA' });
    const running = 'y();\n' + inlineMapComment({ version: 3, sources: ['b.ts'], names: [], mappings: 'AACA' });
    expect(withMapOf(saved, running)).toBe('x();\n' + running.slice(5));
  });
});

describe('typescriptLoaderOf', () => {
  test.each([
    [['--import', 'tsx'], 'tsx'],
    [['--import=tsx'], 'tsx'],
    [['-r', 'ts-node/register'], 'ts-node/register'],
    // (its README's own spelling: a hyphen in the last part)
    [['-r', 'ts-node/register/transpile-only'], 'ts-node/register/transpile-only'],
    [['--loader', 'ts-node/esm'], 'ts-node/esm'],
    [['--require', '@swc-node/register'], '@swc-node/register'],
    [['--require', './my-hooks.js'], null],
    [['--inspect-brk'], null],
    [['--import', 'data:text/javascript,import { register } from "node:module"; import { pathToFileURL } from "node:url"; register("ts-node/esm", pathToFileURL("./"));'], 'ts-node/esm'],
    [['--import', 'data:text/javascript,import%20%7B%20register%20%7D%20from%20%22node%3Amodule%22%3B%20register(%22tsx%2Fesm%22%2C%20import.meta.url)%3B'], 'tsx/esm'],
    [['--import', 'data:text/javascript,import { register } from "node:module"; register("./my-hooks.mjs", import.meta.url);'], null],
    // a file of a loader's package: as edit-continue runs the tsx binary's loader, and a global install
    [['--import', 'file:///work/app/node_modules/tsx/dist/loader.mjs'], 'tsx'],
    [['--import', '/usr/lib/node_modules/tsx/dist/loader.mjs'], 'tsx'],
    [['-r', '/app/node_modules/@swc-node/register/index.js'], '@swc-node/register'],
    [['--import', '/app/node_modules/tsx/node_modules/my-hooks/index.mjs'], null],
    [['--import', 'file:///app/node_modules/left-pad/index.js'], null],
  ])('%j → %s', (args, expected) => {
    expect(typescriptLoaderOf(args as string[])).toBe(expected);
  });
  test.each([
    [['--import', 'tsx'], true],
    [['--import', './loader/register.mjs'], true],
    [['--loader', 'my-loader'], true],
    [['-r', '/abs/hooks.js'], true],
    [['--import', 'dotenv/config'], false],
    [['--inspect'], false],
  ])('may %j compile TypeScript: %s', (args, expected) => {
    expect(mayCompileTypeScript(args as string[])).toBe(expected);
  });
  test('NODE_OPTIONS counts too', () => {
    expect(typescriptLoaderOf([], '--max-old-space-size=100 --import tsx')).toBe('tsx');
  });
  test('TypeScript files', () => {
    expect(['a.ts', 'a.mts', 'a.cts', 'a.tsx'].every(isTypeScriptFile)).toBe(true);
    expect(isTypeScriptFile('a.js')).toBe(false);
  });
});

describe('LiveEdit and long lines', () => {
  test('the longest run of changed lines, in characters', () => {
    const short = 'a\nfunction f(){return 1}\nb';
    expect(longestChangedRun(short, short)).toBe(0);
    expect(longestChangedRun(short, short.replace('1', '2'))).toBe('function f(){return 2}'.length + 1);
    const long = 'var x=1;' + 'function g(){return 1};'.repeat(40);
    expect(longestChangedRun(long, long.replace('return 1', 'return 2'))).toBeGreaterThanOrEqual(LIVE_EDIT_CHUNK_LIMIT);
  });
  test('loaders that write one line, and the engine auto takes for them', () => {
    expect(writesOneLine('tsx')).toBe(true);
    expect(writesOneLine('tsx/cjs')).toBe(true);
    expect(writesOneLine('ts-node/register')).toBe(false);
    const caps = { liveEdit: { ok: true as const }, swap: true };
    expect(decideEngine('auto', { ...caps, loader: 'tsx' }).kind).toBe('swap');
    expect(decideEngine('auto', caps).kind).toBe('liveedit');
    expect(decideEngine('liveedit', { ...caps, loader: 'tsx' }).kind).toBe('liveedit');
  });
});

describe('launcherLoader: the loader of the launcher that runs, when the program has none of its own', () => {
  test("its name when the program's folder resolves it; else the file in the launcher's own package (a global install); its name when neither is found", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-launcher-'));
    try {
      const pkg = (dir: string, name: string, exports: Record<string, string>, files: string[]) => {
        fs.mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
        fs.writeFileSync(path.join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, exports }));
        for (const f of files) { fs.mkdirSync(path.dirname(path.join(dir, 'node_modules', name, f)), { recursive: true }); fs.writeFileSync(path.join(dir, 'node_modules', name, f), ''); }
      };
      const global = path.join(root, 'global', 'lib');
      pkg(global, 'tsx', { '.': './dist/loader.mjs', './cli': './dist/cli.mjs' }, ['dist/loader.mjs', 'dist/cli.mjs']);
      pkg(global, 'ts-node', { './register': './register/index.js' }, ['register/index.js', 'dist/bin.js']);
      const app = path.join(root, 'app');
      fs.mkdirSync(app);
      const bin = path.join(global, 'node_modules', 'tsx', 'dist', 'cli.mjs');
      expect(launcherLoader('tsx', bin, app, () => null)).toBe(pathToFileURL(path.join(global, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href);
      expect(launcherLoader('tsx', null, app, () => bin)).toBe(pathToFileURL(path.join(global, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href);
      expect(launcherLoader('ts-node/register', path.join(global, 'node_modules', 'ts-node', 'dist', 'bin.js'), app, () => null)).toBe(path.join(global, 'node_modules', 'ts-node', 'register', 'index.js'));
      expect(launcherLoader('tsx', null, app, () => null)).toBe('tsx');
      const own = path.join(root, 'own');
      pkg(own, 'tsx', { '.': './dist/loader.mjs' }, ['dist/loader.mjs']);
      expect(launcherLoader('tsx', bin, own, () => null)).toBe('tsx');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('throughLauncher', () => {
  const cmd = (script: string, ...scriptArgs: string[]) => ({ node: 'node', nodeArgs: ['--trace-warnings'], script, scriptArgs });
  test('the tsx binary becomes node --import tsx, keeping node options and program arguments', () => {
    const r = throughLauncher(cmd('node_modules/.bin/tsx', 'src/index.ts', '--port', '1'), '/p/node_modules/tsx/dist/cli.mjs');
    expect(r).toEqual({ kind: 'rewritten', command: { node: 'node', nodeArgs: ['--trace-warnings', '--import', 'tsx'], script: 'src/index.ts', scriptArgs: ['--port', '1'] }, note: expect.stringContaining('edit-continue node --import tsx src/index.ts') });
  });
  test('ts-node by its bare name (no such file) and by its bin', () => {
    expect(throughLauncher(cmd('ts-node', 'a.ts'), null)).toMatchObject({ kind: 'rewritten', command: { nodeArgs: ['--trace-warnings', '-r', 'ts-node/register'], script: 'a.ts' } });
    expect(throughLauncher(cmd('x', 'a.ts'), '/p/node_modules/ts-node/dist/bin-transpile.js')).toMatchObject({ kind: 'rewritten', command: { nodeArgs: ['--trace-warnings', '-r', 'ts-node/register/transpile-only'] } });
  });
  test('tsx watch and launcher options are refused with the command that works', () => {
    expect(throughLauncher(cmd('tsx', 'watch', 'src/a.ts'), null)).toEqual({ kind: 'refused', message: expect.stringContaining('edit-continue node --import tsx src/a.ts') });
    expect(throughLauncher(cmd('tsx', '--tsconfig', 'x.json', 'a.ts'), null)).toMatchObject({ kind: 'refused' });
  });
  test('anything else is left alone', () => {
    expect(throughLauncher(cmd('app.js'), '/p/app.js')).toEqual({ kind: 'none' });
  });
});

describe('LoaderMap and the lines of a save\'s outcome', () => {
  test('a one-line output: a function\'s own column, not its line, finds its .ts line; breakpoints go back', () => {
    const text = loaderOutput();
    const map = LoaderMap.of('/src/x.ts', text)!;
    expect(LoaderMap.of('/src/x.js', text)).toBeNull();
    const outcome = { status: 'patched', functions: [{ name: 'b', line: 1 }], notApplied: [], warnings: [] };
    expect(mapOutcomeLines(outcome, lineMapperOf(map), text).functions[0].line).toBe(4);
    expect(map.generated(5)).toEqual({ line: 0, column: text.indexOf('return y*2') });
    expect(map.generated(3)).toBeNull(); // no code of that line
  });

  test("a reason that names the output's lines in its words (EC201) does not name them for a loader's output", () => {
    const reason = { line: 3, lines: [3, 4], message: 'top-level code changed (line 3-4): it ran once when the module loaded and is not run again' };
    const out = mapOutcomeLines({ status: 'not-patched', reason: { ...reason } }, (l) => l + 10, null).reason;
    expect(out).toEqual({ line: 13, message: 'top-level code changed: it ran once when the module loaded and is not run again' });
  });
});

describe('messageOf (a loader error as text, src/inject/compile-hooks.ts)', () => {
  test('an error, a string, and the prototype-less object the loader thread hands back', () => {
    expect(messageOf(new Error('Expression expected.'))).toBe('Expression expected.');
    expect(messageOf('plain')).toBe('plain');
    const fromThread = Object.create(null) as Record<symbol, unknown>;
    fromThread[Symbol.for('nodejs.util.inspect.custom')] = () => 'src/price.ts(14,23): error TS2339: Property \'nope\' does not exist';
    expect(messageOf(fromThread)).toBe('src/price.ts(14,23): error TS2339: Property \'nope\' does not exist');
    expect(() => String(fromThread)).toThrow();
  });
});
