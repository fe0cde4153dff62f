// Runs in the user's program, and only when a save of an ES module that a TypeScript loader compiled
// through its module hooks (tsx in a "type": "module" project, `ts-node/esm`, a register() of
// @swc-node's esm hooks) must be compiled the way the loader compiled it at start
// (src/loaders/transform.ts loads this file into the program by require and calls compileModule).
//
// It registers module hooks of its own at run time, so they are the last registered and run first in
// the chain, then imports `file?ec-compile=N`. Our resolve hook resolves the file without the query
// through the rest of the chain; our load hook loads it through the rest of the chain (the program's
// loader reads the file as saved and compiles it, with the options it used at start) and keeps the
// compiled text instead of running it. Nothing of the user's module runs.
//
// - Node 22+ (`module.registerHooks`): the hooks run in the program's thread; the load hook puts the
//   text aside and answers an empty module, which stays in the ES module cache (~3 KB). Node 24+ runs
//   the hooks within the import() call itself, so the text is there at once, even while the program
//   is paused; Node 22 runs the load hook a tick later (awaited, which needs the program running).
//   So only the first compile imports: the chain it went through is kept and called again directly
//   for the next ones, at once and with nothing left behind (the controller asks for a first compile
//   as soon as such a module loads, while the program runs: src/loaders/transform.ts
//   warmModuleLoader; a file not compiled before gets the context of the last one that was: same
//   loader, same package). Better still, our load-time hooks keep the chain each of the program's
//   .ts modules loaded through (./mark.ts keepLoaderChain): with it, not even the first compile
//   imports, and a program stopped at its start, before any compile, compiles a save at once.
// - Node 20 (`module.register`): the hooks run on the loader thread, which hands back a tiny module
//   whose default export is the text; it stays in the ES module cache. Awaited: the program must be
//   running. The loader thread keeps the chain that compile went through, and later compiles ask it
//   synchronously (a resolve, import.meta.resolve in ./resolve-sync.mts, whose answer is the text):
//   so while stopped too, and without a module left behind. The load chains our hooks there kept
//   serve the first compile the same way (./esm-hooks-above.ts; import.meta.resolve from the
//   preload's require of ./resolve-sync.mjs: ./hooks.ts).
import * as mod from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RESOLVE_SYNC, loaderChains, type LoaderChain } from './mark';

const QUERY = '?ec-compile=';
/** Compiled texts put aside by the in-thread load hook, by the URL asked for. */
const STASH = Symbol.for('edit-continue.compiled');
/** Set while the rest of the chain compiles a save: our load-time transform (./hooks.ts) leaves it. */
const COMPILING = Symbol.for('edit-continue.compiling');

/**
 * Run `run` with `url` marked as being compiled for a save, for our load-time transform to leave
 * (./hooks.ts); only that URL, so that a module the program loads meanwhile gets its transform.
 */
function compiling<T>(url: string, run: () => T): T {
  const g = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
  const urls = (g[COMPILING] ??= new Map());
  urls.set(url, (urls.get(url) ?? 0) + 1);
  const done = () => { const n = (urls.get(url) ?? 1) - 1; if (n > 0) urls.set(url, n); else urls.delete(url); };
  let sync = true;
  try {
    const out = run();
    if (out instanceof Promise) {
      sync = false;
      return out.finally(done) as T;
    }
    return out;
  } finally {
    if (sync) done();
  }
}

type Stash = Map<string, string>;
function stash(): Stash {
  const g = globalThis as unknown as Record<symbol, Stash | undefined>;
  return (g[STASH] ??= new Map());
}

function split(url: string): { clean: string; query: string } | null {
  const i = url.lastIndexOf(QUERY);
  return i < 0 ? null : { clean: url.slice(0, i), query: url.slice(i) };
}

function textOf(source: unknown): string {
  if (typeof source === 'string') return source;
  if (source === null || source === undefined) return '';
  return Buffer.from(source as Uint8Array).toString('utf8');
}

interface Resolved { url: string; format?: string | null; [k: string]: unknown }
interface Loaded { format?: string | null; source?: unknown; [k: string]: unknown }

// In-thread hooks (module.registerHooks, Node 22+): synchronous.
function resolveSync(specifier: string, context: object, next: (s: string, c?: object) => Resolved): Resolved {
  const s = split(specifier);
  if (!s) return next(specifier, context);
  const r = next(s.clean, context);
  return { ...r, url: r.url + s.query, shortCircuit: true };
}

type NextLoadSync = (u: string, c?: object) => Loaded;

/**
 * The rest of the chain as a load of each file reached it, kept to be called again (Node 22, whose
 * import() runs the load hooks only at a later tick, which a stopped program never reaches): the
 * chain's steps are plain functions of (url, context), built for each load and free to call later.
 */
const chains = new Map<string, { next: NextLoadSync; context: object }>();

/**
 * The chain a file's compile went through, else the one its load went through (our hooks above the
 * program's loader keep those: ./mark.ts keepLoaderChain), else the last one any file's compile or
 * load went through (null: none yet).
 */
function chainFor<N>(kept: Map<string, LoaderChain<N>>, url: string): LoaderChain<N> | null {
  const loaded = loaderChains<N>();
  return kept.get(url) ?? loaded.get(url) ?? [...kept.values()].pop() ?? [...loaded.values()].pop() ?? null;
}

function loadSync(url: string, context: object, next: NextLoadSync): Loaded {
  const s = split(url);
  if (!s) return next(url, context);
  chains.set(s.clean, { next, context });
  const r = compiling(s.clean, () => next(s.clean, context));
  stash().set(url, textOf(r.source));
  // an empty module instead: a throw here has been seen to escape as an uncaught exception (node 26)
  return { format: 'module', source: '', shortCircuit: true };
}

// Off-thread hooks (module.register, Node 20): the loader thread imports this file and calls these.
type NextLoadAsync = (u: string, c?: object) => Promise<Loaded>;
/** As `chains`, on the loader thread: asked by a synchronous resolve (import.meta.resolve) of SYNC + url. */
const offChains = new Map<string, { next: NextLoadAsync; context: object }>();
const SYNC = 'ec-compile-sync:';
const ANSWER = 'ec-compiled:';

export async function resolve(specifier: string, context: object, next: (s: string, c?: object) => Promise<Resolved>): Promise<Resolved> {
  if (specifier.startsWith(SYNC)) {
    // the answer travels as the resolved URL: import.meta.resolve is the one synchronous way in
    const clean = specifier.slice(SYNC.length);
    const chain = chainFor(offChains, clean);
    if (!chain) return { url: `${ANSWER}none`, shortCircuit: true };
    try {
      const r = await compiling(clean, () => chain.next(clean, chain.context));
      return { url: `${ANSWER}ok,${encodeURIComponent(textOf(r.source))}`, shortCircuit: true };
    } catch (err) {
      return { url: `${ANSWER}error,${encodeURIComponent(messageOf(err))}`, shortCircuit: true };
    }
  }
  const s = split(specifier);
  if (!s) return next(specifier, context);
  const r = await next(s.clean, context);
  return { ...r, url: r.url + s.query, shortCircuit: true };
}

export async function load(url: string, context: object, next: NextLoadAsync): Promise<Loaded> {
  const s = split(url);
  if (!s) return next(url, context);
  offChains.set(s.clean, { next, context });
  const r = await compiling(s.clean, () => next(s.clean, context));
  return { format: 'module', source: `export default ${JSON.stringify(textOf(r.source))};`, shortCircuit: true };
}

let registered: 'in-thread' | 'off-thread' | null = null;
let count = 0;
/** import.meta.resolve, from ./resolve-sync.mjs (loaded at the first off-thread compile). */
let metaResolve: ((specifier: string) => string) | null = null;

/** Node 20: the loader thread's answer for a file it compiled before, synchronously (null: none kept). */
function compileOffThreadNow(clean: string): Compiled | null {
  if (!metaResolve) return null;
  let answer: string;
  try {
    answer = metaResolve(SYNC + clean);
  } catch {
    return null;
  }
  if (answer.startsWith(`${ANSWER}ok,`)) return { ok: true, text: decodeURIComponent(answer.slice(ANSWER.length + 3)) };
  if (answer.startsWith(`${ANSWER}error,`)) return { ok: false, message: decodeURIComponent(answer.slice(ANSWER.length + 6)) };
  return null;
}

function register(): void {
  if (registered) return;
  const m = mod as typeof mod & { registerHooks?: (hooks: object) => unknown };
  // where our load-time hooks run (./hooks.ts): Node 22 cannot have in-thread hooks beside a loader's
  // off-thread ones
  const ours = (globalThis as unknown as Record<symbol, string | undefined>)[Symbol.for('edit-continue.hooks-thread')];
  if (typeof m.registerHooks === 'function' && ours !== 'off-thread') {
    // marked as ours: ./hooks.ts puts its transform above a program's loader's hooks, not above these
    m.registerHooks({ resolve: resolveSync, load: loadSync, [Symbol.for('edit-continue.own-hooks')]: true });
    registered = 'in-thread';
  } else {
    m.register(pathToFileURL(__filename).href);
    registered = 'off-thread';
  }
}

export type Compiled = { ok: true; text: string } | { ok: false; message: string };

/** A loader's error as text: errors from the loader thread may come as objects without a prototype. */
export function messageOf(err: unknown): string {
  try {
    const m = (err as { message?: unknown } | null)?.message;
    if (typeof m === 'string') return m;
    if (typeof err === 'string') return err;
    // the loader thread hands some errors back as an object that only util.inspect can read
    if (err !== null && typeof err === 'object' && Object.getPrototypeOf(err) === null) {
      return (require('node:util') as typeof import('node:util')).inspect(err).replace(/\x1b\[[0-9;]*m/g, '');
    }
    return String(err);
  } catch {
    try { return JSON.stringify(err) ?? 'the loader failed'; } catch { return 'the loader failed'; }
  }
}

function failed(err: unknown): Compiled {
  return { ok: false, message: messageOf(err) };
}

/**
 * The program's loader's output for `file` as it is on disk now: at once when the hooks ran within
 * the import (Node 24+), else a promise (Node 20, 22) that settles only while the program runs.
 */
export function compileModule(file: string): Compiled | Promise<Compiled> {
  try {
    register();
  } catch (err) {
    return failed(err);
  }
  const clean = pathToFileURL(file).href;
  const chain = chainFor(chains, clean);
  if (registered === 'in-thread' && chain) {
    // the chain an earlier compile went through, called again at once (Node 22 would otherwise
    // need a tick that a stopped program never reaches; on any line, no module is left behind)
    try {
      const r = compiling(clean, () => chain.next(clean, chain.context));
      return { ok: true, text: textOf(r.source) };
    } catch (err) {
      return failed(err);
    }
  }
  if (registered === 'off-thread') {
    // import.meta.resolve at once, as our preload required it (Node 20.19+): an import needs ticks,
    // which a stopped program never reaches; else it is imported with the first compile, below
    const early = (globalThis as unknown as Record<symbol, unknown>)[RESOLVE_SYNC];
    if (!metaResolve && typeof early === 'function') metaResolve = early as (specifier: string) => string;
    const now = compileOffThreadNow(clean);
    if (now) return now;
  }
  const url = clean + QUERY + ++count;
  const kept = stash();
  const take = (): Compiled | null => {
    const text = kept.get(url);
    if (text === undefined) return null;
    kept.delete(url);
    return { ok: true, text };
  };
  let pending: Promise<unknown>;
  try {
    pending = import(url);
  } catch (err) {
    return take() ?? failed(err);
  }
  const now = take();
  if (now) {
    pending.catch(() => {});
    return now;
  }
  if (registered === 'off-thread' && !metaResolve) {
    const helper = pathToFileURL(path.join(__dirname, 'resolve-sync.mjs')).href;
    pending = Promise.all([pending, import(helper).then((h: { resolveSync: (s: string) => string }) => { metaResolve = h.resolveSync; }, () => {})]).then(([m]) => m);
  }
  // never a rejection: nobody may be waiting for it yet, and an unhandled one ends the program
  return pending.then(
    (m) => (registered === 'off-thread' && typeof (m as { default?: unknown }).default === 'string'
      ? { ok: true, text: (m as { default: string }).default }
      : take() ?? { ok: false, message: 'the loader gave no JavaScript' }) as Compiled,
    (err) => take() ?? failed(err),
  ).catch((err) => failed(err));
}
