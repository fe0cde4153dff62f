// Watching loaded files through their folders: one OS watch (inotify on Linux) per folder that holds
// a loaded file, not one per file. A folder's watch sees every way an editor saves, because each
// names the entry it touched: a write in place ('change'), a temporary file renamed over ours, vim's
// rename to a backup and a fresh write, a delete and a later re-create ('rename'). The file's inode
// can change as often as it likes: nothing here watches an inode.
//
// Each event for a watched name is looked at with one stat: there, a change; gone, a removal. Events
// for other names (siblings the program never loaded, temporary files) are dropped. A folder that is
// moved or deleted loses its watch (the OS watches the folder's inode, and names the folder itself in
// that event): the watch is set up afresh on the path, its files looked at, and a folder that is not
// there is looked for until it is back.
import * as fs from 'node:fs';
import { WatchTable } from './watch-table';
import { debug } from '../util/log';

const log = debug('watch');

export interface DirWatchOptions {
  onChange(file: string): void;
  onRemove(file: string): void;
  /** The file's folder is watched again after it went away: the file may have changed unseen. */
  onRewatch(file: string): void;
  onError(err: Error): void;
  /** How often a folder that went away is looked for (ms). */
  retryMs?: number;
}

export interface DirWatch {
  /** Watch this file (idempotent): through its folder's watch, set up now if it has none. */
  add(file: string): void;
  has(file: string): boolean;
  /** Folders with a watch in place. */
  readonly folders: number;
  close(): void;
}

const GONE = new Set(['ENOENT', 'ENOTDIR']);

export function createDirWatch(opts: DirWatchOptions): DirWatch {
  const table = new WatchTable();
  const watches = new Map<string, fs.FSWatcher>();
  /** Folders whose watch was lost, looked for every retryMs. */
  const lost = new Set<string>();
  let retryTimer: NodeJS.Timeout | null = null;
  /** Files being looked at → whether another event came meanwhile (look again when done). */
  const looking = new Map<string, boolean>();
  let closed = false;

  const look = (file: string) => {
    if (looking.has(file)) { looking.set(file, true); return; }
    looking.set(file, false);
    fs.stat(file, (err) => {
      const again = looking.get(file);
      looking.delete(file);
      if (closed) return;
      const gone = err && GONE.has((err as NodeJS.ErrnoException).code ?? '');
      log(gone ? 'remove' : 'change', file);
      if (gone) opts.onRemove(file);
      else opts.onChange(file);
      if (again) look(file);
    });
  };

  const unwatch = (dir: string) => {
    const w = watches.get(dir);
    if (!w) return;
    watches.delete(dir);
    w.close();
  };

  /** Watch a folder. False when it is not there (to be looked for again). */
  const watchDir = (dir: string): boolean => {
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, { persistent: true }, (_event, name) => event(dir, name === null ? null : String(name)));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (GONE.has(e.code ?? '')) return false;
      opts.onError(new Error(e.code === 'ENOSPC' || e.code === 'EMFILE'
        ? `cannot watch ${dir}: the system's limit of file watches is reached (raise fs.inotify.max_user_watches, or run with --poll)`
        : `cannot watch ${dir}: ${e.message}`));
      return true; // not retried: it would fail the same way
    }
    watcher.on('error', (err) => { log('folder watch failed', dir, err.message); if (watches.get(dir) === watcher) refresh(dir); });
    watches.set(dir, watcher);
    log('watching folder', dir);
    return true;
  };

  /**
   * The folder may have moved or gone (its watch then follows the old inode, or is dead): watch the
   * path afresh. Not by comparing inodes: a folder deleted and made again at once often gets the
   * same inode number back (seen on ext4), under a dead watch.
   */
  const refresh = (dir: string) => {
    if (closed || !watches.has(dir)) return;
    unwatch(dir);
    if (watchDir(dir)) return rewatched(dir);
    log('folder gone', dir);
    for (const f of table.filesIn(dir)) look(f);
    lost.add(dir);
    retryTimer ??= setInterval(retry, opts.retryMs ?? 500).unref();
  };

  const rewatched = (dir: string) => {
    log('folder watched again', dir);
    for (const f of table.filesIn(dir)) opts.onRewatch(f);
  };

  const retry = () => {
    for (const dir of lost) {
      if (!watchDir(dir)) continue;
      lost.delete(dir);
      rewatched(dir);
    }
    if (lost.size === 0 && retryTimer) { clearInterval(retryTimer); retryTimer = null; }
  };

  const event = (dir: string, name: string | null) => {
    if (closed) return;
    for (const f of table.concerned(dir, name)) look(f);
    if (table.maybeAboutFolder(dir, name)) refresh(dir);
  };

  return {
    add(file) {
      if (closed) return;
      const { newDir, dir } = table.add(file);
      if (!newDir || watchDir(dir)) return;
      // the folder went away between the load and now: looked for until it is back
      lost.add(dir);
      retryTimer ??= setInterval(retry, opts.retryMs ?? 500).unref();
    },
    has: (file) => table.has(file),
    get folders() { return watches.size; },
    close() {
      closed = true;
      if (retryTimer) clearInterval(retryTimer);
      retryTimer = null;
      for (const dir of [...watches.keys()]) unwatch(dir);
      lost.clear();
    },
  };
}
