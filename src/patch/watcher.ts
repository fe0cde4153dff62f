// The watcher only says "this file changed" or "this file is gone".
//
// Loaded files are watched through their folders (./dir-watch.ts): one OS watch per folder that
// holds a loaded file, which sees every way editors save (in place, a temporary file renamed over
// the original, a backup rename and a fresh write, delete and re-create) and costs the same for
// 2,000 files in 20 folders as for 20 files (bench/ANALYSIS.md, "Watching folders, not files").
//
// chokidar is loaded only when it is needed: for the paths and globs the user names with --watch
// (a folder tree, files that are not loaded yet), and for every file with --poll (stat polling,
// where a folder's watch cannot help: network drives, some containers).
import * as path from 'node:path';
import type { FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import { createDirWatch, type DirWatch } from './dir-watch';
import { realFile } from '../session/registry';
import { debug } from '../util/log';

const log = debug('watch');

export interface WatcherOptions {
  onChange(file: string): void;
  onRemove(file: string): void;
  onError(err: Error): void;
  /** The file's folder is watched afresh after it went away: the file may have changed unseen. */
  onRewatch?(file: string): void;
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
  const polling = opts.usePolling ?? false;
  const matchers: ((file: string) => boolean)[] = [];
  let closed = false;
  const folders: DirWatch | null = polling ? null : createDirWatch({
    onChange: opts.onChange,
    onRemove: opts.onRemove,
    onRewatch: opts.onRewatch ?? opts.onChange,
    onError: opts.onError,
  });

  // ---- chokidar: --watch patterns, and every file with --poll ----
  /** Files chokidar polls (--poll). */
  const polled = new Set<string>();
  /** Files waiting to be handed to chokidar: one add per batch, not one per loaded script. */
  let pending: string[] = [];
  let chokidarWatcher: FSWatcher | null = null;
  let chokidarReady: Promise<void> = Promise.resolve();
  const chokidar = (): FSWatcher => {
    if (chokidarWatcher) return chokidarWatcher;
    const { watch } = require('chokidar') as typeof import('chokidar');
    const w = watch([], {
      ignoreInitial: true,
      persistent: true,
      atomic: true,
      usePolling: polling,
      ignored: (p: string, stats?: { isFile(): boolean }) => {
        if (!stats?.isFile()) return false;
        const abs = path.resolve(p);
        return !polled.has(abs) && !matchers.some((m) => m(abs));
      },
    });
    const wrap = (kind: 'change' | 'remove') => (p: string) => {
      const file = realFile(p);
      log(kind, file);
      if (kind === 'change') opts.onChange(file);
      else opts.onRemove(file);
    };
    w.on('change', wrap('change'));
    w.on('add', wrap('change'));
    w.on('unlink', wrap('remove'));
    w.on('error', (err) => opts.onError(err as Error));
    chokidarReady = new Promise<void>((resolve) => w.once('ready', () => resolve()));
    return (chokidarWatcher = w);
  };
  const flush = () => {
    const batch = pending;
    pending = [];
    if (!closed) chokidar().add(batch);
  };

  return {
    addFiles(files) {
      if (closed) return;
      if (folders) { for (const f of files) folders.add(f); return; }
      const fresh = files.filter((f) => !polled.has(f));
      if (fresh.length === 0) return;
      for (const f of fresh) polled.add(f);
      if (pending.length === 0) setImmediate(flush);
      pending.push(...fresh);
    },
    addPattern(pattern, cwd) {
      const abs = path.resolve(cwd, pattern);
      const scan = picomatch.scan(abs);
      if (scan.isGlob) {
        const isMatch = picomatch(abs, { dot: true });
        matchers.push((f) => isMatch(f));
        chokidar().add(scan.base || '/');
      } else {
        const prefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
        matchers.push((f) => f === abs || f.startsWith(prefix));
        chokidar().add(abs);
      }
    },
    coveredByPattern(file) {
      return matchers.some((m) => m(file));
    },
    ready: () => chokidarReady,
    close: async () => {
      closed = true;
      folders?.close();
      await chokidarWatcher?.close();
    },
  };
}
