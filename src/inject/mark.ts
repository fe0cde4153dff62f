// The mark a transformed text ends with (./boundary.ts), on its own so that the load hooks can ask
// "already done?" without loading acorn; and the swap engine's module id, which the hooks and the
// transform share (here, not in a module of its own: see swapModuleId).
/** Appended on a line of its own, so that a running text says it carries boundaries. */
export const BOUNDARY_MARK = '\n/*edit-continue:boundaries*/';
/** The mark of a text with the swap engine's indirection as well (./boundary.ts, docs/swap.md). */
export const SWAP_MARK = '\n/*edit-continue:swap*/';
/**
 * The global function a swap text's prologue calls to define its slots and plant its eval
 * (./swap-runtime.ts defines it as the hooks install; without it the prologue does nothing).
 */
export const SWAP_PROLOGUE_HELPER = '__ec$s';
/**
 * The name of the runtime's picker (./swap-runtime.ts superHomes), the frame between a swapped-in
 * method with `super` and its dispatch: the debugger side knows that frame by it.
 */
export const SWAP_PICKER_NAME = '__ec$pick';
/**
 * The method of a module's scope object that imports for the module (`import(s)` in the module's own
 * code, with its place for resolving): swapped-in code is compiled apart from the module, where
 * `import()` has nothing to resolve from. Planted only in files that call import() as they load.
 */
export const MODULE_IMPORTER = '__ec$import';
/**
 * `Symbol.for` keys the program carries for the debugger side. ENDING_MARK is set on an exception a
 * stop showed as ending the program (an uncaught stop), or that `skip` drops: the preload's last
 * chance (./preload.ts) does not stop for it again. SKIP_KEY marks `skip`'s listeners, and holds its
 * values on the global (session/skip.ts).
 */
export const ENDING_MARK = 'edit-continue.ending';
export const SKIP_KEY = 'edit-continue.skip';

/**
 * The name of an empty script the load hooks run when the program loads a JSON module of its own,
 * followed by `MTIME:SIZE:PATH` of the file as node read it: the controller learns from it
 * (Debugger.scriptParsed) that a save of that file changes data node read once, and says so (EC106),
 * where it would say nothing.
 */
export const DATA_URL = 'edit-continue-data:';

/**
 * Does a module's text carry a source map (a loader's output, tsc's)? Node may read it through the
 * map: its traces and its quote of a line under an uncaught error are then the map's, not ours.
 */
export function hasSourceMap(text: string): boolean {
  return text.includes('sourceMappingURL=');
}

/**
 * The rest of a program's loader's chain (tsx, ts-node/esm) as our hooks above it saw it load each
 * of its modules, by URL, in the thread those hooks run in (./hooks.ts in-thread, ./esm-hooks-above.ts
 * on Node 20's loader thread): ./compile-hooks.ts compiles a save through it synchronously, with no
 * import of its own, which a program stopped before its first such compile (on Node 20 and 22) never
 * finishes.
 */
const LOADER_CHAINS = Symbol.for('edit-continue.loader-chains');

export interface LoaderChain<Next> { next: Next; context: object }

/** Keep the chain a module's load went through (the last one of each URL). */
export function keepLoaderChain<Next>(url: string, next: Next, context: object): void {
  const g = globalThis as unknown as Record<symbol, Map<string, LoaderChain<Next>> | undefined>;
  const kept = (g[LOADER_CHAINS] ??= new Map());
  kept.delete(url); // (the newest last: a file never loaded gets the chain of the last one that was)
  kept.set(url, { next, context });
}

/** The chains kept in this thread (empty: none). */
export function loaderChains<Next>(): ReadonlyMap<string, LoaderChain<Next>> {
  return (globalThis as unknown as Record<symbol, Map<string, LoaderChain<Next>> | undefined>)[LOADER_CHAINS] ?? new Map();
}

/**
 * import.meta.resolve of a module of ours (./resolve-sync.mts), required by our preload on Node 20
 * before a program's loader can take over require() (tsx compiles an .mjs required after it, and its
 * import.meta has no resolve): ./compile-hooks.ts asks the loader thread synchronously through it.
 */
export const RESOLVE_SYNC = Symbol.for('edit-continue.resolve-sync');

/**
 * The swap engine's id of a module file: the same in the program (the load hooks name a module's slots
 * and scope factory with it) and in the controller (which compiles for them). sha-1 of the path, in
 * one call where node has one (20.12+). It lives here, in a module the program loads anyway, because
 * one module more for the program to load (a require() more at its start) made node 20's throw-heavy
 * bench workload ~15 % slower: node's loader functions then run as Sparkplug code, which every stack
 * trace of the program walks through (bench/ANALYSIS.md, session 34).
 */
export function swapModuleId(file: string): string {
  return 'm' + (sha1 ??= sha1Hex())(file).slice(0, 10);
}

let sha1: ((text: string) => string) | undefined;

/** sha-1 as hex, with node:crypto taken at the first module id (a program under LiveEdit needs none). */
function sha1Hex(): (text: string) => string {
  const crypto = ((process as { getBuiltinModule?(id: string): unknown }).getBuiltinModule?.('node:crypto') ?? require('node:crypto')) as typeof import('node:crypto');
  return typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha1', text, 'hex')
    : (text) => crypto.createHash('sha1').update(text).digest('hex');
}
