// The watcher only says "this file changed" or "this file is gone". Editors that save by writing a
// temporary file and renaming it over the original (vim, VS Code, JetBrains' safe write) replace the
// file's inode; chokidar's atomic-write handling turns that into a change and keeps watching.
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
  /** Polling instead of inotify (network drives, some containers). */
  usePolling?: boolean;
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
  watcher.on('raw', (event, p) => rawLog(event, p));

  const whenReady = () => new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  readyPromise = whenReady();

  return {
    addFiles(files) {
      const fresh = files.filter((f) => !watched.has(f));
      if (fresh.length === 0) return;
      for (const f of fresh) watched.add(f);
      watcher.add(fresh);
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
    close: () => watcher.close(),
  };
}
