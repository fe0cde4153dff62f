// The disk cache of transformed module texts (src/inject/cache.ts) and its cleaning
// (src/launch/cache-clean.ts): what comes back is byte for byte what the transform gives, and a
// pack that changed, was cut or damaged is a miss, never trusted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addBoundaries, type SourceKind } from '../../src/inject/boundary';
import {
  cacheDisabled, cacheRoots, formatEntry, parsePack, packName, trustedFolder, TextCache, FORMAT,
} from '../../src/inject/cache';
import { transformIdentity, transformText } from '../../src/inject/hooks';
import { cleanCacheRoot, CLEAN_POLICY } from '../../src/launch/cache-clean';
import { codeCacheFolder, textKind, userChoseCompileCache } from '../../src/inject/compile-cache';
import { CODE_CACHE_FOLDER } from '../../src/inject/cache-roots';

let root: string;
beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-cache-test-')); });
afterEach(() => { fs.rmSync(root, { recursive: true, force: true }); });

const ID = 'test-identity';

const newCache = (pack = 'p.pack', dir = root) => new TextCache([{ dir, mustOwn: false }], ID, pack);
const packPath = (pack = 'p.pack') => path.join(root, FORMAT, pack);

/** through() that fails the test if it has to transform. */
const mustHit = (c: TextCache, file: string, text: string, kind: SourceKind | `${SourceKind}+swap`) =>
  c.through(file, text, kind, false, () => { throw new Error(`${file} was transformed again`); });
const fresh = (text: string, kind: SourceKind) => transformText(text, kind, false);

const SAMPLES: [string, string, SourceKind][] = [
  ['sync.js', 'function work(item) {\n  return item.spec.weight;\n}\nmodule.exports = { work };\n', 'script'],
  ['async.js', 'async function go(x) {\n  await x;\n  return 1;\n}\nconst f = async () => { return go(1); };\n', 'script'],
  ['class.js', "'use strict';\nclass A {\n  m() { return 1; }\n  get g() { return 2; }\n  static s() { 'use strict'; return 3; }\n}\n", 'script'],
  ['gen.js', 'function* g() { yield 1; }\nconst o = { a() {}, b: () => 1 };\n', 'script'],
  ['esm.mjs', "import * as fs from 'node:fs';\nexport function read(f) { return fs.readFileSync(f, 'utf8'); }\nawait 1;\n", 'module'],
  ['unicode.js', "// ünïcödé 🎉 漢字\nfunction s() { return '🎉' + '\\u{1F600}' + '漢字'; }\n", 'script'],
  ['nofn.js', 'module.exports = { a: 1, b: [1, 2, 3] };\n', 'script'],
  ['syntax-error.js', 'function broken( {\n', 'script'],
  ['esm-as-script.js', "import x from 'y';\nfunction f() { return x; }\n", 'script'],
  ['marked.js', addBoundaries('function f() { return 1; }\n', 'script'), 'script'],
  ['big.js', Array.from({ length: 300 }, (_, i) => `function f${i}(a, b) {\n  if (a) return b * ${i};\n  return (() => { return a + ${i}; })();\n}\n`).join(''), 'script'],
];

describe('cached output is the transform, byte for byte', () => {
  test.each(SAMPLES)('%s: a miss, then a hit in a new process, give what the transform gives', (name, text, kind) => {
    const file = path.join(root, 'src', name);
    const expected = fresh(text, kind);
    // what the hook runs: the transform's text, or the file as it is
    expect(expected ?? text).toBe(addBoundaries(text, kind));
    expect(newCache().through(file, text, kind, false, () => fresh(text, kind))).toBe(expected);
    const hit = mustHit(newCache(), file, text, kind);
    expect(hit).toBe(expected);
    if (hit !== null) expect(Buffer.from(hit).equals(Buffer.from(addBoundaries(text, kind)))).toBe(true);
  });

  test('every sample in one pack: all hit, each with its own text', () => {
    const first = newCache();
    for (const [name, text, kind] of SAMPLES) first.through(path.join(root, name), text, kind, false, () => fresh(text, kind));
    const second = newCache();
    for (const [name, text, kind] of SAMPLES) expect(mustHit(second, path.join(root, name), text, kind)).toBe(fresh(text, kind));
  });

  test('the real identity names the transform code and acorn', () => {
    const id = transformIdentity();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(transformIdentity()).toBe(id);
  });

  test('a text UTF-8 cannot carry (a lone surrogate) bypasses the cache', () => {
    const text = "function f() { return '\uD800'; }\n";
    let calls = 0;
    const run = (c: TextCache) => c.through(path.join(root, 'lone.js'), text, 'script', false, () => { calls++; return fresh(text, 'script'); });
    expect(run(newCache())).toBe(fresh(text, 'script'));
    expect(run(newCache())).toBe(fresh(text, 'script'));
    expect(calls).toBe(2);
  });

  test('keys differ by kind, TypeScript, transform identity and text', () => {
    const c = newCache();
    const other = new TextCache([{ dir: root, mustOwn: false }], 'another-identity', 'p.pack');
    const t = 'function f() {}\n';
    const keys = [c.key(t, 'script', false), c.key(t, 'module', false), c.key(t, 'script', true), other.key(t, 'script', false), c.key(t + ' ', 'script', false)];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('what is not trusted', () => {
  const file = () => path.join(root, 'lib.js');
  const text = 'function work(x) {\n  return x * 2;\n}\n';
  const counting = () => {
    const calls = { n: 0 };
    const run = (c: TextCache, t = text) => c.through(file(), t, 'script', false, () => { calls.n++; return fresh(t, 'script'); });
    return { calls, run };
  };

  test('a changed file is a miss, and its new entry is the one used next', () => {
    const { calls, run } = counting();
    run(newCache());
    const changed = text.replace('x * 2', 'x * 3');
    expect(run(newCache(), changed)).toBe(fresh(changed, 'script'));
    expect(calls.n).toBe(2);
    expect(mustHit(newCache(), file(), changed, 'script')).toBe(fresh(changed, 'script'));
  });

  test('a body changed on disk (its hash no longer matches) is a miss; the miss repairs it', () => {
    const { calls, run } = counting();
    run(newCache());
    const damaged = fs.readFileSync(packPath(), 'utf8').replace('x * 2', 'x * 9');
    fs.writeFileSync(packPath(), damaged);
    expect(run(newCache())).toBe(fresh(text, 'script'));
    expect(calls.n).toBe(2);
    expect(mustHit(newCache(), file(), text, 'script')).toBe(fresh(text, 'script'));
  });

  test('a cut pack, a pack of garbage, a missing pack: misses, never errors', () => {
    const { calls, run } = counting();
    run(newCache());
    const whole = fs.readFileSync(packPath(), 'utf8');
    fs.writeFileSync(packPath(), whole.slice(0, whole.length - 20));
    expect(run(newCache())).toBe(fresh(text, 'script'));
    fs.writeFileSync(packPath(), Buffer.from([0xff, 0xfe, 0, 1, 2, 10, 69, 32, 10]));
    expect(run(newCache())).toBe(fresh(text, 'script'));
    fs.rmSync(packPath());
    expect(run(newCache())).toBe(fresh(text, 'script'));
    expect(calls.n).toBe(4);
  });

  test("another file's entry moved under this file's name is a miss (the key is of the text)", () => {
    const c = newCache();
    const other = path.join(root, 'other.js');
    c.through(other, 'function other() { return 1; }\n', 'script', false, () => fresh('function other() { return 1; }\n', 'script'));
    const moved = fs.readFileSync(packPath(), 'utf8').replace(JSON.stringify(other), JSON.stringify(file()));
    fs.writeFileSync(packPath(), moved);
    const { calls, run } = counting();
    expect(run(newCache())).toBe(fresh(text, 'script'));
    expect(calls.n).toBe(1);
  });

  test("a 'same' entry with a body is a miss", () => {
    const c = newCache();
    const t = 'function broken( {\n';
    c.through(file(), t, 'script', false, () => fresh(t, 'script'));
    const key = c.key(t, 'script', false);
    const body = 'console.log("not this");';
    const hash = require('node:crypto').createHash('sha256').update(body).digest('hex');
    fs.appendFileSync(packPath(), formatEntry({ file: file(), variant: '', key, what: 'same', hash, body }));
    const { calls } = counting();
    expect(newCache().through(file(), t, 'script', false, () => { calls.n++; return fresh(t, 'script'); })).toBeNull();
    expect(calls.n).toBe(1);
  });

  test('a damaged entry is skipped; the entries after it are still read', () => {
    const c = newCache();
    const a = path.join(root, 'a.js');
    const b = path.join(root, 'b.js');
    const ta = 'function a() { return 1; }\n';
    const tb = 'function b() { return 2; }\n';
    c.through(a, ta, 'script', false, () => fresh(ta, 'script'));
    c.through(b, tb, 'script', false, () => fresh(tb, 'script'));
    const text = fs.readFileSync(packPath(), 'utf8');
    const second = text.indexOf('\nE ', text.indexOf('\nE ') + 1);
    // the first entry's length no longer fits
    fs.writeFileSync(packPath(), text.slice(0, second - 3) + 'garbage\nmore garbage' + text.slice(second));
    const pack = parsePack(fs.readFileSync(packPath(), 'utf8'));
    expect([...pack.entries.keys()]).toEqual([b]);
    expect(mustHit(newCache(), b, tb, 'script')).toBe(fresh(tb, 'script'));
  });
});

describe('the pack', () => {
  test('a miss is on disk at once (a program may stop at an exception before its event loop turns)', () => {
    const c = newCache();
    const t = 'function a() {}\n';
    c.through(path.join(root, 'a.js'), t, 'script', false, () => fresh(t, 'script'));
    expect(mustHit(newCache(), path.join(root, 'a.js'), t, 'script')).toBe(fresh(t, 'script'));
  });

  test('a pack cut in the middle of an entry: the whole entries before the cut are used', () => {
    const c = newCache();
    const files = ['a', 'b', 'c'].map((n) => [path.join(root, `${n}.js`), `function ${n}() { return '${n}'; }\n`] as const);
    for (const [f, t] of files) c.through(f, t, 'script', false, () => fresh(t, 'script'));
    const text = fs.readFileSync(packPath(), 'utf8');
    fs.writeFileSync(packPath(), text.slice(0, text.lastIndexOf('\nE ') + 30));
    const pack = parsePack(fs.readFileSync(packPath(), 'utf8'));
    expect([...pack.entries.keys()]).toEqual([files[0][0], files[1][0]]);
  });

  test('two writers at once (two processes of one program): every entry is kept', () => {
    const one = newCache();
    const two = newCache();
    const files = ['a', 'b', 'c', 'd'].map((n) => [path.join(root, `${n}.js`), `function ${n}() { return '${n}'; }\n`] as const);
    files.forEach(([f, t], i) => (i % 2 ? one : two).through(f, t, 'script', false, () => fresh(t, 'script')));
    const third = newCache();
    for (const [f, t] of files) expect(mustHit(third, f, t, 'script')).toBe(fresh(t, 'script'));
  });

  test('rewrite keeps the newest entry of each file that still exists', () => {
    const keep = path.join(root, 'keep.js');
    const gone = path.join(root, 'gone.js');
    fs.writeFileSync(keep, '');
    const c = newCache();
    const versions = Array.from({ length: 5 }, (_, i) => `function k() { return ${i}; }\n`);
    for (const v of versions) c.through(keep, v, 'script', false, () => fresh(v, 'script'));
    c.through(gone, 'function g() {}\n', 'script', false, () => fresh('function g() {}\n', 'script'));
    const before = fs.statSync(packPath()).size;
    c.rewrite();
    const pack = parsePack(fs.readFileSync(packPath(), 'utf8'));
    expect([...pack.entries.keys()]).toEqual([keep]);
    expect(fs.statSync(packPath()).size).toBeLessThan(before / 3);
    expect(mustHit(newCache(), keep, versions[4], 'script')).toBe(fresh(versions[4], 'script'));
    expect(fs.readdirSync(path.join(root, FORMAT)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('the swap transform has an entry of its own per file: starts under one engine, then the other, both hit (and a rewrite keeps both)', () => {
    const f = path.join(root, 'both.js');
    const t = 'function both() { return 1; }\n';
    fs.writeFileSync(f, t);
    const swapText = `${fresh(t, 'script')}/* swap */`;
    newCache().through(f, t, 'script', false, () => fresh(t, 'script'));
    newCache().through(f, t, 'script+swap', false, () => swapText);
    expect(mustHit(newCache(), f, t, 'script')).toBe(fresh(t, 'script'));
    expect(mustHit(newCache(), f, t, 'script+swap')).toBe(swapText);
    const c = newCache();
    c.rewrite();
    const pack = parsePack(fs.readFileSync(packPath(), 'utf8'));
    expect([...pack.entries.values()].map((e) => [e.file, e.variant])).toEqual([[f, ''], [f, 'swap']]);
    expect(mustHit(newCache(), f, t, 'script')).toBe(fresh(t, 'script'));
    expect(mustHit(newCache(), f, t, 'script+swap')).toBe(swapText);
  });

  test('pack names: one per program, node version and thread kind', () => {
    const names = [packName('/a/main.js', 'v20.1.0', true), packName('/b/main.js', 'v20.1.0', true), packName('/a/main.js', 'v22.1.0', true), packName('/a/main.js', 'v20.1.0', false)];
    expect(new Set(names).size).toBe(4);
    expect(packName('/a/main.js', 'v20.1.0', true)).toBe(names[0]);
    expect(names[0]).toMatch(/^[0-9a-f]{40}\.pack$/);
  });

  test('a folder that cannot be used: the next one, or no cache (the transform still runs)', () => {
    const blocked = path.join(root, 'blocked');
    fs.writeFileSync(blocked, 'a file where the folder should be');
    const c = new TextCache([{ dir: blocked, mustOwn: false }, { dir: path.join(root, 'second'), mustOwn: false }], ID, 'p.pack');
    expect(c.packFile()).toBe(path.join(root, 'second', FORMAT, 'p.pack'));
    const none = new TextCache([{ dir: blocked, mustOwn: false }], ID, 'p.pack');
    const t = 'function f() {}\n';
    expect(none.through(path.join(root, 'f.js'), t, 'script', false, () => fresh(t, 'script'))).toBe(fresh(t, 'script'));
    expect(none.packFile()).toBeNull();
  });
});

describe('where the cache lives', () => {
  test('off with EDIT_CONTINUE_CACHE=0, off, false or no', () => {
    for (const v of ['0', 'off', 'false', 'no', 'OFF ']) {
      expect(cacheDisabled({ EDIT_CONTINUE_CACHE: v })).toBe(true);
      expect(cacheRoots({ EDIT_CONTINUE_CACHE: v })).toEqual([]);
    }
    expect(cacheDisabled({ EDIT_CONTINUE_CACHE: '1' })).toBe(false);
    expect(cacheDisabled({})).toBe(false);
  });

  test('EDIT_CONTINUE_CACHE_DIR, else the user cache folder, else a folder of ours in tmp', () => {
    expect(cacheRoots({ EDIT_CONTINUE_CACHE_DIR: '/x/cache' }, 'linux', '/home/u', '/tmp')).toEqual([{ dir: '/x/cache', mustOwn: false }]);
    const linux = cacheRoots({}, 'linux', '/home/u', '/tmp');
    expect(linux[0]).toEqual({ dir: '/home/u/.cache/edit-continue', mustOwn: false });
    expect(linux[1].dir).toMatch(/^\/tmp\/edit-continue-/);
    expect(linux[1].mustOwn).toBe(true);
    expect(cacheRoots({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u', '/tmp')[0].dir).toBe('/xdg/edit-continue');
    expect(cacheRoots({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u', '/tmp')[0].dir).toBe('/home/u/.cache/edit-continue');
    expect(cacheRoots({}, 'darwin', '/Users/u', '/tmp')[0].dir).toBe('/Users/u/Library/Caches/edit-continue');
    expect(cacheRoots({ LOCALAPPDATA: '/appdata' }, 'win32', '/u', '/tmp')[0].dir).toBe(path.join('/appdata', 'edit-continue', 'cache'));
  });

  (process.platform === 'win32' ? test.skip : test)('a shared folder is used only when it is ours and others cannot write it', () => {
    const dir = path.join(root, 'shared');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    expect(trustedFolder(dir, true)).toBe(true);
    fs.chmodSync(dir, 0o777);
    expect(trustedFolder(dir, true)).toBe(false);
    expect(trustedFolder(dir, false)).toBe(true);
    const c = new TextCache([{ dir, mustOwn: true }], ID, 'p.pack');
    expect(c.packFile()).toBeNull();
  });
});

describe('cleaning (controller)', () => {
  const DAY = 24 * 3600 * 1000;
  const touch = (file: string, ageMs: number, size = 10) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'x'.repeat(size));
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(file, t, t);
  };

  test('removes packs unused for 30 days, dead temporary files and older formats; keeps the rest', async () => {
    const dir = path.join(root, FORMAT);
    touch(path.join(dir, 'old.pack'), 40 * DAY);
    touch(path.join(dir, 'young.pack'), 2 * DAY);
    touch(path.join(dir, 'dead.pack.1.0.tmp'), 2 * 3600 * 1000);
    touch(path.join(dir, 'live.pack.1.0.tmp'), 1000);
    touch(path.join(root, 'texts-1', 'x.pack'), 0);
    touch(path.join(root, 'texts-999', 'x.pack'), 0);
    const removed = await cleanCacheRoot(root);
    expect(removed.map((f) => path.relative(root, f)).sort()).toEqual([path.join(FORMAT, 'dead.pack.1.0.tmp'), path.join(FORMAT, 'old.pack'), 'texts-1'].sort());
    expect(fs.existsSync(path.join(dir, 'young.pack'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'texts-999', 'x.pack'))).toBe(true);
    // once a day
    touch(path.join(dir, 'old2.pack'), 40 * DAY);
    expect(await cleanCacheRoot(root)).toEqual([]);
    expect(await cleanCacheRoot(root, Date.now() + 2 * DAY)).toContain(path.join(dir, 'old2.pack'));
  });

  test("V8's code cache: a node version's folder unused for 30 days goes; over the size limit the least recently used go first", async () => {
    const v8 = path.join(root, CODE_CACHE_FOLDER);
    const folder = (kind: string, name: string, ageMs: number, size = 1000) => {
      const dir = path.join(v8, kind, name);
      touch(path.join(dir, '0badf00d'), ageMs, size);
      touch(path.join(dir, '1badf00d'), ageMs, size);
      const t = new Date(Date.now() - ageMs);
      fs.utimesSync(dir, t, t);
      return dir;
    };
    const old = folder('boundaries', 'v22.1.0-x64-aaaa-0', 40 * DAY);
    const young = folder('swap', 'v24.21.0-x64-bbbb-0', 2 * DAY);
    const removed = await cleanCacheRoot(root);
    expect(removed).toEqual([old]);
    expect(fs.existsSync(young)).toBe(true);
    // one entry used lately keeps its folder
    const used = folder('plain', 'v26.10.0-x64-cccc-0', 40 * DAY);
    touch(path.join(used, '2badf00d'), 0);
    expect(await cleanCacheRoot(root, Date.now(), true)).toEqual([]);

    const sizes = [folder('boundaries', 'a', 5 * DAY), folder('swap', 'b', 4 * DAY), folder('plain', 'c', 3 * DAY)];
    const bySize = await cleanCacheRoot(root, Date.now(), true, { ...CLEAN_POLICY, maxBytes: 7000, targetBytes: 6500 });
    // five folders of ~2,000 bytes: the two least recently used go, which brings it under 6,500
    expect(bySize).toEqual(sizes.slice(0, 2));
  });

  test('over the size limit, the least recently used packs go first', async () => {
    const dir = path.join(root, FORMAT);
    for (let i = 0; i < 6; i++) touch(path.join(dir, `p${i}.pack`), (10 - i) * DAY, 1000);
    const removed = await cleanCacheRoot(root, Date.now(), true, { ...CLEAN_POLICY, maxBytes: 4500, targetBytes: 3000 });
    expect(removed.map((f) => path.basename(f))).toEqual(['p0.pack', 'p1.pack', 'p2.pack']);
  });
});

describe("V8's code cache for the program (src/inject/compile-cache.ts)", () => {
  test('one folder per kind of text the program loads as', () => {
    expect(textKind({})).toBe('plain');
    expect(textKind({ EDIT_CONTINUE_BOUNDARIES: '1' })).toBe('boundaries');
    expect(textKind({ EDIT_CONTINUE_BOUNDARIES: '1', EDIT_CONTINUE_ENGINE: 'liveedit' })).toBe('boundaries');
    expect(textKind({ EDIT_CONTINUE_BOUNDARIES: '1', EDIT_CONTINUE_ENGINE: 'swap' })).toBe('swap');
    expect(textKind({ EDIT_CONTINUE_ENGINE: 'swap' })).toBe('plain');
  });

  test("the user's own choice of node's compile cache, on or off, is theirs", () => {
    expect(userChoseCompileCache({})).toBe(false);
    expect(userChoseCompileCache({ NODE_COMPILE_CACHE: '/x' })).toBe(true);
    expect(userChoseCompileCache({ NODE_COMPILE_CACHE: '' })).toBe(true);
    expect(userChoseCompileCache({ NODE_DISABLE_COMPILE_CACHE: '1' })).toBe(true);
  });

  test('the folder: made in the first usable root, never one others can write to', () => {
    expect(codeCacheFolder([{ dir: root, mustOwn: true }], 'swap')).toBe(path.join(root, CODE_CACHE_FOLDER, 'swap'));
    expect((fs.statSync(path.join(root, CODE_CACHE_FOLDER, 'swap')).mode & 0o077)).toBe(0);
    if (typeof process.getuid !== 'function') return;
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-cc-shared-'));
    try {
      fs.chmodSync(shared, 0o777);
      const next = path.join(root, 'next');
      expect(codeCacheFolder([{ dir: shared, mustOwn: true }, { dir: next, mustOwn: false }], 'plain')).toBe(path.join(next, CODE_CACHE_FOLDER, 'plain'));
      expect(codeCacheFolder([{ dir: shared, mustOwn: true }], 'plain')).toBeNull();
      // a user's own folder (EDIT_CONTINUE_CACHE_DIR, the user cache folder) is theirs to set up
      expect(codeCacheFolder([{ dir: shared, mustOwn: false }], 'plain')).toBe(path.join(shared, CODE_CACHE_FOLDER, 'plain'));
    } finally {
      fs.rmSync(shared, { recursive: true, force: true });
    }
  });
});
