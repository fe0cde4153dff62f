// Which files a folder's event is about (src/patch/watch-table.ts): only watched names, all of them
// when the event names none, and the folder's own name may mean the folder itself moved or went.
import * as path from 'node:path';
import { WatchTable } from '../../src/patch/watch-table';

const D = path.join(path.sep, 'proj', 'src');
const f = (name: string, dir = D) => path.join(dir, name);

describe('WatchTable', () => {
  test('the first file of a folder asks for a watch; the next ones and repeats do not', () => {
    const t = new WatchTable();
    expect(t.add(f('a.js'))).toEqual({ fresh: true, newDir: true, dir: D });
    expect(t.add(f('b.js'))).toEqual({ fresh: true, newDir: false, dir: D });
    expect(t.add(f('a.js'))).toEqual({ fresh: false, newDir: false, dir: D });
    expect(t.add(f('c.js', path.join(D, 'lib')))).toEqual({ fresh: true, newDir: true, dir: path.join(D, 'lib') });
    expect(t.dirs).toEqual([D, path.join(D, 'lib')]);
    expect(t.size).toBe(3);
    expect(t.has(f('b.js'))).toBe(true);
    expect(t.has(f('x.js'))).toBe(false);
  });

  test('an event is about the watched file it names, and about nothing when it names a sibling', () => {
    const t = new WatchTable();
    t.add(f('a.js'));
    t.add(f('b.js'));
    expect(t.concerned(D, 'a.js')).toEqual([f('a.js')]);
    // an editor's temporary file, a backup, a log the program writes, a file it never loaded
    for (const other of ['.a.js.swp', 'a.js~', '4913', 'app.log', 'c.js', '.a.js.123.tmp']) expect(t.concerned(D, other)).toEqual([]);
    expect(t.concerned(path.join(D, 'other'), 'a.js')).toEqual([]);
  });

  test('an event without a name concerns every watched file of the folder', () => {
    const t = new WatchTable();
    t.add(f('a.js'));
    t.add(f('b.js'));
    t.add(f('c.js', path.join(D, 'lib')));
    expect(t.concerned(D, null).sort()).toEqual([f('a.js'), f('b.js')]);
    expect(t.filesIn(path.join(D, 'lib'))).toEqual([f('c.js', path.join(D, 'lib'))]);
  });

  test("the folder's own name (or none) may be about the folder itself", () => {
    const t = new WatchTable();
    t.add(f('a.js'));
    expect(t.maybeAboutFolder(D, 'src')).toBe(true);
    expect(t.maybeAboutFolder(D, null)).toBe(true);
    expect(t.maybeAboutFolder(D, 'a.js')).toBe(false);
  });
});
