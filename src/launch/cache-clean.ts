// Keep the cache of transformed module texts (inject/cache.ts) and V8's code cache of the program's
// modules (inject/compile-cache.ts) small: at most once a day, a while after a program started, remove
// packs and code cache folders not used for 30 days, left-over temporary files, folders of older
// formats, and the oldest packs or folders while either is over its size limit. Runs in the controller,
// in the background; a failure changes nothing but the cache's size.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { debug } from '../util/log';

// The cache module is loaded once a cleanup is scheduled, after the program is spawned, not when this
// module loads before the spawn (it loads node:crypto, ~8 ms), and not when the timer fires: a host
// that has torn its modules down by then, as jest does between test files, cannot load anything.
let cacheModule: typeof import('../inject/cache') | null = null;
const cache = () => (cacheModule ??= require('../inject/cache') as typeof import('../inject/cache'));

const log = debug('launch');

const DAY_MS = 24 * 3600 * 1000;
export const CLEAN_POLICY = {
  /** A pack neither read nor written for this long is removed. */
  unusedMs: 30 * DAY_MS,
  /** A temporary file this old was left by a process that died while writing it. */
  tmpMs: 3600 * 1000,
  /** Over this many bytes, the oldest packs go until the folder is under `targetBytes`. */
  maxBytes: 256 * 1024 * 1024,
  targetBytes: 128 * 1024 * 1024,
  /** How often to look. */
  everyMs: DAY_MS,
};

const STAMP = '.cleaned';

/** Clean one cache folder (a root from cacheRoots). `force` ignores the once-a-day stamp. Returns the files removed. */
export async function cleanCacheRoot(root: string, now = Date.now(), force = false, policy = CLEAN_POLICY): Promise<string[]> {
  const removed: string[] = [];
  const { FORMAT } = cache();
  const dir = path.join(root, FORMAT);
  const stamp = path.join(dir, STAMP);
  if (!force) {
    const last = await fs.promises.stat(stamp).then((s) => s.mtimeMs, () => 0);
    if (now - last < policy.everyMs) return removed;
  }
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => {});
  await fs.promises.writeFile(stamp, '').catch(() => {});
  // folders of older formats of the pack (a newer one belongs to a newer edit-continue)
  const ours = Number(FORMAT.split('-')[1]);
  for (const name of await fs.promises.readdir(root).catch(() => [] as string[])) {
    const m = /^texts-(\d+)$/.exec(name);
    if (m && Number(m[1]) < ours) {
      await fs.promises.rm(path.join(root, name), { recursive: true, force: true }).catch(() => {});
      removed.push(path.join(root, name));
    }
  }
  const packs: { file: string; used: number; size: number }[] = [];
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const st = await fs.promises.stat(file).catch(() => null);
    if (!st || !st.isFile()) continue;
    const used = Math.max(st.mtimeMs, st.atimeMs);
    const old = name.endsWith('.tmp') ? now - st.mtimeMs > policy.tmpMs : name.endsWith('.pack') ? now - used > policy.unusedMs : false;
    if (old) {
      if (await fs.promises.unlink(file).then(() => true, () => false)) removed.push(file);
    } else if (name.endsWith('.pack')) {
      packs.push({ file, used, size: st.size });
    }
  }
  removed.push(...await evictOldest(packs, policy, (file) => fs.promises.unlink(file)));
  removed.push(...await cleanCodeCache(root, now, policy));
  return removed;
}

/**
 * While `items` weigh more than `maxBytes`, the least recently used go (`remove`) until they weigh
 * `targetBytes` at most; an item that could not be removed counts as gone (no more is removed for
 * it). The files or folders removed.
 */
async function evictOldest(items: { file: string; used: number; size: number }[], policy: typeof CLEAN_POLICY, remove: (file: string) => Promise<unknown>): Promise<string[]> {
  const removed: string[] = [];
  let total = items.reduce((n, i) => n + i.size, 0);
  if (total <= policy.maxBytes) return removed;
  for (const item of [...items].sort((a, b) => a.used - b.used)) {
    if (total <= policy.targetBytes) break;
    if (await remove(item.file).then(() => true, () => false)) removed.push(item.file);
    total -= item.size;
  }
  return removed;
}

/**
 * V8's code cache of the program's modules (inject/compile-cache.ts): node writes it in a folder per
 * node version (and V8 flags) under each kind of text, and never removes anything. A version folder
 * not used for `unusedMs` goes (an older node's, mostly), and while the code cache is over `maxBytes`
 * the least recently used folders go. A folder removed is only a slower next start.
 */
async function cleanCodeCache(root: string, now: number, policy: typeof CLEAN_POLICY): Promise<string[]> {
  const removed: string[] = [];
  const top = path.join(root, cache().CODE_CACHE_FOLDER);
  const folders: { file: string; used: number; size: number }[] = [];
  for (const kind of await fs.promises.readdir(top).catch(() => [] as string[])) {
    for (const name of await fs.promises.readdir(path.join(top, kind)).catch(() => [] as string[])) {
      const dir = path.join(top, kind, name);
      const st = await fs.promises.stat(dir).catch(() => null);
      if (!st || !st.isDirectory()) continue;
      let used = Math.max(st.mtimeMs, st.atimeMs);
      let size = 0;
      for (const entry of await fs.promises.readdir(dir).catch(() => [] as string[])) {
        const f = await fs.promises.stat(path.join(dir, entry)).catch(() => null);
        if (!f || !f.isFile()) continue;
        size += f.size;
        used = Math.max(used, f.mtimeMs, f.atimeMs);
      }
      folders.push({ file: dir, used, size });
    }
  }
  const rm = (dir: string) => fs.promises.rm(dir, { recursive: true, force: true });
  const kept: typeof folders = [];
  for (const f of folders) {
    if (now - f.used > policy.unusedMs && await rm(f.file).then(() => true, () => false)) removed.push(f.file);
    else kept.push(f);
  }
  removed.push(...await evictOldest(kept, policy, rm));
  return removed;
}

/** Clean the cache folders the program would use, `delayMs` from now, without keeping us alive. */
export function scheduleCacheCleanup(env: NodeJS.ProcessEnv, delayMs = 10000): void {
  const { cacheRoots, trustedFolder, FORMAT, CODE_CACHE_FOLDER } = cache();
  const timer = setTimeout(() => {
    void (async () => {
      for (const root of cacheRoots(env)) {
        const used = fs.existsSync(path.join(root.dir, FORMAT)) || fs.existsSync(path.join(root.dir, CODE_CACHE_FOLDER));
        if (!used || !trustedFolder(root.dir, root.mustOwn)) continue;
        const removed = await cleanCacheRoot(root.dir).catch(() => []);
        if (removed.length) log('cache: removed', removed.length, 'file(s) from', root.dir);
      }
    })();
  }, delayMs);
  timer.unref();
}
