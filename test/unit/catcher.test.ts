// Which frame catches a throw, read from source texts (session/catcher.ts): the rule of the
// `unhandled` break-on mode.
import { CatchRanges, verdict, type StackFrameInfo } from '../../src/session/catcher';
import { CaughtRate } from '../../src/session/unhandled';

const at = (text: string, marker: string) => text.indexOf(marker);

describe('CatchRanges', () => {
  test('a position inside a try block with a catch is caught there; the catch clause and a try/finally are not', () => {
    const text = `function a() { try { boom(); } catch (e) { again(); } }
function b() { try { boom2(); } finally { void 0xEC } }`;
    const r = new CatchRanges(text, 'script');
    expect(r.catchesAt(at(text, 'boom()'))).toBe(true);
    expect(r.catchesAt(at(text, 'again()'))).toBe(false);
    expect(r.catchesAt(at(text, 'boom2()'))).toBe(false);
  });

  test('a callback defined inside a try block does not run under it', () => {
    const text = `function a() { try { list.forEach((x) => { inner(x); }); outer(); } catch {} }`;
    const r = new CatchRanges(text, 'script');
    expect(r.catchesAt(at(text, 'inner(x)'))).toBe(false);
    expect(r.catchesAt(at(text, 'outer()'))).toBe(true);
    expect(r.catchesAt(at(text, 'list.forEach'))).toBe(true);
  });

  test('a CommonJS body with a top-level return, and an ES module with top-level await, parse', () => {
    const cjs = `if (x) return; try { f(); } catch {}`;
    expect(new CatchRanges(cjs, 'script').catchesAt(at(cjs, 'f()'))).toBe(true);
    const esm = `import x from 'y'; try { await f(); } catch {}`;
    expect(new CatchRanges(esm, 'module').catchesAt(at(esm, 'f()'))).toBe(true);
  });

  test('a text that does not parse catches nothing and says so', () => {
    const r = new CatchRanges('function (', 'script');
    expect(r.parsed).toBe(false);
    expect(r.catchesAt(3)).toBe(false);
  });
});

describe('verdict', () => {
  const f = (origin: StackFrameInfo['origin'], catches: boolean | null, name: string = origin): StackFrameInfo => ({ origin, catches, name });

  test('the program catches its own throw: go on', () => {
    expect(verdict([f('program', false, 'check'), f('program', true, 'validate')])).toEqual({ stop: false, why: 'caught by the program (validate)', byProgram: true });
  });
  test('thrown in the program, caught by a library: stop, naming the catcher', () => {
    expect(verdict([f('program', false, 'handler'), f('library', true, 'handle'), f('node', false)])).toEqual({ stop: true, catcher: { origin: 'library', name: 'handle', frame: 1 } });
  });
  test('thrown in a library called by the program, caught by node: stop (it passed through the program)', () => {
    expect(verdict([f('library', false, 'parse'), f('program', false, 'onLine'), f('node', true, 'emitKeys')])).toEqual({ stop: true, catcher: { origin: 'node', name: 'emitKeys', frame: 2 } });
  });
  test('thrown and caught inside a library, even when the program called it: go on', () => {
    expect(verdict([f('library', false), f('library', true, 'tryLoad'), f('program', true)]).stop).toBe(false);
  });
  test('no frame catches (a promise handler does): stop when the program is on the stack', () => {
    expect(verdict([f('program', false, 'stockHandler'), f('node', false)])).toEqual({ stop: true, catcher: null });
    expect(verdict([f('node', false), f('library', false)]).stop).toBe(false);
  });
  test('our retry helper catches a retried call: go on (it stops by itself)', () => {
    expect(verdict([f('program', false), f('edit-continue', true, 'retryCall')]).stop).toBe(false);
  });
});

describe('CaughtRate', () => {
  test('gives way when the stops keep coming, window after window, not at a burst or when they are spread out', () => {
    const spread = new CaughtRate(3, 1000, 3);
    expect([0, 600, 1200, 1800, 2400, 3000, 3600].map((t) => spread.tooMany(t))).toEqual(Array(7).fill(false));
    // a start's burst: any number within one window
    const burst = new CaughtRate(3, 1000, 3);
    expect(Array.from({ length: 50 }, (_, i) => burst.tooMany(i * 10)).some(Boolean)).toBe(false);
    // a loop: at the limit in each of the three windows before now
    const loop = new CaughtRate(3, 1000, 3);
    const times = Array.from({ length: 30 }, (_, i) => i * 100);
    const answers = times.map((t) => loop.tooMany(t));
    expect(answers.indexOf(true)).toBe(times.indexOf(2200)); // 0..200 in the oldest window, 1000.. 2200 now
    expect(answers.slice(0, times.indexOf(2200)).some(Boolean)).toBe(false);
  });

  test('one window (what the program catches itself): the limit within a second; and how each says its rate', () => {
    const own = new CaughtRate(3, 1000, 1);
    expect([0, 600, 1200, 1800].map((t) => own.tooMany(t))).toEqual([false, false, false, false]);
    const burst = new CaughtRate(3, 1000, 1);
    expect([0, 10, 20].map((t) => burst.tooMany(t))).toEqual([false, false, true]);
    expect(new CaughtRate(10, 1000, 1).describe()).toBe('10 in 1 s');
    expect(new CaughtRate(10, 1000, 3).describe()).toBe('10 or more every 1 s for 3 s');
  });

  test('two bursts with a quiet window between them do not add up', () => {
    const r = new CaughtRate(3, 1000, 3);
    const times = [0, 10, 20, 30, 2500, 2510, 2520, 2530];
    expect(times.map((t) => r.tooMany(t)).some(Boolean)).toBe(false);
  });
});
