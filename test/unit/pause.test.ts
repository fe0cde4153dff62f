import type { Protocol } from 'devtools-protocol';
import { classifyPause, depthOf, type PauseContext, type PauseKind } from '../../src/session/pause';
import { atDebuggerStatement, endsStep, isSafe, maybeLeftoverStep } from '../../src/session/v8-rules';

type PausedEvent = Protocol.Debugger.PausedEvent;
type CallFrame = Protocol.Debugger.CallFrame;

function callFrame(n: number): CallFrame {
  return {
    callFrameId: `cf${n}`,
    functionName: `f${n}`,
    location: { scriptId: '42', lineNumber: n, columnNumber: 0 },
    url: 'file:///app/job.js',
    scopeChain: [],
    this: { type: 'undefined' },
    canBeRestarted: true,
  };
}

const FRAMES = [callFrame(0), callFrame(1), callFrame(2)];

function event(reason: PausedEvent['reason'], over: Partial<PausedEvent> = {}): PausedEvent {
  return { callFrames: FRAMES, reason, ...over };
}

function errorData(uncaught?: boolean): Record<string, unknown> {
  const d: Record<string, unknown> = { type: 'object', subtype: 'error', className: 'Error', description: 'Error: boom\n    at f0 (job.js:1:1)', objectId: 'e1' };
  if (uncaught !== undefined) d.uncaught = uncaught;
  return d;
}

const NONE: PauseContext = { asked: 'nothing', stepArmed: false };
const STEPPING: PauseContext = { asked: 'step', stepArmed: true };
const INTERRUPT: PauseContext = { asked: 'interrupt', stepArmed: false };
/** Ctrl+C after a step that ran on: the interrupt replaces the step, which stays armed. */
const BOTH: PauseContext = { asked: 'interrupt', stepArmed: true };
/** A step was asked for, another stop came first, and the program was let go: V8 may still end the step. */
const ARMED: PauseContext = { asked: 'nothing', stepArmed: true };

describe('classifyPause', () => {
  describe('exceptions', () => {
    test("reason 'exception' is an exception pause carrying the thrown value", () => {
      const data = errorData(true);
      const p = classifyPause(event('exception', { data }), NONE);
      expect(p.kind).toBe('exception');
      expect(p.exception).toMatchObject({ type: 'object', subtype: 'error', description: 'Error: boom\n    at f0 (job.js:1:1)' });
      expect(p.rejection).toBe(false);
    });

    test('uncaught comes from data.uncaught = true', () => {
      expect(classifyPause(event('exception', { data: errorData(true) }), NONE).uncaught).toBe(true);
    });

    test('data.uncaught = false is a caught exception', () => {
      expect(classifyPause(event('exception', { data: errorData(false) }), NONE).uncaught).toBe(false);
    });

    test('a missing data.uncaught counts as caught', () => {
      expect(classifyPause(event('exception', { data: errorData() }), NONE).uncaught).toBe(false);
    });

    test('a truthy but non-boolean data.uncaught is not taken as uncaught', () => {
      expect(classifyPause(event('exception', { data: { ...errorData(), uncaught: 'yes' } }), NONE).uncaught).toBe(false);
    });

    test('an exception pause without data is still an exception, caught', () => {
      const p = classifyPause(event('exception'), NONE);
      expect(p.kind).toBe('exception');
      expect(p.uncaught).toBe(false);
    });

    test("reason 'promiseRejection' is an exception pause with the rejection flag", () => {
      const data = { type: 'string', value: 'nope', uncaught: true };
      const p = classifyPause(event('promiseRejection', { data }), NONE);
      expect(p.kind).toBe('exception');
      expect(p.rejection).toBe(true);
      expect(p.uncaught).toBe(true);
      expect(p.exception).toMatchObject({ type: 'string', value: 'nope' });
    });

    test('a caught promise rejection', () => {
      const p = classifyPause(event('promiseRejection', { data: errorData(false) }), NONE);
      expect(p).toMatchObject({ kind: 'exception', rejection: true, uncaught: false });
    });
  });

  describe('breakpoints', () => {
    test('hitBreakpoints → break, with the ids passed through', () => {
      const p = classifyPause(event('other', { hitBreakpoints: ['1:12:0:job.js', 'bp-2'] }), NONE);
      expect(p.kind).toBe('break');
      expect(p.hitBreakpoints).toEqual(['1:12:0:job.js', 'bp-2']);
      expect(p.rejection).toBe(false);
      expect(p.exception).toBeUndefined();
      expect(p.uncaught).toBeUndefined();
    });

    test('an empty hitBreakpoints list is not a breakpoint hit (stepping wins)', () => {
      expect(classifyPause(event('other', { hitBreakpoints: [] }), STEPPING).kind).toBe('step');
    });

    test('missing hitBreakpoints becomes an empty list', () => {
      expect(classifyPause(event('other'), NONE).hitBreakpoints).toEqual([]);
    });
  });

  describe('steps and interrupts', () => {
    test('stepping context → step', () => {
      const p = classifyPause(event('other'), STEPPING);
      expect(p.kind).toBe('step');
      expect(p.hitBreakpoints).toEqual([]);
    });

    test("a step reported with reason 'step' → step", () => {
      expect(classifyPause(event('step'), STEPPING).kind).toBe('step');
    });

    test('asked for an interrupt → interrupt', () => {
      expect(classifyPause(event('other'), INTERRUPT).kind).toBe('interrupt');
    });

    test("a requested pause landing on a debugger statement ('debugCommand') is still an interrupt", () => {
      expect(classifyPause(event('debugCommand'), INTERRUPT).kind).toBe('interrupt');
    });
  });

  describe('plain pauses', () => {
    test.each(['other', 'debugCommand'] as const)("'%s' with no context → break", (reason) => {
      expect(classifyPause(event(reason), NONE).kind).toBe('break');
    });
  });

  describe('precedence', () => {
    test.each([
      ['exception', STEPPING],
      ['exception', INTERRUPT],
      ['exception', BOTH],
      ['promiseRejection', STEPPING],
      ['promiseRejection', INTERRUPT],
    ] as [PausedEvent['reason'], PauseContext][])('%s wins over context %j', (reason, ctx) => {
      expect(classifyPause(event(reason, { data: errorData(true) }), ctx).kind).toBe('exception');
    });

    test('an exception wins over a breakpoint hit', () => {
      const p = classifyPause(event('exception', { data: errorData(true), hitBreakpoints: ['bp'] }), NONE);
      expect(p.kind).toBe('exception');
      expect(p.hitBreakpoints).toEqual(['bp']);
    });

    test('a breakpoint hit wins over interrupt', () => {
      expect(classifyPause(event('other', { hitBreakpoints: ['bp'] }), INTERRUPT).kind).toBe('break');
    });

    test('a breakpoint hit wins over stepping', () => {
      expect(classifyPause(event('other', { hitBreakpoints: ['bp'] }), STEPPING).kind).toBe('break');
    });

    // A step that ran on (no stop in time) leaves stepping set; a Ctrl+C after it may land anywhere, in
    // optimized code too, where a restart aborts the process: it must count as an interrupt (made safe
    // by a step before any restart), not as a safe step pause.
    test('interrupt wins over stepping', () => {
      expect(classifyPause(event('other'), BOTH).kind).toBe('interrupt');
    });
  });

  test('call frames are passed through unchanged', () => {
    for (const reason of ['exception', 'other'] as const) {
      expect(classifyPause(event(reason, { data: errorData(true) }), NONE).callFrames).toBe(FRAMES);
    }
  });

  test('rejection is false for every reason but promiseRejection', () => {
    for (const reason of ['exception', 'other', 'debugCommand', 'step', 'assert'] as const) {
      expect(classifyPause(event(reason, { data: errorData(true) }), NONE).rejection).toBe(false);
    }
  });
});

describe('isSafe', () => {
  test.each([
    ['break', true],
    ['step', true],
    ['exception', false],
    ['interrupt', false],
  ] as [PauseKind, boolean][])('%s → %p', (kind, safe) => {
    expect(isSafe(kind)).toBe(safe);
  });
});

describe('depthOf', () => {
  test('the top frame (index 0) is deepest; the bottom frame has depth 0', () => {
    expect(depthOf(FRAMES, 0)).toBe(2);
    expect(depthOf(FRAMES, 1)).toBe(1);
    expect(depthOf(FRAMES, 2)).toBe(0);
  });

  test('a single frame', () => {
    expect(depthOf(['only'], 0)).toBe(0);
  });

  test('depth is stable when a step pushes a frame on top', () => {
    const before = ['caller', 'main'];
    const after = ['callee', 'caller', 'main'];
    // 'caller' is index 0 before and index 1 after: same depth.
    expect(depthOf(after, 1)).toBe(depthOf(before, 0));
  });
});

describe('maybeLeftoverStep: V8 ending a step the user moved on from (an async step across an await)', () => {
  test("reason 'step' (node 22+) with a step armed and none asked for now", () => {
    expect(maybeLeftoverStep(event('step'), ARMED)).toBe(true);
  });

  test("reason 'other' (node 20 steps; also a debugger statement, which the caller checks)", () => {
    expect(maybeLeftoverStep(event('other'), ARMED)).toBe(true);
  });

  test('not when no step is armed: a debugger statement, or a pause nobody explains, is shown', () => {
    expect(maybeLeftoverStep(event('step'), NONE)).toBe(false);
    expect(maybeLeftoverStep(event('other'), NONE)).toBe(false);
  });

  test('not while a step is asked for: that is its own pause', () => {
    expect(maybeLeftoverStep(event('step'), STEPPING)).toBe(false);
  });

  test('not when Ctrl+C asked for a pause', () => {
    expect(maybeLeftoverStep(event('other'), { ...ARMED, asked: 'interrupt' })).toBe(false);
  });

  test('never a breakpoint hit or an exception', () => {
    expect(maybeLeftoverStep(event('other', { hitBreakpoints: ['bp'] }), ARMED)).toBe(false);
    expect(maybeLeftoverStep(event('exception', { data: errorData(true) }), ARMED)).toBe(false);
    expect(maybeLeftoverStep(event('promiseRejection', { data: errorData(true) }), ARMED)).toBe(false);
  });
});

describe('atDebuggerStatement', () => {
  const text = 'function f() {\n  let a = 1;\n    debugger; a++;\n  return a; // debugger\n}';
  test('at the keyword', () => {
    expect(atDebuggerStatement(text, text.indexOf('debugger'))).toBe(true);
  });
  test('elsewhere', () => {
    expect(atDebuggerStatement(text, text.indexOf('a++'))).toBe(false);
    expect(atDebuggerStatement(text, text.indexOf('return'))).toBe(false);
  });
  test('a longer name is not the keyword', () => {
    expect(atDebuggerStatement('debuggerOn = 1;', 0)).toBe(false);
  });
  test('the end of the text', () => {
    expect(atDebuggerStatement('debugger', 0)).toBe(true);
    expect(atDebuggerStatement('x', 5)).toBe(false);
  });
});

describe("endsStep: is the pause after a step the step's own end?", () => {
  test('a plain step pause ends it', () => {
    expect(endsStep(classifyPause(event('step'), STEPPING))).toBe(true);
    expect(endsStep(classifyPause(event('other'), STEPPING))).toBe(true);
  });
  test('a breakpoint hit or an exception that came first does not', () => {
    expect(endsStep(classifyPause(event('other', { hitBreakpoints: ['bp'] }), STEPPING))).toBe(false);
    expect(endsStep(classifyPause(event('exception', { data: errorData(true) }), STEPPING))).toBe(false);
  });
});
