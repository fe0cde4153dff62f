// The watcher against real files saved by another process the way editors and tools save: in place,
// by rename, and in bursts a few ms apart. Every save's final content must be seen, and the file must
// stay watched after any burst (chokidar alone loses a file whose rename comes within 5 ms of another
// event: it keeps watching the old inode).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWatcher, type FileWatcher } from '../../src/patch/watcher';

/** Run a writer in its own process (as an editor is): steps of 'I text' (in place) or 'R text' (rename). */
function write(file: string, steps: string[]): Promise<void> {
  const script = `
    const fs = require('fs'), path = require('path');
    const [file, steps] = [process.argv[1], JSON.parse(process.argv[2])];
    const tmp = path.join(path.dirname(file), '.' + path.basename(file) + '.' + process.pid + '.tmp');
    for (const s of steps) {
      const text = s.slice(2);
      if (s[0] === 'I') fs.writeFileSync(file, text);
      else { fs.writeFileSync(tmp, text); fs.renameSync(tmp, file); }
    }`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', script, file, JSON.stringify(steps)], { stdio: 'inherit' });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
  });
}

describe('watcher: saves from another process', () => {
  let dir: string;
  let file: string;
  let watcher: FileWatcher;
  const seen: string[] = [];
  /** The file's content at each change event (what the updater would read). */
  const read = () => { try { return fs.readFileSync(file, 'utf8'); } catch { return '<gone>'; } };

  beforeEach(async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-watch-')));
    file = path.join(dir, 'app.js');
    fs.writeFileSync(file, 'v0');
    seen.length = 0;
    watcher = createWatcher({ onChange: () => seen.push(read()), onRemove: () => seen.push('<removed>'), onError: (e) => { throw e; }, onRewatch: () => seen.push(read()) });
    watcher.addFiles([file]);
    await new Promise((r) => setTimeout(r, 50));
    await watcher.ready();
  });

  afterEach(async () => {
    await watcher.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A new event (change or rewatch) comes after `before` events were seen. */
  const newEvent = async (before: number, ms = 3000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (seen.length > before) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  };

  // The watcher's promise is an event after each save (the content is read and re-checked by the
  // updater, test/unit/updater.test.ts); a file it stops watching gives no event at all.
  test.each([
    ['in place, in place, rename', ['I', 'I', 'R']],
    ['rename, rename, rename', ['R', 'R', 'R']],
    ['rename, in place, rename', ['R', 'I', 'R']],
  ])('after bursts of %s, a later save still gives an event (10 rounds)', async (_name, kinds) => {
    for (let round = 1; round <= 10; round++) {
      let before = seen.length;
      await write(file, kinds.map((k, i) => `${k} r${round}-${i}`));
      expect({ round, burst: await newEvent(before) }).toEqual({ round, burst: true });
      await new Promise((r) => setTimeout(r, 250));
      before = seen.length;
      await write(file, [`I r${round}-single`]);
      expect({ round, single: await newEvent(before) }).toEqual({ round, single: true });
      await new Promise((r) => setTimeout(r, 150));
    }
  }, 60000);
});
