// Where edit-continue's caches may live, and whether a folder there is safe to take code from. Pure but
// for the ownership check, and free of node:crypto: the preload reads it before any module of the
// program loads (./compile-cache.ts), where ./cache.ts, which hashes, would cost its load.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE_ENV = 'EDIT_CONTINUE_CACHE';
export const CACHE_DIR_ENV = 'EDIT_CONTINUE_CACHE_DIR';
/** The folder of V8's code cache of the program's modules in a cache root (./compile-cache.ts). */
export const CODE_CACHE_FOLDER = 'v8';

export function cacheDisabled(env: NodeJS.ProcessEnv): boolean {
  const v = (env[CACHE_ENV] ?? '').trim().toLowerCase();
  return v === '0' || v === 'off' || v === 'false' || v === 'no';
}

export interface CacheRoot {
  dir: string;
  /** A shared folder (the temp dir): use it only if it is ours and not writable by others. */
  mustOwn: boolean;
}

/** The folders the cache may live in, best first (pure). */
export function cacheRoots(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home = os.homedir(), tmp = os.tmpdir()): CacheRoot[] {
  if (cacheDisabled(env)) return [];
  if (env[CACHE_DIR_ENV]) return [{ dir: path.resolve(env[CACHE_DIR_ENV]!), mustOwn: false }];
  const roots: CacheRoot[] = [];
  let user: string | null = null;
  if (platform === 'win32') user = env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'edit-continue', 'cache') : null;
  else if (platform === 'darwin') user = home ? path.join(home, 'Library', 'Caches', 'edit-continue') : null;
  else if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) user = path.join(env.XDG_CACHE_HOME, 'edit-continue');
  else user = home ? path.join(home, '.cache', 'edit-continue') : null;
  if (user) roots.push({ dir: user, mustOwn: false });
  const uid = typeof process.getuid === 'function' ? String(process.getuid()) : (env.USERNAME ?? 'user');
  roots.push({ dir: path.join(tmp, `edit-continue-${uid}`), mustOwn: true });
  return roots;
}

/** Is this existing folder safe to take code from? */
export function trustedFolder(dir: string, mustOwn: boolean): boolean {
  if (!mustOwn || typeof process.getuid !== 'function') return true;
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}
