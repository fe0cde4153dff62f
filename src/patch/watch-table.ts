// Which files are watched in which folder, and what a folder's event is about. One watch per folder
// that holds a loaded file (./dir-watch.ts); an event names an entry of the folder, and only the
// names of files we watch matter: a sibling the program never loaded (a log it writes, an editor's
// swap or backup file, a temporary file renamed over ours) is nobody's business.
import * as path from 'node:path';

export class WatchTable {
  /** Folder → the names of the watched files in it. */
  private readonly byDir = new Map<string, Set<string>>();

  /** Watch this file. Says whether it is new, and whether its folder is (then it needs a watch). */
  add(file: string): { fresh: boolean; newDir: boolean; dir: string } {
    const dir = path.dirname(file);
    const name = path.basename(file);
    let names = this.byDir.get(dir);
    const newDir = !names;
    if (!names) this.byDir.set(dir, (names = new Set()));
    const fresh = !names.has(name);
    names.add(name);
    return { fresh, newDir, dir };
  }

  has(file: string): boolean {
    return this.byDir.get(path.dirname(file))?.has(path.basename(file)) ?? false;
  }

  /** The watched files in a folder. */
  filesIn(dir: string): string[] {
    return [...(this.byDir.get(dir) ?? [])].map((n) => path.join(dir, n));
  }

  /**
   * The watched files an event in `dir` may concern: the one it names, none when it names another
   * entry, all of them when it names none (some platforms give no name).
   */
  concerned(dir: string, name: string | null): string[] {
    const names = this.byDir.get(dir);
    if (!names) return [];
    if (name === null) return this.filesIn(dir);
    return names.has(name) ? [path.join(dir, name)] : [];
  }

  /**
   * An event named `name` may be about the folder itself (moved or deleted: the OS names the watched
   * folder by its own name), unless it is a file we watch there, which is looked at anyway.
   */
  maybeAboutFolder(dir: string, name: string | null): boolean {
    return name === null || name === path.basename(dir);
  }

  get dirs(): string[] {
    return [...this.byDir.keys()];
  }

  get size(): number {
    let n = 0;
    for (const names of this.byDir.values()) n += names.size;
    return n;
  }
}
