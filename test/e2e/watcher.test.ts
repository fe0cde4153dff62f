// The watcher against real files saved by another process the way editors and tools save: in place,
// by rename, and in bursts a few ms apart. Every save's final content must be seen, and the file must
// stay watched after any burst (chokidar alone loses a file whose rename comes within 5 ms of another
// event: it keeps watching the old inode).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWatcher, type FileWatcher } from '../../src/patch/watcher';
import { cliPerTest, saveByRename, saveInPlace } from '../helpers/cli';
import { testNodes, useEngine } from '../helpers/nodes';

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

/** Which file each event was about, as the session sees them. */
function recorder() {
  const events: { kind: 'change' | 'remove' | 'rewatch'; file: string }[] = [];
  let wake: (() => void) | null = null;
  const push = (kind: 'change' | 'remove' | 'rewatch') => (file: string) => { events.push({ kind, file }); wake?.(); };
  return {
    events,
    options: { onChange: push('change'), onRemove: push('remove'), onRewatch: push('rewatch'), onError: (e: Error) => { throw e; } },
    /** Wait for an event about `file` (after the first `from` events), 20 s at most. */
    async next(file: string, from: number, kinds: string[] = ['change', 'rewatch']) {
      const found = () => events.slice(from).find((e) => e.file === file && kinds.includes(e.kind));
      const end = Date.now() + 20000;
      while (!found() && Date.now() < end) await new Promise<void>((r) => { wake = r; setTimeout(r, 200); });
      wake = null;
      expect({ file, event: found()?.kind ?? 'none' }).toEqual({ file, event: expect.stringMatching(kinds.join('|')) });
    },
  };
}

// One watch per folder that holds a loaded file: every way a file of that folder can change must
// still give its event, and only the watched files may give one.
describe('watcher: folders with loaded files', () => {
  let dir: string;
  let watcher: FileWatcher;
  let rec: ReturnType<typeof recorder>;

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-watch-dir-')));
    rec = recorder();
    watcher = createWatcher(rec.options);
  });

  afterEach(async () => {
    await watcher.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('in a folder of 500 files: saves of the watched file are seen, saves of its siblings give no event', async () => {
    const app = path.join(dir, 'app.js');
    fs.writeFileSync(app, 'v0');
    for (let i = 0; i < 500; i++) fs.writeFileSync(path.join(dir, `other-${i}.js`), `o${i}`);
    watcher.addFiles([app]);
    await watcher.ready();
    for (let round = 0; round < 3; round++) {
      // the siblings first: their events come before the watched file's, in the folder's one queue
      await write(path.join(dir, `other-${round}.js`), [`I s${round}`, `R s${round}`]);
      const from = rec.events.length;
      await write(app, [`R v${round}`]);
      await rec.next(app, from);
      const mid = rec.events.length;
      await write(app, [`I w${round}`]);
      await rec.next(app, mid);
    }
    expect(rec.events.filter((e) => e.file !== app)).toEqual([]);
  }, 60000);

  test("vim's save (rename to a backup, write afresh, delete the backup), then delete and re-create", async () => {
    const app = path.join(dir, 'app.js');
    fs.writeFileSync(app, 'v0');
    watcher.addFiles([app]);
    let from = rec.events.length;
    fs.renameSync(app, app + '~');
    fs.writeFileSync(app, 'v1');
    fs.unlinkSync(app + '~');
    await rec.next(app, from);
    expect(rec.events.filter((e) => e.file !== app)).toEqual([]);
    from = rec.events.length;
    fs.unlinkSync(app);
    await rec.next(app, from, ['remove']);
    from = rec.events.length;
    await write(app, ['R v2']); // re-created, after the removal was seen
    await rec.next(app, from);
    from = rec.events.length;
    await write(app, ['I v3']);
    await rec.next(app, from);
  }, 30000);

  test('a file created after the folder is watched, loaded later; a folder made after the start', async () => {
    const app = path.join(dir, 'app.js');
    fs.writeFileSync(app, 'v0');
    watcher.addFiles([app]);
    const late = path.join(dir, 'late.js');
    fs.writeFileSync(late, 'l0');
    const deep = path.join(dir, 'sub', 'deep', 'deep.js');
    fs.mkdirSync(path.dirname(deep), { recursive: true });
    fs.writeFileSync(deep, 'd0');
    // not loaded yet: no event for them
    let from = rec.events.length;
    await write(late, ['I l1']);
    await write(app, ['I v1']);
    await rec.next(app, from);
    expect(rec.events.slice(from).filter((e) => e.file !== app)).toEqual([]);
    watcher.addFiles([late, deep]);
    for (const f of [late, deep]) {
      for (const how of ['I', 'R']) {
        from = rec.events.length;
        await write(f, [`${how} ${how}x`]);
        await rec.next(f, from);
      }
    }
  }, 30000);

  test('a folder moved away and back, and one deleted and made again, is watched again', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    const f = path.join(sub, 'a.js');
    fs.writeFileSync(f, 'a0');
    watcher.addFiles([f]);
    let from = rec.events.length;
    fs.renameSync(sub, sub + '.away'); // the OS watch follows the folder: it is ours no more
    await rec.next(f, from, ['remove']);
    from = rec.events.length;
    fs.writeFileSync(path.join(sub + '.away', 'a.js'), 'a-away');
    fs.renameSync(sub + '.away', sub);
    await rec.next(f, from, ['rewatch']);
    from = rec.events.length;
    await write(f, ['R a1']);
    await rec.next(f, from);

    from = rec.events.length;
    fs.rmSync(sub, { recursive: true });
    await rec.next(f, from, ['remove']);
    from = rec.events.length;
    fs.mkdirSync(sub);
    fs.writeFileSync(f, 'a2');
    await rec.next(f, from, ['rewatch']);
    from = rec.events.length;
    await write(f, ['I a3']);
    await rec.next(f, from);

    // deleted and made again at once: the new folder often has the old one's inode number, and the
    // old watch is dead all the same
    from = rec.events.length;
    fs.rmSync(sub, { recursive: true });
    fs.mkdirSync(sub);
    fs.writeFileSync(f, 'a4');
    await rec.next(f, from, ['rewatch']);
    from = rec.events.length;
    await write(f, ['R a5']);
    await rec.next(f, from);
  }, 30000);

  test('a file the program loads through a symlink is watched at its real path; saves through the link are seen', async () => {
    const real = path.join(dir, 'real', 'impl.js');
    fs.mkdirSync(path.dirname(real));
    fs.writeFileSync(real, 'r0');
    const link = path.join(dir, 'link.js');
    fs.symlinkSync(real, link);
    watcher.addFiles([fs.realpathSync(link)]); // node loads a symlinked module by its real path
    const from = rec.events.length;
    fs.writeFileSync(link, 'r1'); // an editor that opened link.js and writes in place
    await rec.next(real, from);
  }, 30000);

  test('--poll: a loaded file is polled; saves by rename and in place are seen', async () => {
    await watcher.close();
    watcher = createWatcher({ ...rec.options, usePolling: true });
    const app = path.join(dir, 'app.js');
    fs.writeFileSync(app, 'v0');
    watcher.addFiles([app]);
    await new Promise((r) => setImmediate(r)); // the batch goes to chokidar on the next turn
    await watcher.ready();
    for (const how of ['R', 'I']) {
      const from = rec.events.length;
      await write(app, [`${how} ${how}1-longer`]);
      await rec.next(app, from);
    }
  }, 30000);

  test('--watch DIR: a file under it that no one loaded gives events too (the user named it)', async () => {
    const lib = path.join(dir, 'node_modules', 'lib');
    fs.mkdirSync(lib, { recursive: true });
    const f = path.join(lib, 'index.js');
    fs.writeFileSync(f, 'l0');
    watcher.addPattern('node_modules/lib', dir);
    await watcher.ready();
    expect(watcher.coveredByPattern(f)).toBe(true);
    expect(watcher.coveredByPattern(path.join(dir, 'app.js'))).toBe(false);
    const from = rec.events.length;
    await write(f, ['R l1']);
    await rec.next(f, from);
  }, 30000);
});

// The same through the CLI and a real program: it loads a file created after the start, and a file
// in a folder made after the start; the folder of its main file holds 300 files it never loads.
const PROGRAM = `const fs = require('fs'), path = require('path');
function value() { return 'a0'; }
const later = { late: 'late.js', deep: 'sub/deep.js' };
const mods = {};
let last = '';
setInterval(() => {
  for (const [k, f] of Object.entries(later)) if (!mods[k] && fs.existsSync(path.join(__dirname, f))) mods[k] = require('./' + f);
  const line = 'app=' + value() + ' late=' + (mods.late ? mods.late.value() : '-') + ' deep=' + (mods.deep ? mods.deep.value() : '-');
  if (line !== last) { last = line; console.log(line); }
}, 20);
`;
const moduleText = (v: string) => `exports.value = function value() { return '${v}'; };\n`;

describe.each(testNodes())('watcher through the CLI, $label', ({ bin, engine }) => { useEngine(engine);
  const start = cliPerTest();

  test('saves in a folder of 300 files, of a file created after the start, and in a folder made after it', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-watch-cli-')));
    const app = path.join(dir, 'app.js');
    fs.writeFileSync(app, PROGRAM);
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(dir, `other-${i}.js`), moduleText(`o${i}`));
    const cli = start([bin, 'app.js'], dir);
    try {
      await cli.waitFor(/app=a0 late=- deep=-/, { step: 'start', timeout: 30000 });
      /** Save, then wait for the program's output and for the report (when there are to be). */
      const step = async (what: string, save: () => void, out: RegExp | null, report: RegExp | null) => {
        const mark = cli.mark('stderr');
        const markOut = cli.mark();
        save();
        if (out) await cli.waitFor(out, { after: markOut, step: what, timeout: 20000 });
        if (report) await cli.waitFor(report, { stream: 'stderr', after: mark, step: `${what}: report`, timeout: 20000 });
        return mark;
      };
      await step('save by rename among 300 files', () => saveByRename(app, PROGRAM.replace("'a0'", "'a1'")), /app=a1/, /patched app\.js: value/);
      // siblings the program never loaded: nothing said about them (their events come first in the folder's queue)
      const mark = await step('siblings saved, then app.js', () => {
        saveInPlace(path.join(dir, 'other-1.js'), moduleText('o1-changed'));
        saveByRename(path.join(dir, 'other-2.js'), moduleText('o2-changed'));
        saveInPlace(app, PROGRAM.replace("'a0'", "'a2'"));
      }, /app=a2/, /patched app\.js: value/);
      expect(cli.stderr().slice(mark)).not.toMatch(/other-/);
      const late = path.join(dir, 'late.js');
      // created whole (by rename): the program requires a file as soon as it exists, and one created in
      // place can be read empty between its creation and its write (seen under load)
      await step('a file created after the start is loaded', () => saveByRename(late, moduleText('l0')), /late=l0/, null);
      await step('a save by rename of the late file', () => saveByRename(late, moduleText('l1')), /late=l1/, /patched late\.js/);
      const deep = path.join(dir, 'sub', 'deep.js');
      await step('a folder made after the start', () => { fs.mkdirSync(path.dirname(deep)); saveByRename(deep, moduleText('d0')); }, /deep=d0/, null);
      await step('a save in the new folder', () => saveInPlace(deep, moduleText('d1')), /deep=d1/, /patched sub\/deep\.js/);
      await step('app.js deleted', () => fs.unlinkSync(app), null, /app\.js.*deleted/);
      await step('app.js made again', () => saveInPlace(app, PROGRAM.replace("'a0'", "'a3'")), /app=a3/, /patched app\.js: value/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);

  test('--preserve-symlinks: modules loaded through a linked folder and a linked file are patched by saves of their real files', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-watch-links-')));
    fs.mkdirSync(path.join(dir, 'real'));
    fs.writeFileSync(path.join(dir, 'real', 'lib.js'), moduleText('l0'));
    fs.writeFileSync(path.join(dir, 'real', 'other.js'), moduleText('o0'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'linked'));
    fs.symlinkSync(path.join(dir, 'real', 'other.js'), path.join(dir, 'alias.js'));
    fs.writeFileSync(path.join(dir, 'app.js'), [
      "const lib = require('./linked/lib.js'), other = require('./alias.js');",
      "let last = '';",
      "setInterval(() => { const s = `lib=${lib.value()} other=${other.value()}`; if (s !== last) { last = s; console.log(s); } }, 20);",
      '',
    ].join('\n'));
    const cli = start([bin, '--preserve-symlinks', 'app.js'], dir);
    try {
      await cli.waitFor(/lib=l0 other=o0/, { step: 'start', timeout: 30000 });
      let mark = cli.mark('stderr');
      saveByRename(path.join(dir, 'real', 'lib.js'), moduleText('l1'));
      await cli.waitFor(/lib=l1 other=o0/, { step: 'save of the file in the linked folder', timeout: 20000 });
      await cli.waitFor(/patched real\/lib\.js: value/, { stream: 'stderr', after: mark, step: 'its report', timeout: 20000 });
      mark = cli.mark('stderr');
      saveInPlace(path.join(dir, 'real', 'other.js'), moduleText('o1'));
      await cli.waitFor(/lib=l1 other=o1/, { step: 'save of the linked file', timeout: 20000 });
      await cli.waitFor(/patched real\/other\.js: value/, { stream: 'stderr', after: mark, step: 'its report', timeout: 20000 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
