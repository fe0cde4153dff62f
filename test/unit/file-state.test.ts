// The updater's decisions, one transition at a time: step() is pure, and the time is whatever the
// test says it is (the Updater's tests drive the same function through timers, test/unit/updater.test.ts).
import { initialFileState, isIdle, step, type Attempt, type Effect, type FileState, type Input, type StepConfig } from '../../src/patch/file-state';
import type { PatchOutcome } from '../../src/patch/engine';
import { Codes } from '../../src/patch/codes';

const config: StepConfig = { debounceMs: 5, retryDelaysMs: [20, 40], recheckMs: 75, emptyRereads: 2, emptyRereadMs: 15 };

/** A file driven through inputs at given times; what each step did is kept. */
class File {
  state: FileState = initialFileState();
  effects: Effect[] = [];
  feed(input: Input, now: number) {
    const r = step(this.state, input, now, config);
    this.state = r.state;
    this.effects = r.effects;
    return r.answer;
  }
  /** A debounced read begins (the timer ran out, the shell runs it). */
  begin(now: number, now2 = false): Attempt {
    return (this.feed({ on: 'attempt', now: now2 }, now) as { attempt: Attempt }).attempt;
  }
  read(attempt: Attempt, now: number, text: string | null, sig: string | null = null, topFrame = false) {
    return this.feed({ on: 'read', attempt, sig, read: text === null ? { ok: false, kind: 'empty' } : { ok: true, text }, topFrame }, now);
  }
  reports() {
    return this.effects.filter((e): e is Extract<Effect, { do: 'report' }> => e.do === 'report');
  }
}

const patched: PatchOutcome = { status: 'patched', functions: [{ name: 'f', line: 1, async: false, generator: false }], notApplied: [], warnings: [] };
const waiting: PatchOutcome = { status: 'waiting', reason: { code: Codes.ActiveFunction, message: 'f is running' }, functions: [] };

describe('step: saves', () => {
  test('a change waits for the quiet period; another change starts it again, timed from the first', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 10);
    expect(f.state.activity).toEqual({ is: 'debouncing' });
    expect(f.effects).toEqual([{ do: 'set-timer', ms: 5 }]);
    f.feed({ on: 'changed' }, 13);
    expect(f.effects).toEqual([{ do: 'set-timer', ms: 5 }]);
    f.feed({ on: 'timer' }, 18);
    expect(f.state.activity).toEqual({ is: 'applying', dirty: false, then: null });
    expect(f.effects).toEqual([{ do: 'run' }]);
    expect(f.begin(18)).toEqual({ started: 10, startCheck: false, fromEvent: true, now: false });
  });

  test('a timer that was let go of does nothing', () => {
    const f = new File();
    f.feed({ on: 'timer' }, 1);
    expect(f.state).toEqual(initialFileState());
    expect(f.effects).toEqual([]);
  });

  test('a change while applying marks it dirty: the stale read is skipped, and the next read starts at once', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    const a = f.begin(5);
    f.feed({ on: 'changed' }, 7);
    expect(f.state.activity).toEqual({ is: 'applying', dirty: true, then: null });
    expect(f.read(a, 8, 'stale')).toEqual({ outcome: { status: 'unchanged' } });
    f.feed({ on: 'done' }, 8);
    expect(f.effects).toEqual([{ do: 'run' }]);
    expect(f.begin(8).started).toBe(0); // the first event is not answered yet: the stale read said nothing
  });

  test('applied and reported with the time from the event; then idle, with a recheck later', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    const a = f.begin(5);
    expect(f.read(a, 6, 'v1', '1:2')).toEqual({ apply: 'v1', again: false });
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: patched }, 9.4);
    expect(f.effects).toEqual([{ do: 'report', outcome: patched, ms: 9, afterWaiting: false }]);
    expect(f.state.edit).toEqual({ is: 'answered', text: 'v1', seen: '1:2' });
    f.feed({ on: 'done' }, 10);
    expect(f.state.activity).toEqual({ is: 'idle' });
    expect(f.effects).toEqual([{ do: 'recheck-later', ms: 75 }, { do: 'idle' }]);
  });

  test('the same text from a second event for the same write is not applied again, and answers the event', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    let a = f.begin(5);
    f.read(a, 5, 'v1', '1:2');
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: patched }, 6);
    f.feed({ on: 'done' }, 6);
    f.feed({ on: 'changed' }, 20);
    f.feed({ on: 'timer' }, 25);
    a = f.begin(25);
    expect(f.read(a, 25, 'v1', '1:2')).toEqual({ outcome: { status: 'unchanged' } });
    expect(f.state.change.eventAt).toBeNull();
    f.feed({ on: 'done' }, 25);
    // a new mtime is a new save of the same text: it goes to the engine
    f.feed({ on: 'changed' }, 30);
    f.feed({ on: 'timer' }, 35);
    expect(f.read(f.begin(35), 35, 'v1', '3:2')).toEqual({ apply: 'v1', again: false });
  });
});

describe('step: empty reads', () => {
  test('an empty read is read again (not idle meanwhile); after emptyRereads it is the text', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    for (let i = 0; i < 2; i++) {
      f.feed({ on: 'timer' }, 5);
      expect(f.read(f.begin(5), 5, null)).toEqual({ outcome: { status: 'unchanged' } });
      f.feed({ on: 'done' }, 5);
      expect(f.state.activity).toEqual({ is: 'rereading' });
      expect(isIdle(f.state.activity)).toBe(false);
      expect(f.effects).toContainEqual({ do: 'set-timer', ms: 15 });
      f.feed({ on: 'timer' }, 20);
      expect(f.state.activity).toEqual({ is: 'debouncing' });
    }
    f.feed({ on: 'timer' }, 25);
    const a = f.begin(25);
    expect(a.started).toBe(0);
    expect(f.read(a, 25, null)).toEqual({ apply: '', again: false });
    // refused for what it lacks (the engine's EC203 for each declaration): said in one line
    const removed = (name: string) => ({ code: Codes.RemovedDeclaration, message: `top-level function ${name} was removed or renamed: the running module keeps it` });
    expect(f.feed({ on: 'applied', attempt: a, text: '', outcome: { status: 'not-patched', reasons: [removed('f'), removed('g')] } }, 26)).toEqual({ outcome: {
      status: 'not-patched',
      reasons: [{ code: Codes.RemovedDeclaration, message: 'the file is empty (emptied, or still being written): the running code stays as it was, its 2 top-level declarations too' }],
    } });
    expect(f.reports()).toEqual([{ do: 'report', outcome: expect.objectContaining({ reasons: [expect.objectContaining({ message: expect.stringMatching(/^the file is empty/) })] }), ms: 26, afterWaiting: false }]);
  });

  test('an empty file whose engine answer is anything else is said as the engine said it', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    const a = f.begin(5);
    const other: PatchOutcome = { status: 'not-patched', reasons: [{ code: Codes.TopLevelCode, message: 'x' }] };
    expect(f.feed({ on: 'applied', attempt: a, text: '', outcome: other }, 6)).toEqual({ outcome: other });
    expect(f.feed({ on: 'applied', attempt: a, text: '', outcome: { status: 'unchanged' } }, 6)).toEqual({ outcome: { status: 'unchanged' } });
  });
});

describe('step: edits V8 blocks', () => {
  test('waiting is said once, retried with a growing delay (counted as idle), and said again when it goes in', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    let a = f.begin(5);
    f.read(a, 5, 'v1');
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: waiting }, 6);
    expect(f.reports()).toEqual([{ do: 'report', outcome: waiting, ms: 6, afterWaiting: false }]);
    f.feed({ on: 'done' }, 6);
    expect(f.state.activity).toEqual({ is: 'retrying' });
    expect(f.effects).toEqual([{ do: 'set-timer', ms: 20 }, { do: 'recheck-later', ms: 75 }, { do: 'idle' }]);

    f.feed({ on: 'timer' }, 26);
    f.feed({ on: 'timer' }, 31);
    a = f.begin(31);
    expect(f.read(a, 31, 'v1')).toEqual({ apply: 'v1', again: true }); // a waiting edit goes through with the same text, tried again
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: waiting }, 32);
    expect(f.reports()).toEqual([]);
    f.feed({ on: 'done' }, 32);
    expect(f.effects[0]).toEqual({ do: 'set-timer', ms: 40 });

    f.feed({ on: 'timer' }, 72);
    f.feed({ on: 'timer' }, 77);
    a = f.begin(77);
    f.read(a, 77, 'v1');
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: patched }, 78);
    expect(f.reports()).toEqual([{ do: 'report', outcome: patched, ms: 78, afterWaiting: true }]);
    expect(f.state.edit.is).toBe('answered');
  });

  test('an edit that has waited 10 s is said once more, with what else to do (a function called again as soon as a call ends)', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    let now = 5;
    let said: unknown[] = [];
    // retries at 20, 40, 40, … ms (config): 10 s is the 250th
    for (let i = 0; i < 300; i++) {
      const a = f.begin(now);
      f.read(a, now, 'v1');
      f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: waiting }, now + 1);
      said = [...said, ...f.reports().map((r) => (r as { outcome: PatchOutcome }).outcome)];
      f.feed({ on: 'done' }, now + 1);
      const ms = (f.effects.find((e) => e.do === 'set-timer') as { ms: number }).ms;
      now += 1 + ms;
      f.feed({ on: 'timer' }, now); // the retry's
      now += config.debounceMs;
      f.feed({ on: 'timer' }, now); // the debounce's
    }
    expect(said).toHaveLength(2);
    expect(said[0]).toEqual(waiting);
    expect(said[1]).toMatchObject({ status: 'waiting', reason: { code: Codes.ActiveFunction, message: expect.stringMatching(/^still waiting after 10 s: f is running at every look .*--engine swap/) } });
  });

  test("an edit that waits for the program's loader (EC307) is said once: no 'still waiting' after 10 s, and it goes in when the loader answers", () => {
    const f = new File();
    const loader: PatchOutcome = { status: 'waiting', reason: { code: Codes.LoaderWaiting, message: "the program's loader did not answer in 8 s: …; will apply when it answers" }, functions: [] };
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    let now = 5;
    let said: unknown[] = [];
    const agains: boolean[] = [];
    for (let i = 0; i < 300; i++) {
      const a = f.begin(now);
      agains.push((f.read(a, now, 'v1') as { again: boolean }).again);
      f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: loader }, now + 1);
      said = [...said, ...f.reports().map((r) => (r as { outcome: PatchOutcome }).outcome)];
      f.feed({ on: 'done' }, now + 1);
      now += 1 + (f.effects.find((e) => e.do === 'set-timer') as { ms: number }).ms;
      f.feed({ on: 'timer' }, now);
      now += config.debounceMs;
      f.feed({ on: 'timer' }, now);
    }
    expect(said).toEqual([loader]);
    expect(agains[0]).toBe(false); // the save's own ask waits the whole time
    expect(agains.slice(1).every((x) => x)).toBe(true); // each retry looks briefly
    const a = f.begin(now);
    f.read(a, now, 'v1');
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: patched }, now + 1);
    expect(f.reports()).toEqual([{ do: 'report', outcome: patched, ms: now + 1, afterWaiting: true }]);
  });

  test('a new save while an edit waits, that must wait too, is said (each save gets its report; seen in the edit fuzz, node 26 seed 654929158)', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    let a = f.begin(5);
    f.read(a, 5, 'v1');
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: waiting }, 6);
    expect(f.reports()).toEqual([{ do: 'report', outcome: waiting, ms: 6, afterWaiting: false }]);
    f.feed({ on: 'done' }, 6);
    f.feed({ on: 'changed' }, 10);
    f.feed({ on: 'timer' }, 15);
    a = f.begin(15);
    expect(f.read(a, 15, 'v2')).toEqual({ apply: 'v2', again: false }); // a new text is asked for afresh
    f.feed({ on: 'applied', attempt: a, text: 'v2', outcome: waiting }, 16);
    // (its time counts from the first save this file has waited with, as the final report's does)
    expect(f.reports()).toEqual([{ do: 'report', outcome: waiting, ms: 16, afterWaiting: false }]);
    f.feed({ on: 'done' }, 16);
    f.feed({ on: 'timer' }, 36);
    f.feed({ on: 'timer' }, 41);
    a = f.begin(41);
    f.read(a, 41, 'v2');
    f.feed({ on: 'applied', attempt: a, text: 'v2', outcome: waiting }, 42);
    expect(f.reports()).toEqual([]); // its retries stay quiet
  });

  test('apply now (a retry at a pause) lets go of the retry timer, and the edit goes in at once', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    let a = f.begin(5);
    f.read(a, 5, 'v1');
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: waiting }, 5);
    f.feed({ on: 'done' }, 5);
    f.feed({ on: 'apply-now' }, 8);
    expect(f.state.activity).toEqual({ is: 'idle' });
    expect(f.effects).toEqual([{ do: 'clear-timer' }, { do: 'idle' }]);
    a = f.begin(8, true);
    expect(f.read(a, 8, 'v1', null, true)).toEqual({ apply: 'v1', again: true });
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: patched }, 9);
    expect(f.reports()).toEqual([{ do: 'report', outcome: patched, ms: 9, afterWaiting: true }]);
  });
});

describe('step: what cannot be used', () => {
  test('a deleted file is unreadable (EC102) and forgets the waiting edit', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    const a = f.begin(5);
    const answer = f.feed({ on: 'read', attempt: a, sig: 'gone', read: { ok: false, kind: 'error', code: 'ENOENT', message: 'ENOENT' }, topFrame: false }, 5);
    expect(answer).toEqual({ outcome: { status: 'unreadable', reason: { code: Codes.Unreadable, message: expect.stringContaining('deleted') } } });
    expect(f.state.edit).toEqual({ is: 'none' });
  });

  test('an engine that threw is a protocol error (EC306), not an unreadable file', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'timer' }, 5);
    const a = f.begin(5);
    f.feed({ on: 'failed', attempt: a, message: 'WebSocket is not open' }, 6);
    expect(f.reports()).toEqual([{ do: 'report', ms: 6, afterWaiting: false, outcome: { status: 'not-patched', reasons: [{ code: Codes.ProtocolError, message: expect.stringContaining('WebSocket is not open') }] } }]);
  });
});

describe('step: looking again without an event', () => {
  test('a recheck while a read is due or under way does nothing; otherwise it looks at the file', () => {
    const f = new File();
    f.feed({ on: 'changed' }, 0);
    f.feed({ on: 'recheck-due' }, 1);
    expect(f.effects).toEqual([]);
    f.feed({ on: 'timer' }, 5);
    f.feed({ on: 'recheck-due' }, 6);
    expect(f.effects).toEqual([]);
    const a = f.begin(6);
    f.read(a, 6, 'v1', '1:2');
    f.feed({ on: 'applied', attempt: a, text: 'v1', outcome: patched }, 6);
    f.feed({ on: 'done' }, 6);
    f.feed({ on: 'recheck-due' }, 81);
    expect(f.effects).toEqual([{ do: 'stat' }]);
    f.feed({ on: 'stat', sig: '1:2' }, 82);
    expect(f.state.activity).toEqual({ is: 'idle' });
    f.feed({ on: 'stat', sig: 'gone' }, 82);
    expect(f.state.activity).toEqual({ is: 'idle' });
    f.feed({ on: 'stat', sig: '2:2' }, 83);
    expect(f.state.activity).toEqual({ is: 'debouncing' });
  });

  test("the check at the watch's start: 'unchanged' goes unsaid, and is timed from the check", () => {
    const f = new File();
    f.feed({ on: 'start-check' }, 200);
    f.feed({ on: 'timer' }, 205);
    const a = f.begin(205);
    expect(a).toEqual({ started: 200, startCheck: true, fromEvent: false, now: false });
    f.read(a, 205, 'v0');
    f.feed({ on: 'applied', attempt: a, text: 'v0', outcome: { status: 'unchanged' } }, 206);
    expect(f.reports()).toEqual([]);
  });

  test("a save's event during that check makes it a save: its 'unchanged' is said (a save that takes a refused change back out)", () => {
    const f = new File();
    f.feed({ on: 'start-check' }, 200);
    f.feed({ on: 'changed' }, 202);
    f.feed({ on: 'timer' }, 207);
    const a = f.begin(207);
    expect(a).toEqual({ started: 200, startCheck: false, fromEvent: true, now: false });
    f.read(a, 207, 'v0');
    f.feed({ on: 'applied', attempt: a, text: 'v0', outcome: { status: 'unchanged' } }, 208);
    expect(f.reports().map((r) => r.outcome)).toEqual([{ status: 'unchanged' }]);
  });
});
