import { restartChoice, retryChoiceAtStop, type FrameFacts } from '../../src/session/frame-rules';
import { breakpointRemovalWaits, isSafe, v8RestartRefusal } from '../../src/session/v8-rules';

function frame(index: number, over: Partial<FrameFacts> = {}): FrameFacts {
  return { index, name: `f${index}`, origin: 'program', file: 'job.js', topLevel: false, isModule: false, async: false, canBeRestarted: true, ...over };
}

// A timer callback's stack: weigh < work < step < (anonymous) < listOnTimeout < processTimers
const TIMER: FrameFacts[] = [
  frame(0, { name: 'weigh' }),
  frame(1, { name: 'work' }),
  frame(2, { name: 'step' }),
  frame(3, { name: '(anonymous)' }),
  frame(4, { name: 'listOnTimeout', origin: 'node', file: null, canBeRestarted: true }),
  frame(5, { name: 'processTimers', origin: 'node', file: null, canBeRestarted: true }),
];

// A loop called from a CommonJS file's top level, started by node: pace < main < (top level) < node's loader…
const TOP: FrameFacts[] = [
  frame(0, { name: 'pace', file: 'spin.js' }),
  frame(1, { name: 'main', file: 'spin.js' }),
  frame(2, { name: '(anonymous)', file: 'spin.js', topLevel: true }),
  frame(3, { name: 'Module._compile', origin: 'node', file: null }),
  frame(4, { name: 'run_main_module', origin: 'node', file: null }),
];

describe('restartChoice (restart N)', () => {
  test('a function of the program', () => {
    expect(restartChoice(TIMER, 1)).toEqual({ ok: true, index: 1 });
  });

  test("node's own frames are refused, even when V8 says canBeRestarted (it restarts node's bootstrap)", () => {
    const r = restartChoice(TOP, 4);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/^frame 4 \(run_main_module\) is node's own code \(bt folds it\)/);
    expect(r.message).toMatch(/Frames you can restart: 0, 1 \(see bt\)$/);
  });

  test('a library frame (node_modules) is code like any other', () => {
    expect(restartChoice([frame(0, { origin: 'library', file: 'node_modules/x/index.js' }), frame(1)], 0)).toEqual({ ok: true, index: 0 });
  });

  test("edit-continue's own loader frames are refused", () => {
    const r = restartChoice([frame(0), frame(1, { origin: 'edit-continue', name: 'load' })], 1);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/edit-continue's own loader code\. Frames you can restart: 0 /) });
  });

  test("a CommonJS top level is refused: it would set everything up a second time", () => {
    const r = restartChoice(TOP, 2);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/^frame 2 is the top level of spin\.js: restarting it would run the file's code again.*Frames you can restart: 0, 1 /) });
  });

  test("an ES module's top level is refused (V8: Restarting frame failed)", () => {
    const frames = [frame(0, { name: 'work', file: 'main.mjs', isModule: true }), frame(1, { name: '(anonymous)', file: 'main.mjs', isModule: true, topLevel: true, canBeRestarted: false })];
    expect(restartChoice(frames, 1)).toMatchObject({ ok: false, message: expect.stringMatching(/^frame 1 is the top level of the ES module main\.mjs, which V8 cannot restart\. Frames you can restart: 0/) });
  });

  test('an async function that has awaited', () => {
    const r = restartChoice([frame(0), frame(1, { name: 'round', async: true, canBeRestarted: false })], 1);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/round\) cannot be restarted: it is an async function that has already awaited/) });
  });

  test('a frame V8 refuses for another reason', () => {
    expect(restartChoice([frame(0, { canBeRestarted: false })], 0)).toMatchObject({ ok: false, message: expect.stringMatching(/V8 says frame 0 \(f0\) cannot be restarted.*No frame on the stack can be restarted here/) });
  });

  test("the constructor of a class that extends another is refused (V8 ends the program: docs/v8.md); a base class's is not; the caller is offered", () => {
    const stack = [frame(0, { name: 'Order', derivedConstructor: true }), frame(1, { name: '(anonymous)' }), frame(2, { name: 'Entity' })];
    const r = restartChoice(stack, 0);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/^frame 0 \(Order\) is the constructor of a class that extends another, which V8 cannot run again from its start \(it would end the program\); restart the frame that called it \(new Order\) instead\. Frames you can restart: 1, 2 \(see bt\)$/);
    expect(restartChoice(stack, 2)).toEqual({ ok: true, index: 2 });
    const atStop = retryChoiceAtStop('break', stack);
    expect(atStop.ok).toBe(false);
  });

  test('a number past the stack', () => {
    expect(restartChoice(TIMER, 6)).toEqual({ ok: false, message: 'there is no frame 6 (0 to 5)' });
  });

  test('nothing restartable: says what to do instead', () => {
    const r = restartChoice([frame(0, { origin: 'node', name: 'processTimers', file: null })], 0);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/No frame on the stack can be restarted here: cont, or stop in your code \(break FILE:LINE\)$/) });
  });
});

describe('retryChoiceAtStop (retry at a breakpoint, a step or Ctrl+C)', () => {
  test('the function the program stopped in', () => {
    expect(retryChoiceAtStop('break', TIMER)).toEqual({ ok: true, index: 0 });
  });

  test("under node's own code (a step into fs), the innermost function of the program", () => {
    const frames = [frame(0, { name: 'existsSync', origin: 'node', file: null }), ...TIMER.slice(1).map((f) => ({ ...f, index: f.index }))];
    expect(retryChoiceAtStop('step', frames)).toEqual({ ok: true, index: 1 });
  });

  test("stopped in node's own code with nothing of the program below (listOnTimeout after out): refused", () => {
    const r = retryChoiceAtStop('step', TIMER.slice(4).map((f, i) => ({ ...f, index: i })));
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/^the program is stopped in node's own code \(listOnTimeout\): no function of yours is on the stack to run again\. cont goes on/) });
  });

  test('idle (no frames at all)', () => {
    expect(retryChoiceAtStop('interrupt', [])).toMatchObject({ ok: false, message: expect.stringMatching(/it was idle/) });
  });

  test('in a library only', () => {
    expect(retryChoiceAtStop('break', [frame(0, { origin: 'library', name: 'handle', file: 'node_modules/x/i.js' })]))
      .toMatchObject({ ok: false, message: expect.stringMatching(/in a library \(handle, node_modules\/x\/i\.js\)/) });
  });

  test("in edit-continue's own code (Ctrl+C landing in its cache's quiet timer): refused, and said whose code it is", () => {
    const r = retryChoiceAtStop('interrupt', [frame(0, { origin: 'edit-continue', name: 'tick', file: '/pkg/dist/inject/cache.js' }), frame(1, { name: 'listOnTimeout', origin: 'node', file: null })]);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/^the program is stopped in edit-continue's own code \(tick\), which runs between the program's: no function of yours/) });
  });

  test("idle (Ctrl+C stopped the program in edit-continue's no-op): refused, as idle; restart refuses the no-op's frame", () => {
    const idle = [frame(0, { name: '(idle)', origin: 'node', file: null, idle: true })];
    expect(retryChoiceAtStop('interrupt', idle)).toMatchObject({ ok: false, message: expect.stringMatching(/^the program is stopped with nothing of the program on the stack \(it was idle\)/) });
    expect(restartChoice(idle, 0)).toMatchObject({ ok: false, message: expect.stringMatching(/^frame 0 is the no-op edit-continue ran to stop the idle program: there is nothing of yours to restart\. No frame on the stack can be restarted here/) });
  });

  test('the top level is not a function to retry', () => {
    const r = retryChoiceAtStop('break', TOP.slice(2).map((f, i) => ({ ...f, index: i })));
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/at this breakpoint in the top level of spin\.js, not in a function: there is nothing to run again\. cont goes on; to retry a function, stop in it/) });
  });

  test('an async function that has awaited cannot run again from its start', () => {
    const r = retryChoiceAtStop('break', [frame(0, { name: 'work', async: true, canBeRestarted: false }), frame(1)]);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/^work \(frame 0\) is an async function that has already awaited/) });
  });

  test('Ctrl+C in a hot function of the program', () => {
    expect(retryChoiceAtStop('interrupt', TOP)).toEqual({ ok: true, index: 0 });
  });
});

describe('v8-rules: what V8 lets the session do at a stop (docs/v8.md)', () => {
  test('only a breakpoint or a completed step is a safe pause', () => {
    expect((['break', 'step', 'exception', 'interrupt'] as const).map(isSafe)).toEqual([true, true, false, false]);
  });

  test('removing the breakpoint the program stands at waits only at a function\'s end', () => {
    expect(breakpointRemovalWaits({ inBoundaryFinally: true, char: 'v' })).toBe(true);
    expect(breakpointRemovalWaits({ inBoundaryFinally: false, char: '}' })).toBe(true);
    expect(breakpointRemovalWaits({ inBoundaryFinally: false, char: 'r' })).toBe(false);
    expect(breakpointRemovalWaits({ inBoundaryFinally: false, char: undefined })).toBe(false);
  });

  test("V8's refusal to restart has one wording, and true or unknown is no refusal", () => {
    expect(v8RestartRefusal({ index: 2, name: 'main', async: true, canBeRestarted: false })).toBe('frame 2 (main) cannot be restarted: it is an async function that has already awaited');
    expect(v8RestartRefusal({ index: 1, name: 'cb', async: false, canBeRestarted: false })).toBe('V8 says frame 1 (cb) cannot be restarted (a native call lies between it and the top of the stack)');
    expect(v8RestartRefusal({ index: 0, name: 'f', async: false, canBeRestarted: true })).toBeNull();
    expect(v8RestartRefusal({ index: 0, name: 'f', async: true, canBeRestarted: undefined })).toBeNull();
  });
});
