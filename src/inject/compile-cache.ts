// Runs in the user's program (the preload calls it before the program's first module loads): V8's code
// cache for the program's modules, through node's compile cache (`module.enableCompileCache`, node
// 22.1+; node 20 has none). A module whose text has not changed since the last start is then not
// parsed again: V8 takes its compiled top level from the cache. Under the inspector that is most of
// what loading many modules costs beyond node's own work (bench/ANALYSIS.md, "V8's code cache for the
// program"); plain node has the same cache when asked (NODE_COMPILE_CACHE), and does not by default.
//
// - The user's choice wins: with NODE_COMPILE_CACHE or NODE_DISABLE_COMPILE_CACHE set, node has applied
//   it at its start and nothing here runs. EDIT_CONTINUE_CACHE=0 turns this cache off with ours.
// - Where: a `v8` folder in edit-continue's cache folder (./cache-roots.ts), with the same trust rule as
//   the cache of transformed texts (a code cache is code), and one sub-folder per kind of text the
//   program's files load as (its retry boundaries, the swap engine's text, or as written): node keeps
//   one entry per file and takes it only for the same text, so a start under the other engine would
//   replace every entry. node adds a sub-folder per node version.
// - What it caches is compiled from the text as it loaded, before it ran: a function a save replaced
//   (either engine) never reaches the cache, and an entry is used only for the very same text (node
//   checks the text's hash and size, V8 its own).
// - When: node writes what it compiled when the program exits normally. A server ended by a signal
//   (Ctrl+C at a prompt's `quit`, a kill) never gets there, so the cache is also written once, a while
//   after the start (an unref'd timer: it keeps nothing alive, and runs only when the program is idle).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_CACHE_FOLDER, cacheRoots, trustedFolder, type CacheRoot } from './cache-roots';

/** How long after the start the cache is written once (see above). */
const FLUSH_MS = 2000;

/** What the program's own files load as (./hooks.ts reads the same variables). */
export type TextKind = 'swap' | 'boundaries' | 'plain';

export function textKind(env: NodeJS.ProcessEnv): TextKind {
  if (env.EDIT_CONTINUE_BOUNDARIES !== '1') return 'plain';
  return env.EDIT_CONTINUE_ENGINE === 'swap' ? 'swap' : 'boundaries';
}

/** Did the user choose node's compile cache themselves (on or off)? Node applied that at its start. */
export function userChoseCompileCache(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_COMPILE_CACHE !== undefined || env.NODE_DISABLE_COMPILE_CACHE !== undefined;
}

/** The folder for this kind of text in the first usable root, made if needed; null when none is usable. */
export function codeCacheFolder(roots: CacheRoot[], kind: TextKind): string | null {
  for (const root of roots) {
    const top = path.join(root.dir, CODE_CACHE_FOLDER);
    const dir = path.join(top, kind);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!trustedFolder(root.dir, root.mustOwn) || !trustedFolder(top, root.mustOwn) || !trustedFolder(dir, root.mustOwn)) continue;
      fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK);
      return dir;
    } catch { /* next */ }
  }
  return null;
}

/** What this file uses of node's `module`. */
export interface NodeModuleCache {
  enableCompileCache?(dir: string): { status: number; directory?: string };
  getCompileCacheDir?(): string | undefined;
  flushCompileCache?(): void;
  constants?: { compileCacheStatus?: { ENABLED?: number } };
}

/** Turn the code cache on for this thread's modules; the folder it uses, or null (not on: see above). */
export function enableCodeCache(mod: NodeModuleCache, env: NodeJS.ProcessEnv = process.env): string | null {
  if (userChoseCompileCache(env)) return null;
  if (typeof mod.enableCompileCache !== 'function' || mod.getCompileCacheDir?.()) return null;
  const dir = codeCacheFolder(cacheRoots(env), textKind(env));
  if (!dir) return null;
  try {
    const result = mod.enableCompileCache(dir);
    if (result.status !== (mod.constants?.compileCacheStatus?.ENABLED ?? 1)) return null;
  } catch {
    return null;
  }
  if (typeof mod.flushCompileCache === 'function') {
    const flush = mod.flushCompileCache.bind(mod);
    setTimeout(() => { try { flush(); } catch { /* the cache is only a cache */ } }, FLUSH_MS).unref();
  }
  return dir;
}
