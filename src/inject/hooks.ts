// Runs in the user's program: put retry boundaries (./boundary.ts) into the user's own files as they
// load. Node 22+ has synchronous in-thread load hooks that see require() and import alike; Node 20 has
// neither, so there CommonJS goes through Module.prototype._compile and ES modules through an
// off-thread loader (./esm-hooks.ts). Files under node_modules and our own files are left as they are.
//
// Results go through a disk cache (./cache.ts): a file that has not changed since the last start is
// not parsed again, and acorn is then not even loaded.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { SourceKind } from './boundary';
import { cacheRoots, TextCache, type Transformed } from './cache';
import { BOUNDARY_MARK, DATA_URL, RESOLVE_SYNC, SWAP_MARK, SWAP_PROLOGUE_HELPER, hasSourceMap, keepLoaderChain, swapModuleId } from './mark';
import { originOf } from '../util/origin';
import { defineSwapHelper } from './swap-runtime';

/** The URLs ./compile-hooks.ts is having the program's loader compile for a save (in the hooks' thread). */
const COMPILING = Symbol.for('edit-continue.compiling');

/** `swap`: the swap engine's indirection as well (docs/swap.md); the seam with the engine choice. */
export const ENGINE_ENV = 'EDIT_CONTINUE_ENGINE';
const swapMode = (): boolean => process.env[ENGINE_ENV] === 'swap';

/** ./boundary.ts and acorn, loaded on the first cache miss. */
let boundaryModule: typeof import('./boundary') | null = null;
/** True while we load our own modules (acorn): Node 20's _compile hook below leaves them alone. */
let loadingOwn = false;
function boundary(): typeof import('./boundary') {
  if (!boundaryModule) {
    loadingOwn = true;
    // acorn with it: boundary.ts loads it at its first parse (util/acorn.ts), which here would be
    // inside the _compile of the program's file, where acorn's text would pass through the hook (and
    // its `import(` start node 20's ES module loader thread for a CommonJS program)
    try {
      boundaryModule = require('./boundary') as typeof import('./boundary');
      (require('../util/acorn') as typeof import('../util/acorn')).acornParser();
    } finally { loadingOwn = false; }
  }
  return boundaryModule;
}

export function isUserFile(file: string): boolean {
  return path.isAbsolute(file) && originOf(file) === 'program';
}

function fileOf(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  try { return fileURLToPath(url); } catch { return null; }
}

type Format = string | null | undefined;
interface LoadResult { format?: Format; source?: string | ArrayBuffer | ArrayBufferView | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: object) => LoadResult;

// The formats a load hook sees. require() of a .js file says nothing yet (node decides after the
// hook): it parses as a script or is left alone. require() of a .ts file says 'typescript'.
const KINDS: Record<string, { kind: SourceKind; format: string | undefined; typescript: boolean }> = {
  undefined: { kind: 'script', format: undefined, typescript: false },
  typescript: { kind: 'script', format: 'commonjs', typescript: true },
  commonjs: { kind: 'script', format: 'commonjs', typescript: false },
  module: { kind: 'module', format: 'module', typescript: false },
  'commonjs-typescript': { kind: 'script', format: 'commonjs', typescript: true },
  'module-typescript': { kind: 'module', format: 'module', typescript: true },
};

function textOf(source: LoadResult['source'], file: string): string {
  if (source === null || source === undefined) return fs.readFileSync(file, 'utf8');
  if (typeof source === 'string') return source;
  return Buffer.from(source as ArrayBuffer).toString('utf8');
}

/** Strip types as node would, without its "experimental" warning (node itself did not warn). */
function stripTypes(text: string): string {
  const mod = require('node:module') as { stripTypeScriptTypes(code: string, options?: object): string };
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    return mod.stripTypeScriptTypes(text, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * The transform the cache keeps: the text to run instead, or null to run the module as it is (no
 * function to wrap, a text acorn cannot parse, or a TypeScript error node should report itself).
 */
export function transformText(text: string, kind: SourceKind, typescript: boolean, swapModule: string | null = null): Transformed {
  let js = text;
  if (typescript) {
    try { js = stripTypes(text); } catch { return null; }
  }
  const insertions: { at: number; length: number }[] = [];
  const out = boundary().addBoundaries(js, kind, swapModule ? { swap: { module: swapModule }, insertions } : { insertions });
  if (out === js) return null;
  // a loader's output (tsx, ts-node, @swc-node/register, babel) carries an inline source map: move it along
  return js.includes('sourceMappingURL=data:') ? sourceMaps().moveInlineMap(js, out, insertions) : out;
}

/** ../loaders/sourcemap.ts, loaded only for texts that carry an inline source map. */
let sourceMapModule: typeof import('../loaders/sourcemap') | null = null;
function sourceMaps(): typeof import('../loaders/sourcemap') {
  if (!sourceMapModule) {
    loadingOwn = true;
    try { sourceMapModule = require('../loaders/sourcemap') as typeof import('../loaders/sourcemap'); } finally { loadingOwn = false; }
  }
  return sourceMapModule;
}

/** Extensions a TypeScript loader compiles itself (its require hook calls module._compile with JavaScript). */
const LOADER_EXTENSIONS = /\.(?:[cm]?ts|tsx|jsx)$/i;

/** What names the transform in cache keys: our transform code (all of it) and acorn's version (node's is in the key). */
export function transformIdentity(): string {
  const h = createHash('sha256');
  for (const file of [require.resolve('./boundary'), require.resolve('./mark'), require.resolve('../loaders/sourcemap'), __filename]) h.update(fs.readFileSync(file));
  h.update(JSON.parse(fs.readFileSync(require.resolve('acorn/package.json'), 'utf8')).version);
  return h.digest('hex');
}

let textCache: TextCache | null | undefined;

function cache(): TextCache | null {
  if (textCache === undefined) {
    textCache = null;
    try {
      const roots = cacheRoots(process.env);
      if (roots.length) textCache = new TextCache(roots, transformIdentity());
    } catch { /* no cache: transform every time */ }
  }
  return textCache;
}

/** transformText for `file`, through the disk cache when there is one. */
export function transformCached(file: string, text: string, kind: SourceKind, typescript: boolean): Transformed {
  // a text that has its boundaries (node 20's loader can hand the same module to the hook twice)
  if (!typescript && (text.endsWith(BOUNDARY_MARK) || text.endsWith(SWAP_MARK))) return null;
  const swapModule = swapMode() ? swapModuleIdOf(file) : null;
  const c = cache();
  const run = () => transformText(text, kind, typescript, swapModule);
  // the module id comes from the file; `+swap` gives the swap text an entry of its own beside the
  // boundaries-only one (./cache.ts entryName)
  return c ? c.through(file, text, swapModule ? `${kind}+swap` : kind, typescript, run) : run();
}

/** The swap module id of a file (./mark.ts, which ./boundary.ts gives too). */
export const swapModuleIdOf = swapModuleId;

/**
 * Work the first module loads would do, done while the program waits for the controller anyway: read
 * the cache's pack, and load acorn when the pack has nothing (a first start transforms every file).
 */
export function prepareTransform(): void {
  const c = cache();
  if (!c || c.warm() === 0) boundary();
}

/**
 * What our load hook below a program's loader does (the first one registered): add boundaries to user
 * files of a JavaScript format. A TypeScript (or JSX) file goes on as it is when a loader registered
 * hooks above ours: the loader asks for the file's text through us and compiles it afterwards (tsx
 * hands it on as format 'module'), and ours above it take its output (transformAbove). Parsing it here
 * would fail, and that exception would stop the program under the debugger, once per file.
 */
export function transformBelow(url: string, result: LoadResult): LoadResult {
  return loaderHooksAbove && LOADER_URL.test(url) ? result : transformLoaded(url, result);
}

/**
 * Our first hooks see a loader's output when the loader's hooks run after them (`--loader ts-node/esm`,
 * registered before ours on Node 20, off-thread below our in-thread ones on Node 22): the chain that
 * load went through compiles saves of the file (./mark.ts keepLoaderChain). Not when the loader's hooks
 * run first and ask for the file's text through ours (then ours above them keep it), nor for node's own
 * type stripping, which needs no loader.
 */
export function keepChainBelow(url: string, next: unknown, context: object, result: LoadResult): void {
  if (!loaderHooksAbove && LOADER_URL.test(url) && !String(result.format).includes('typescript')) keepLoaderChain(url, next, context);
}

/** Add boundaries to a user file of a JavaScript format (or TypeScript, stripped as node would). */
export function transformLoaded(url: string, result: LoadResult): LoadResult {
  // a save compiled by the program's loader (./compile-hooks.ts): the controller adds what it needs
  if (((globalThis as Record<symbol, unknown>)[COMPILING] as Map<string, number> | undefined)?.has(url)) return result;
  const file = fileOf(url);
  const how = KINDS[String(result.format)];
  if (!file || !how || !isUserFile(file)) return result;
  // a program's loader compiles it, and our hooks above it take its output (transformAbove)
  if (how.typescript && loaderHooksAbove) return result;
  let text = textOf(result.source, file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out = transformCached(file, text, how.kind, how.typescript);
  if (out === null) return result;
  // (hooks in the program's thread: node 20's off-thread hooks hand the text to another thread)
  if (hooksThread() === 'in-thread') swapTextLoaded(how.kind === 'module' ? url : file, out);
  return { ...result, format: how.format, source: out };
}

/**
 * A swap text given to V8 under `name` (a CommonJS module's path, an ES module's URL): the runtime's
 * trace filter takes its insertions out of the columns of the program's own stack traces
 * (./swap-runtime.ts stackFilter).
 */
function swapTextLoaded(name: string, text: string): void {
  // a text with a source map (a loader's output, tsc's) is read through it, whose map was moved onto
  // our insertions (./sourcemap.ts moveInlineMap): its columns are the ones the map expects
  if (!text.endsWith(SWAP_MARK) || hasSourceMap(text)) return;
  const helper = (globalThis as Record<string, unknown>)[SWAP_PROLOGUE_HELPER] as { l?: (name: string, text: string) => void } | undefined;
  if (typeof helper?.l === 'function') helper.l(name, text);
}

/**
 * Node 20: must the ES module loader have our hooks before the first line runs? Yes when the entry
 * is an ES module by node's own rules (run_main's shouldUseESMLoader), when node is told to import
 * or load something first, in worker threads (their entry is not known here), and whenever in doubt.
 */
export function esmAtStart(): boolean {
  if (!isMainThread) return true;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (flags.some((f) => /^--(import|loader|experimental-loader|experimental-default-type)(=|$)/.test(f))) return true;
  const main = process.argv[1];
  if (!main) return true;
  let file: string | false;
  try {
    const Module = require('node:module') as { _findPath(request: string, paths: null, isMain: boolean): string | false };
    file = Module._findPath(path.resolve(main), null, true);
    if (!file) return true;
    file = fs.realpathSync(file);
  } catch {
    return true;
  }
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  // the nearest package.json up to a node_modules folder, as node's readPackageScope
  let dir = path.dirname(file);
  for (;;) {
    if (path.basename(dir) === 'node_modules') return false;
    let json: string | null = null;
    // no exception for a missing file: under the debugger each one is a stop (~45 ms at start, issue 17)
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) { try { json = fs.readFileSync(pkg, 'utf8'); } catch { /* unreadable: as none */ } }
    if (json !== null) {
      try { return (JSON.parse(json) as { type?: unknown } | null)?.type === 'module'; } catch { return true; }
    }
    const up = path.dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}

/**
 * Texts that may start the ES module loader on Node 20.19+: any text with `import(` (in any spelling)
 * may import a user's ES module; a user's .js file without a package type is run as an ES module when
 * it has ESM syntax (import, export, or top-level await: a text that does not parse as a script).
 * Any false alarm costs only the loader starting, as it did before it was deferred.
 */
const IMPORT_HINT = /\bimport\b/;
const USER_ESM_HINT = /\b(?:import|export)\b/;

/** URLs a TypeScript (or JSX) loader compiles: our hooks above a program's loader take its output. */
export const LOADER_URL = /\.(?:[cm]?ts|tsx|jsx)(?:[?#].*)?$/i;

/**
 * Set when a program's loader registered load hooks above ours (ours above it are registered then
 * too, in this thread): ours below it then leave TypeScript to it.
 */
let loaderHooksAbove = false;
export function markLoaderHooksAbove(): void { loaderHooksAbove = true; }

/** What our hooks above a program's loader (tsx, ts-node/esm) do: its output of a .ts file gets the transform. */
export function transformAbove(url: string, result: LoadResult): LoadResult {
  return LOADER_URL.test(url) ? transformLoaded(url, result) : result;
}

/** Marks hooks of ours (./compile-hooks.ts) that the registerHooks wrap below leaves as they are. */
const OWN_HOOKS = Symbol.for('edit-continue.own-hooks');

/** Where our ES module hooks run (read by ./compile-hooks.ts, which must register its own the same way). */
const HOOKS_THREAD = Symbol.for('edit-continue.hooks-thread');
type HooksThread = 'in-thread' | 'off-thread';
function setHooksThread(where: HooksThread): void {
  (globalThis as unknown as Record<symbol, HooksThread>)[HOOKS_THREAD] = where;
}
function hooksThread(): HooksThread | undefined {
  return (globalThis as unknown as Record<symbol, HooksThread | undefined>)[HOOKS_THREAD];
}

type Proto = { prototype: { _compile(content: string, filename: string, format?: string, ...rest: unknown[]): unknown } };

/** The JSON modules of the program's own that this thread loaded (each named to the controller once). */
const dataSeen = new Set<string>();

/**
 * A JSON module of the program's own loaded: an empty script named after it (./mark.ts DATA_URL) tells
 * the controller, which then says at a save of the file that node read it once (EC106).
 */
export function dataLoaded(file: string): void {
  if (dataSeen.has(file) || !isUserFile(file)) return;
  dataSeen.add(file);
  try {
    const vm = ((process as { getBuiltinModule?(id: string): unknown }).getBuiltinModule?.('node:vm') ?? require('node:vm')) as typeof import('node:vm');
    // with the file's modification time and size as node read it: a save is told from the text loaded
    // even when it comes before the controller has the file's watch in place
    let stamp = '-1:-1';
    try { const st = fs.statSync(file); stamp = `${st.mtimeMs}:${st.size}`; } catch { /* not known */ }
    // (run: V8 reports a script compiled and not run only once it runs)
    vm.runInThisContext('', { filename: `${DATA_URL}${stamp}:${file}` });
  } catch { /* only a report */ }
}

export function installBoundaries(): void {
  // node's own module loader thread (Node 22+ says so) runs our preload too: hooks there would sit
  // inside the program's loader (on Node 22 beside its off-thread hooks, ending the program)
  if ((require('node:worker_threads') as { isInternalThread?: boolean }).isInternalThread === true) return;
  // whatever the engine: the transform's mode is read per module, and a swap text needs it
  defineSwapHelper();
  const mod = require('node:module') as typeof import('node:module') & {
    registerHooks?: (hooks: { load(url: string, context: object, next: NextLoad): LoadResult }) => unknown;
  };
  const register = typeof mod.register === 'function' ? mod.register.bind(mod) : null;
  // Node 22+: in-thread hooks (module.registerHooks), which see require() and import alike and run
  // before any off-thread ones. Node 20: ES modules through an off-thread loader, CommonJS through
  // _compile. The loader's thread costs ~70 ms of CPU to start, so a CommonJS program gets it only
  // when something may load an ES module: see esmAtStart and ESM_HINT, and docs/v8.md.
  const where: HooksThread = typeof mod.registerHooks === 'function' ? 'in-thread' : 'off-thread';
  setHooksThread(where);
  let esmHooks = !register;
  const registerEsmHooks = () => {
    if (esmHooks) return;
    esmHooks = true;
    register!(pathToFileURL(path.join(__dirname, 'esm-hooks.js')).href);
    // a synchronous way to the loader thread, for compiles of saves while the program is stopped
    // (./compile-hooks.ts); required now, while require() is still node's own (Node 20.19+)
    try {
      (globalThis as unknown as Record<symbol, unknown>)[RESOLVE_SYNC] = (require(path.join(__dirname, 'resolve-sync.mjs')) as { resolveSync: unknown }).resolveSync;
    } catch { /* before 20.19: the first compile imports it */ }
  };
  // Node 20: a loader registered after ours (`--import tsx`, a register() of ts-node/esm) compiles
  // .ts modules that ours then sees only as TypeScript: ours again, after it (so run before it), sees
  // its output (./esm-hooks-above.ts).
  let aboveCount = 0;
  const registerAbove = () => { register!(pathToFileURL(path.join(__dirname, 'esm-hooks-above.js')).href + `?${++aboveCount}`); };

  // require() of a JSON file (every node); an import of one goes through the load hook below (Node 22+)
  const extensions = (mod as unknown as { _extensions?: Record<string, (m: unknown, filename: string) => unknown> })._extensions;
  const json = extensions?.['.json'];
  if (extensions && typeof json === 'function') {
    extensions['.json'] = function (this: unknown, m: unknown, filename: string) {
      const out = json.call(this, m, filename);
      if (typeof filename === 'string') dataLoaded(filename);
      return out;
    };
  }
  if (where === 'in-thread') {
    const load = (url: string, context: object, next: NextLoad) => {
      const result = next(url, context);
      if (result.format === 'json') { const file = fileOf(url); if (file) dataLoaded(file); }
      keepChainBelow(url, next, context, result);
      return transformBelow(url, result);
    };
    const registerHooks = mod.registerHooks!.bind(mod);
    registerHooks({ load });
    // A loader that registers hooks of its own (tsx on Node 22+) runs before ours and compiles ES
    // modules that ours then never see as JavaScript: ours again, above it, sees its output.
    mod.registerHooks = function (hooks: Parameters<typeof registerHooks>[0]) {
      const handle = registerHooks(hooks);
      if (typeof (hooks as { load?: unknown })?.load === 'function' && !(hooks as Record<symbol, unknown>)[OWN_HOOKS]) {
        markLoaderHooksAbove();
        registerHooks({ load: (url: string, context: object, next: NextLoad) => {
          const result = next(url, context);
          // its chain, to compile saves of this file through at once, even while the program is stopped
          if (LOADER_URL.test(url)) keepLoaderChain(url, next, context);
          return transformAbove(url, result);
        } });
      }
      return handle;
    } as typeof mod.registerHooks;
  } else if (esmAtStart()) {
    registerEsmHooks();
  }
  if (where === 'off-thread' && register) {
    const userRegister = mod.register;
    mod.register = function (this: unknown, ...args: Parameters<typeof mod.register>) {
      // the program's own loader hooks go after ours, as when ours were registered first
      registerEsmHooks();
      const out = userRegister.apply(this, args);
      registerAbove();
      return out;
    } as typeof mod.register;
  }
  // `import { register } from 'node:module'` (a register script given to --import) sees these too
  mod.syncBuiltinESMExports();

  const proto = (mod as unknown as Proto).prototype;
  const compile = proto._compile;
  proto._compile = function (this: unknown, content: string, filename: string, format?: string, ...rest: unknown[]) {
    if (typeof content !== 'string' || loadingOwn || typeof filename !== 'string') return compile.call(this, content, filename, format, ...rest);
    if (where === 'in-thread') {
      // A TypeScript loader's require hook (tsx, ts-node, @swc-node/register) reads and compiles the
      // file itself, so the load hook never sees it: its output gets the transform here.
      if (LOADER_EXTENSIONS.test(filename) && !(format ?? '').includes('typescript') && isUserFile(filename)) {
        const out = transformCached(filename, content, format === 'module' ? 'module' : 'script', false);
        if (out !== null) { content = out; swapTextLoaded(filename, out); }
      }
    } else if (isUserFile(filename)) {
      // format 'module': require() of an ES module (20.19+), which runs this very text
      const out = transformCached(filename, content, format === 'module' ? 'module' : 'script', false);
      if (!esmHooks && (out === null || format === 'module' || USER_ESM_HINT.test(content))) registerEsmHooks();
      if (out !== null) { content = out; swapTextLoaded(filename, out); }
    } else if (!esmHooks && (format === 'module' || IMPORT_HINT.test(content))) {
      registerEsmHooks();
    }
    return compile.call(this, content, filename, format, ...rest);
  };
}
