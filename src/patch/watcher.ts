// The watcher only says "this file changed" or "this file is gone". Editors that save by writing a
// temporary file and renaming it over the original (vim, VS Code, JetBrains' safe write) replace the
// file's inode; chokidar's atomic-write handling turns that into a change and keeps watching.
//
// Except when the rename comes within 5 ms of another event for the file (a format-on-save, a tool
// that writes twice): chokidar throttles that event away, so it never sees the new inode and keeps
// watching the old, unlinked one, and every later save goes unseen. So when the raw events say a
// watched file's inode went away (a 'rename'), we watch the path afresh once the saves have settled,
// and have the file looked at again.
import * as path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import { realFile } from '../session/registry';
import { debug } from '../util/log';

const log = debug('watch');

export interface WatcherOptions {
  onChange(file: string): void;
  onRemove(file: string): void;
  onError(err: Error): void;
  /** The file was replaced without an event we saw, and is watched afresh: it may have changed. */
  onRewatch?(file: string): void;
  /** Polling instead of inotify (network drives, some containers). */
  usePolling?: boolean;
  /** How long after a file's inode was replaced it is watched afresh, once saves have settled (ms). */
  settleMs?: number;
}

export interface FileWatcher {
  /** Watch these files (idempotent). */
  addFiles(files: string[]): void;
  /** Watch a path, a directory or a glob the user named with --watch. */
  addPattern(pattern: string, cwd: string): void;
  /** Does a --watch pattern cover this file? */
  coveredByPattern(file: string): boolean;
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createWatcher(opts: WatcherOptions): FileWatcher {
  const watched = new Set<string>();
  const matchers: ((file: string) => boolean)[] = [];
  let readyPromise: Promise<void> = Promise.resolve();
  let closed = false;
  const settleMs = opts.settleMs ?? 100;
  /** Watched files whose inode was replaced or moved (a raw 'rename'), waiting for things to settle. */
  const replaced = new Map<string, NodeJS.Timeout>();
  /** Files waiting to be handed to chokidar: one add per batch, not one per loaded script. */
  let pending: string[] = [];
  const watcher: FSWatcher = chokidar.watch([], {
    ignoreInitial: true,
    persistent: true,
    atomic: true,
    usePolling: opts.usePolling ?? false,
    ignored: (p: string, stats?: { isFile(): boolean }) => {
      if (!stats?.isFile()) return false;
      const abs = path.resolve(p);
      return !watched.has(abs) && !matchers.some((m) => m(abs));
    },
  });
  /**
   * The file's inode was replaced (or the file moved away and back): whatever chokidar made of it,
   * once the saves have settled watch the path afresh, and have the file looked at again. (Inode
   * numbers cannot tell: a burst of renames hands the same few numbers round.)
   */
  const rewatch = (file: string) => {
    replaced.delete(file);
    if (closed || !watched.has(file)) return;
    log('replaced: watching it afresh', file);
    watcher.unwatch(file);
    watcher.add(file);
    (opts.onRewatch ?? opts.onChange)(file);
  };
  const sawRename = (file: string) => {
    if (closed || !watched.has(file)) return;
    const t = replaced.get(file);
    if (t) clearTimeout(t);
    replaced.set(file, setTimeout(() => rewatch(file), settleMs));
  };
  const wrap = (kind: 'change' | 'remove') => (p: string) => {
    const file = realFile(p);
    log(kind, file);
    if (kind === 'change') opts.onChange(file);
    else opts.onRemove(file);
  };
  watcher.on('change', wrap('change'));
  watcher.on('add', wrap('change'));
  watcher.on('unlink', wrap('remove'));
  watcher.on('error', (err) => opts.onError(err as Error));
  const rawLog = debug('watch-raw');
  watcher.on('raw', (event, p, details) => {
    rawLog(event, p);
    const at = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (event === 'rename' && at) sawRename(path.resolve(at));
  });
  const flush = () => {
    const batch = pending;
    pending = [];
    if (!closed) watcher.add(batch);
  };

  const whenReady = () => new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  readyPromise = whenReady();

  return {
    addFiles(files) {
      const fresh = files.filter((f) => !watched.has(f));
      if (fresh.length === 0) return;
      for (const f of fresh) watched.add(f);
      if (pending.length === 0) setImmediate(flush);
      pending.push(...fresh);
    },
    addPattern(pattern, cwd) {
      const abs = path.resolve(cwd, pattern);
      const scan = picomatch.scan(abs);
      if (scan.isGlob) {
        const isMatch = picomatch(abs, { dot: true });
        matchers.push((f) => isMatch(f));
        watcher.add(scan.base || '/');
      } else {
        const prefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
        matchers.push((f) => f === abs || f.startsWith(prefix));
        watcher.add(abs);
      }
    },
    coveredByPattern(file) {
      return matchers.some((m) => m(file));
    },
    ready: () => readyPromise,
    close: () => {
      closed = true;
      for (const t of replaced.values()) clearTimeout(t);
      replaced.clear();
      return watcher.close();
    },
  };
}
