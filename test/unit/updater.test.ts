import { Updater, textOf, MAX_SCRIPT_BYTES, type UpdateReport } from '../../src/patch/updater';
import type { ApplyOptions, PatchEngine, PatchOutcome, SafePause } from '../../src/patch/engine';
import { Codes } from '../../src/patch/codes';
import { FakeClock, settle } from '../helpers/fake-clock';


interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const patched = (text: string): PatchOutcome => ({
  status: 'patched',
  functions: [{ name: text, line: 1, async: false, generator: false }],
  notApplied: [],
  warnings: [],
});

const waiting: PatchOutcome = {
  status: 'waiting',
  reason: { code: Codes.ActiveFunction, message: 'f is running; will apply when it returns' },
  functions: [{ name: 'f', line: 1, async: false, generator: false }],
};

const FILE = '/proj/app.js';

/** A fake engine: records what it was asked and when, answers from a script of outcomes. */
class FakeEngine implements PatchEngine {
  readonly calls: { file: string; text: string; at: number }[] = [];
  /** Outcomes to give, in order; when empty: patched with the text as function name. */
  readonly script: (PatchOutcome | Deferred<PatchOutcome>)[] = [];
  constructor(private readonly clock: FakeClock) {}
  readonly options: (ApplyOptions | undefined)[] = [];
  apply(file: string, text: string, options?: ApplyOptions): Promise<PatchOutcome> {
    this.calls.push({ file, text, at: this.clock.now() });
    this.options.push(options);
    const next = this.script.shift();
    if (!next) return Promise.resolve(patched(text));
    return 'promise' in next ? next.promise : Promise.resolve(next);
  }
}

function setup(opts: { retryDelaysMs?: number[]; maxBytes?: number; debounceMs?: number } = {}) {
  const clock = new FakeClock();
  const engine = new FakeEngine(clock);
  const reports: UpdateReport[] = [];
  const files = new Map<string, string | Buffer | Error | Deferred<Buffer>>();
  files.set(FILE, 'v0');
  const reads: string[] = [];
  const readFile = jest.fn(async (file: string): Promise<Buffer> => {
    reads.push(file);
    const c = files.get(file);
    if (c === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
    if (c instanceof Error) throw c;
    if (Buffer.isBuffer(c)) return c;
    if (typeof c === 'string') return Buffer.from(c, 'utf8');
    return c.promise;
  });
  const updater = new Updater({
    engine,
    readFile,
    report: (r) => reports.push(r),
    clock,
    ...opts,
  });
  return { clock, engine, reports, files, reads, readFile, updater };
}

/** setup() with a statFile whose answers the test sets (mtime 1000, size 2 to begin with). */
function withStat() {
  const s = setup();
  const stats = new Map<string, { mtimeMs: number; size: number }>([[FILE, { mtimeMs: 1000, size: 2 }]]);
  const updater = new Updater({
    engine: s.engine, readFile: s.readFile, report: (r) => s.reports.push(r), clock: s.clock,
    statFile: async (f) => { const st = stats.get(f); if (!st) throw new Error('ENOENT'); return st; },
  });
  return { ...s, updater, stats };
}

const functionNames = (r: UpdateReport): string[] => (r.outcome.status === 'patched' ? r.outcome.functions.map((f) => f.name) : []);

describe('Updater: coalescing saves', () => {
  test('a single save is applied after the debounce, and reported', async () => {
    const { clock, engine, reports, files, updater } = setup();
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(4);
    expect(engine.calls).toHaveLength(0);
    await clock.advance(1);
    expect(engine.calls).toEqual([{ file: FILE, text: 'v1', at: 5 }]);
    expect(reports).toEqual([{ file: FILE, outcome: patched('v1'), ms: 5, afterWaiting: false }]);
  });

  test('a burst of 20 saves gives few applies, and the last content wins', async () => {
    const { clock, engine, reports, files, readFile, updater } = setup();
    for (let i = 1; i <= 20; i++) {
      files.set(FILE, `v${i}`);
      updater.changed(FILE);
      await clock.advance(1);
    }
    await clock.advance(1000);
    expect(engine.calls.length).toBeGreaterThanOrEqual(1);
    expect(engine.calls.length).toBeLessThanOrEqual(2);
    expect(engine.calls[engine.calls.length - 1].text).toBe('v20');
    expect(readFile.mock.calls.length).toBeLessThanOrEqual(2);
    expect(reports[reports.length - 1].outcome).toEqual(patched('v20'));
    // the time is counted from the first save of the burst
    expect(reports[reports.length - 1].ms).toBe(19 + 5);
  });

  test('a save while an apply runs causes exactly one more apply, with the newest content', async () => {
    const { clock, engine, reports, files, updater } = setup();
    const first = deferred<PatchOutcome>();
    engine.script.push(first);
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(5);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1']);

    // three saves while v1 is being applied
    for (const v of ['v2', 'v3', 'v4']) {
      files.set(FILE, v);
      updater.changed(FILE);
      await clock.advance(10);
    }
    expect(engine.calls).toHaveLength(1);

    first.resolve(patched('v1'));
    await clock.advance(1000);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1', 'v4']);
    expect(reports.map(functionNames)).toEqual([['v1'], ['v4']]);
  });

  test('a save while the file is being read skips the stale content', async () => {
    const { clock, engine, files, readFile, updater } = setup();
    const read = deferred<Buffer>();
    files.set(FILE, read);
    updater.changed(FILE);
    await clock.advance(5);
    expect(readFile).toHaveBeenCalledTimes(1);
    files.set(FILE, 'new');
    updater.changed(FILE);
    read.resolve(Buffer.from('stale'));
    await clock.advance(1000);
    expect(engine.calls.map((c) => c.text)).toEqual(['new']);
    expect(readFile).toHaveBeenCalledTimes(2);
  });

  test('an apply that has not ended after slowMs is said once; one that ends in time is not', async () => {
    const clock = new FakeClock();
    const engine = new FakeEngine(clock);
    const slow: string[] = [];
    let text = 'v1';
    const updater = new Updater({ engine, readFile: async () => Buffer.from(text), report: () => {}, clock, slowMs: 1000, onSlow: (f, ms) => slow.push(`${f} ${ms}`) });
    const hung = deferred<PatchOutcome>();
    engine.script.push(hung);
    updater.changed(FILE);
    await clock.advance(900);
    expect(slow).toEqual([]);
    await clock.advance(5000);
    expect(slow).toEqual([`${FILE} 1000`]);
    hung.resolve(patched('v1'));
    await clock.advance(10);
    // the next apply answers at once: nothing said
    text = 'v2';
    updater.changed(FILE);
    await clock.advance(5000);
    expect(engine.calls).toHaveLength(2);
    expect(slow).toHaveLength(1);
  });

  test('applies of different files are never run at the same time', async () => {
    const { clock, engine, files, updater } = setup();
    const a = deferred<PatchOutcome>();
    engine.script.push(a);
    files.set('/proj/b.js', 'b1');
    updater.changed(FILE);
    updater.changed('/proj/b.js');
    await clock.advance(100);
    expect(engine.calls.map((c) => c.file)).toEqual([FILE]);
    a.resolve(patched('v0'));
    await clock.advance(100);
    expect(engine.calls.map((c) => c.file)).toEqual([FILE, '/proj/b.js']);
  });

  test('different files are debounced independently', async () => {
    const { clock, engine, files, updater } = setup();
    files.set('/proj/b.js', 'b1');
    updater.changed(FILE);
    await clock.advance(3);
    updater.changed('/proj/b.js');
    await clock.advance(100);
    expect(engine.calls.map((c) => [c.file, c.at])).toEqual([[FILE, 5], ['/proj/b.js', 8]]);
  });
});

describe('Updater: edits that wait', () => {
  test('waiting is reported once, retried with backoff, then reported as patched afterWaiting', async () => {
    const { clock, engine, reports, files, updater } = setup({ retryDelaysMs: [10, 100] });
    engine.script.push(waiting, waiting, waiting, patched('v1'));
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(5);
    expect(reports).toEqual([{ file: FILE, outcome: waiting, ms: 5, afterWaiting: false }]);

    await clock.advance(1000);
    // 5: first try; +10 retry +5 debounce = 20; +100 +5 = 125; the last delay repeats: +100 +5 = 230
    expect(engine.calls.map((c) => c.at)).toEqual([5, 20, 125, 230]);
    expect(engine.calls.every((c) => c.text === 'v1')).toBe(true);
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatchObject({ file: FILE, outcome: patched('v1'), afterWaiting: true });
    // measured from the save (the change event at 0), not from the retry that got it in
    expect(reports[1].ms).toBe(230);
    // nothing scheduled any more
    expect(clock.timers.size).toBe(0);
  });

  test('the default backoff grows', async () => {
    const { clock, engine, updater } = setup();
    engine.script.push(waiting, waiting, waiting, waiting);
    updater.changed(FILE);
    await clock.advance(5000);
    const retryDelays = clock.requested.filter((ms) => ms !== 5);
    expect(retryDelays.slice(0, 4)).toEqual([20, 40, 80, 160]);
  });

  test('a new save while waiting supersedes the waiting edit', async () => {
    const { clock, engine, reports, files, updater } = setup({ retryDelaysMs: [50] });
    engine.script.push(waiting);
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(5);
    expect(reports.map((r) => r.outcome.status)).toEqual(['waiting']);

    files.set(FILE, 'v2');
    await clock.advance(10);
    updater.changed(FILE);
    await clock.advance(1000);
    expect(engine.calls.map((c) => [c.text, c.at])).toEqual([['v1', 5], ['v2', 20]]);
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatchObject({ outcome: patched('v2'), afterWaiting: true });
  });

  test('a waiting edit counts as idle for whenIdle()', async () => {
    const { clock, engine, updater } = setup({ retryDelaysMs: [10000] });
    engine.script.push(waiting);
    updater.changed(FILE);
    let idle = false;
    void updater.whenIdle(FILE).then(() => { idle = true; });
    await clock.advance(5);
    expect(idle).toBe(true);
    await expect(updater.whenIdle(FILE)).resolves.toBeUndefined();
  });

  test('a deleted file while waiting stops the retries', async () => {
    const { clock, engine, reports, files, updater } = setup({ retryDelaysMs: [10] });
    engine.script.push(waiting, waiting, waiting);
    updater.changed(FILE);
    await clock.advance(5);
    files.delete(FILE);
    await clock.advance(1000);
    expect(engine.calls).toHaveLength(1);
    expect(reports.map((r) => r.outcome.status)).toEqual(['waiting', 'unreadable']);
    expect(clock.timers.size).toBe(0);
  });
});

describe('Updater: ms', () => {
  test('whole milliseconds, from the change event', async () => {
    const { clock, engine, reports, files, updater } = setup();
    engine.script.push(patched('v1'));
    files.set(FILE, 'v1');
    clock.t = 0.4;
    updater.changed(FILE);
    await clock.advance(5.3);
    expect(reports).toHaveLength(1);
    expect(reports[0].ms).toBe(5);
    expect(Number.isInteger(reports[0].ms)).toBe(true);
  });

  test('a read that finds the same text again answers its event: the next save is measured from its own', async () => {
    const { clock, engine, reports, files, updater } = setup();
    engine.script.push(patched('v1'), patched('v2'));
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(50);
    updater.changed(FILE); // a second event for the same write
    await clock.advance(50);
    expect(reports).toHaveLength(1);
    files.set(FILE, 'v2');
    updater.changed(FILE);
    await clock.advance(5);
    expect(reports).toHaveLength(2);
    expect(reports[1].ms).toBe(5);
  });
});

describe('Updater: files that cannot be used', () => {
  test('a deleted file (ENOENT) is reported unreadable with EC102, and nothing is applied', async () => {
    const { clock, engine, reports, files, updater } = setup();
    files.delete(FILE);
    updater.changed(FILE);
    await clock.advance(5);
    expect(engine.calls).toHaveLength(0);
    expect(reports).toEqual([{
      file: FILE,
      outcome: { status: 'unreadable', reason: { code: Codes.Unreadable, message: expect.stringContaining('deleted') } },
      ms: 5,
      afterWaiting: false,
    }]);
  });

  test('another read error is EC102 with the error message', async () => {
    const { clock, reports, files, updater } = setup();
    files.set(FILE, Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
    updater.changed(FILE);
    await clock.advance(5);
    expect(reports[0].outcome).toEqual({ status: 'unreadable', reason: { code: Codes.Unreadable, message: 'cannot read the file: EACCES: permission denied' } });
  });

  test('a binary file (NUL bytes) is EC103, nothing applied', async () => {
    const { clock, engine, reports, files, updater } = setup();
    files.set(FILE, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
    updater.changed(FILE);
    await clock.advance(5);
    expect(engine.calls).toHaveLength(0);
    expect(reports[0].outcome).toEqual({ status: 'unreadable', reason: { code: Codes.NotText, message: expect.stringContaining('binary') } });
  });

  test('a file over maxBytes is EC103, nothing applied', async () => {
    const { clock, engine, reports, files, updater } = setup({ maxBytes: 1024 * 1024 });
    files.set(FILE, Buffer.alloc(1.5 * 1024 * 1024, 0x20));
    updater.changed(FILE);
    await clock.advance(5);
    expect(engine.calls).toHaveLength(0);
    expect(reports[0].outcome).toEqual({ status: 'unreadable', reason: { code: Codes.NotText, message: expect.stringContaining('1.5 MB') } });
  });

  test('an engine that throws is reported as a protocol error (EC306, not-patched) and the updater keeps working', async () => {
    const { clock, engine, reports, files, updater } = setup();
    const broken = deferred<PatchOutcome>();
    broken.reject(new Error('WebSocket is not open'));
    engine.script.push(broken);
    updater.changed(FILE);
    await clock.advance(5);
    // a protocol error, named as one (not "unreadable": the file was read)
    expect(reports[0].outcome).toEqual({ status: 'not-patched', reasons: [{ code: Codes.ProtocolError, message: expect.stringContaining('the inspector call failed (WebSocket is not open)') }] });
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(5);
    expect(reports[1].outcome).toEqual(patched('v1'));
  });
});

describe('Updater: whenIdle and close', () => {
  test('whenIdle() of a file never seen resolves at once', async () => {
    const { updater } = setup();
    await expect(updater.whenIdle('/nothing.js')).resolves.toBeUndefined();
  });

  test('whenIdle() resolves only after the scheduled apply is reported', async () => {
    const { clock, reports, updater, engine } = setup();
    const d = deferred<PatchOutcome>();
    engine.script.push(d);
    updater.changed(FILE);
    let idle = false;
    void updater.whenIdle(FILE).then(() => { idle = true; });
    await clock.advance(5);
    expect(engine.calls).toHaveLength(1);
    expect(idle).toBe(false);
    d.resolve(patched('v0'));
    await settle();
    expect(reports).toHaveLength(1);
    expect(idle).toBe(true);
  });

  test('whenIdle() waits for the extra apply caused by a save during an apply', async () => {
    const { clock, reports, files, updater, engine } = setup();
    const d = deferred<PatchOutcome>();
    engine.script.push(d);
    updater.changed(FILE);
    await clock.advance(5);
    files.set(FILE, 'v2');
    updater.changed(FILE);
    let idle = false;
    void updater.whenIdle(FILE).then(() => { idle = true; });
    d.resolve(patched('v0'));
    await settle();
    expect(idle).toBe(true);
    expect(reports.map(functionNames)).toEqual([['v0'], ['v2']]);
  });

  test('close() cancels scheduled work and ignores later saves', async () => {
    const { clock, engine, updater } = setup();
    updater.changed(FILE);
    updater.close();
    await clock.advance(100);
    updater.changed(FILE);
    await clock.advance(100);
    expect(engine.calls).toHaveLength(0);
  });

  test('close() cancels a pending retry', async () => {
    const { clock, engine, updater } = setup({ retryDelaysMs: [10] });
    engine.script.push(waiting);
    updater.changed(FILE);
    await clock.advance(5);
    updater.close();
    await clock.advance(1000);
    expect(engine.calls).toHaveLength(1);
  });
});

describe('textOf', () => {
  test('UTF-8 text is returned as a string', () => {
    expect(textOf(Buffer.from('const s = "h\u00e9llo \u{1F600}";\n', 'utf8'), 1000)).toEqual({ ok: true, text: 'const s = "h\u00e9llo \u{1F600}";\n' });
  });

  test('an empty file is text', () => {
    expect(textOf(Buffer.alloc(0), 1000)).toEqual({ ok: true, text: '' });
  });

  test('a NUL byte means binary', () => {
    const r = textOf(Buffer.from('abc\0def'), 1000);
    expect(r).toEqual({ ok: false, message: expect.stringContaining('NUL') });
  });

  test('only the first 64 KiB are probed for NUL bytes', () => {
    const buf = Buffer.alloc(70000, 0x61);
    buf[69999] = 0;
    expect(textOf(buf, MAX_SCRIPT_BYTES).ok).toBe(true);
  });

  test('exactly maxBytes is allowed, one more is not', () => {
    expect(textOf(Buffer.alloc(100, 0x61), 100).ok).toBe(true);
    expect(textOf(Buffer.alloc(101, 0x61), 100).ok).toBe(false);
  });

  test('the size message gives both sizes in MB', () => {
    const r = textOf(Buffer.alloc(3 * 1048576 + 1048576 / 2, 0x61), 2 * 1048576);
    expect(r).toEqual({ ok: false, message: 'the file is 3.5 MB, over the 2 MB a script may have' });
  });

  test('invalid UTF-8 is refused', () => {
    expect(textOf(Buffer.from([0x61, 0xff, 0xfe, 0x62]), 1000)).toEqual({ ok: false, message: 'the file is not valid UTF-8 text' });
  });

  test('a real U+FFFD in valid UTF-8 is fine', () => {
    expect(textOf(Buffer.from('x = "\uFFFD";', 'utf8'), 1000)).toEqual({ ok: true, text: 'x = "\uFFFD";' });
  });

  test('MAX_SCRIPT_BYTES is 32 MiB', () => {
    expect(MAX_SCRIPT_BYTES).toBe(32 * 1024 * 1024);
  });
});

describe('Updater: applying at a pause (retry)', () => {
  test('a blocked edit is listed as waiting until V8 takes it', async () => {
    const { clock, engine, files, updater } = setup();
    engine.script.push(waiting);
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(5);
    expect(updater.waitingFiles()).toEqual([FILE]);
    await clock.advance(30); // the first retry (20 ms, then the 5 ms debounce): taken
    expect(updater.waitingFiles()).toEqual([]);
  });

  test('applyNow passes the safe pause to the engine, clears the retry timer, reports and answers the outcome', async () => {
    const { clock, engine, reports, files, updater } = setup();
    engine.script.push(waiting);
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(5);
    const safe = { callFrameId: 'cf1', safe: true } as unknown as SafePause; // (a brand only PauseSession mints)
    const outcome = updater.applyNow(FILE, { topFrame: safe });
    await clock.advance(0);
    await expect(outcome).resolves.toEqual(patched('v1'));
    expect(engine.options[engine.options.length - 1]).toEqual({ topFrame: safe, again: true }); // the edit that waited, tried again
    expect(reports[reports.length - 1]).toMatchObject({ outcome: patched('v1'), afterWaiting: true });
    const calls = engine.calls.length;
    await clock.advance(1000); // no retry timer left behind
    expect(engine.calls.length).toBe(calls);
    expect(updater.waitingFiles()).toEqual([]);
  });

  test('applyNow waits for an apply in flight, in order', async () => {
    const { clock, engine, files, updater } = setup();
    const first = deferred<PatchOutcome>();
    engine.script.push(first);
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(5);
    files.set(FILE, 'v2');
    const now = updater.applyNow(FILE, {});
    await clock.advance(0);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1']);
    first.resolve(patched('v1'));
    await clock.advance(0);
    await expect(now).resolves.toEqual(patched('v2'));
    expect(engine.calls.map((c) => c.text)).toEqual(['v1', 'v2']);
  });

  test('settle resolves once nothing is scheduled or running', async () => {
    const { clock, engine, files, updater } = setup();
    files.set(FILE, 'v1');
    updater.changed(FILE);
    let settled = false;
    void updater.settle().then(() => { settled = true; });
    await clock.advance(1);
    expect(settled).toBe(false);
    await clock.advance(10);
    expect(settled).toBe(true);
    expect(engine.calls).toHaveLength(1);
  });
});

describe('Updater: looking again without an event', () => {
  test('the check when a watch starts says nothing when the file is what runs, and reports a change', async () => {
    const { clock, engine, reports, updater, stats } = withStat();
    engine.script.push({ status: 'unchanged' });
    updater.watchStarted(FILE, 500);
    await clock.advance(300);
    expect(engine.calls).toHaveLength(1);
    expect(reports).toEqual([]);
    // a later save that changes nothing is said (verbose output shows it as unchanged)
    engine.script.push({ status: 'unchanged' });
    stats.set(FILE, { mtimeMs: 2000, size: 2 });
    updater.changed(FILE);
    await clock.advance(10);
    expect(reports.map((r) => r.outcome.status)).toEqual(['unchanged']);
  });

  test('the check when a watch starts reports a file saved before the watch was in place', async () => {
    const { clock, engine, reports, files, updater } = withStat();
    files.set(FILE, 'v1');
    updater.watchStarted(FILE, 500);
    await clock.advance(300);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1']);
    expect(reports.map(functionNames)).toEqual([['v1']]);
  });

  test("the check when a watch starts, late, after saves were read: a later save's 'unchanged' is still said", async () => {
    // under load the check's timer fired between a refused save and the save that took the change back
    // out, and that save's "back to the code that runs" went unsaid (honest.test.ts)
    const { clock, engine, reports, files, updater, stats } = withStat();
    updater.watchStarted(FILE, 500);
    files.set(FILE, 'v1');
    stats.set(FILE, { mtimeMs: 1000, size: 2 });
    engine.script.push({ status: 'not-patched', reasons: [] });
    updater.changed(FILE);
    await clock.advance(10);
    expect(reports.map((r) => r.outcome.status)).toEqual(['not-patched']);
    await clock.advance(185);
    files.set(FILE, 'v0'); // saved just before the check's timer fires, its event comes after the check's read
    stats.set(FILE, { mtimeMs: 2000, size: 2 });
    engine.script.push({ status: 'unchanged' });
    await clock.advance(25);
    updater.changed(FILE);
    await clock.advance(20);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1', 'v0']);
    expect(reports.map((r) => r.outcome.status)).toEqual(['not-patched', 'unchanged']);
  });

  test('recheck applies the file only when its mtime or size is not that of the content last read', async () => {
    const { clock, engine, files, updater, stats } = withStat();
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(10);
    expect(engine.calls).toHaveLength(1);
    updater.recheck(FILE);
    await clock.advance(10);
    expect(engine.calls).toHaveLength(1);
    files.set(FILE, 'v2');
    stats.set(FILE, { mtimeMs: 3000, size: 2 });
    updater.recheck(FILE);
    await clock.advance(10);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1', 'v2']);
  });
});

describe('Updater: an empty read (the middle of an in-place save)', () => {
  test('is read again, and the content that follows is what is applied and reported', async () => {
    const { clock, engine, reports, files, updater } = setup();
    files.set(FILE, '');
    updater.changed(FILE);
    await clock.advance(5);
    expect(engine.calls).toHaveLength(0);
    files.set(FILE, 'v1'); // the write lands; its event is lost
    await clock.advance(20);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1']);
    expect(reports.map(functionNames)).toEqual([['v1']]);
    expect(reports[0].ms).toBe(25); // from the first event: debounce, the re-read 15 ms later, its debounce
  });

  test('a file that stays empty is applied as empty after a few reads', async () => {
    const { clock, engine, reports, files, updater } = setup();
    files.set(FILE, '');
    updater.changed(FILE);
    await clock.advance(200);
    expect(engine.calls.map((c) => c.text)).toEqual(['']);
    expect(reports).toHaveLength(1);
  });
});

describe('Updater: one write, one report', () => {
  test('a second event for the same write (same text, same mtime and size) is not applied or reported again', async () => {
    const { clock, engine, reports, files, updater } = withStat();
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(10);
    updater.changed(FILE);
    await clock.advance(10);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1']);
    expect(reports).toHaveLength(1);
  });

  test('a recheck that reads the text already applied says nothing (a stat taken before a write landed)', async () => {
    const { clock, engine, reports, files, updater, stats } = withStat();
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(10);
    stats.set(FILE, { mtimeMs: 2000, size: 2 }); // the write's own mtime, seen after the read
    updater.recheck(FILE);
    await clock.advance(10);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1']);
    expect(reports).toHaveLength(1);
  });

  test('a new save of the same text (a new mtime) is a save: it is applied and reported', async () => {
    const { clock, engine, reports, files, updater, stats } = withStat();
    files.set(FILE, 'v1');
    updater.changed(FILE);
    await clock.advance(10);
    stats.set(FILE, { mtimeMs: 3000, size: 2 });
    engine.script.push({ status: 'unchanged' });
    updater.changed(FILE);
    await clock.advance(10);
    expect(engine.calls.map((c) => c.text)).toEqual(['v1', 'v1']);
    expect(reports.map((r) => r.outcome.status)).toEqual(['patched', 'unchanged']);
  });
});
