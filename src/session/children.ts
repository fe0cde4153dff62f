// The program's child processes that run node with its execArgv (fork, cluster, spawn of
// process.execPath with process.execArgv): each one's preload (inject/preload.ts) writes where its
// inspector listens into a folder only we can read (EDIT_CONTINUE_CHILDREN); we connect to it, and
// the caller (LiveSession) makes it a session as for a worker thread.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { debug } from '../util/log';

const log = debug('children');

export const CHILDREN_ENV = 'EDIT_CONTINUE_CHILDREN';

/**
 * The program's preload puts these into its NODE_OPTIONS as it starts (SPAWNED_ENV), after its own:
 * node it starts without its execArgv (spawn('node', …), exec('node …')) then loads our preload
 * too, which opens an inspector there only when our folder is in its environment and its script is
 * not a tool's (see inject/preload.ts). `--inspect-publish-uid=stderr`: that inspector's id is not
 * served over HTTP. Not the program's own NODE_OPTIONS: its own `--require`s run before ours (pure).
 */
export function nodeOptionsForSpawned(preload: string): string {
  const quoted = `"${preload.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `--require ${quoted} --inspect-publish-uid=stderr`;
}

export const SPAWNED_ENV = 'EDIT_CONTINUE_NODE_OPTIONS';

export interface ChildReport { pid: number; ppid: number; url: string }

/** A private folder for the children's reports (0700: their inspectors' ids stay ours). */
export function childrenFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ec-children-'));
}

/** A report file's content, or null when it is not one (pure). */
export function parseChildReport(text: string): ChildReport | null {
  try {
    const r = JSON.parse(text) as Partial<ChildReport>;
    if (typeof r.pid !== 'number' || typeof r.url !== 'string' || !/^ws:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\//.test(r.url)) return null;
    return { pid: r.pid, ppid: typeof r.ppid === 'number' ? r.ppid : 0, url: r.url };
  } catch {
    return null;
  }
}

export class ChildWatcher {
  private watcher: fs.FSWatcher | null = null;
  private closed = false;

  constructor(private readonly dir: string, private readonly found: (child: ChildReport) => void) {}

  start(): void {
    try {
      this.watcher = fs.watch(this.dir, () => this.scan());
      this.watcher.on('error', () => {});
    } catch (err) {
      log('cannot watch', this.dir, (err as Error).message);
    }
    this.scan();
  }

  private scan(): void {
    if (this.closed) return;
    let names: string[];
    try { names = fs.readdirSync(this.dir); } catch { return; }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      let text: string;
      try { text = fs.readFileSync(path.join(this.dir, name), 'utf8'); } catch { continue; }
      fs.rmSync(path.join(this.dir, name), { force: true });
      const report = parseChildReport(text);
      log('child', name, report ? report.url : '(not a report)');
      if (report) this.found(report);
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
