// The pause session's decisions, one transition at a time: next() is pure (PauseSession is its shell,
// driven against real node processes in test/e2e/prompt.test.ts and retry-related.test.ts).
import { contextOf, currentPause, initialPauseState, interruptPending, next, type PauseEffect, type PauseInput, type PauseState } from '../../src/session/pause-state';
import type { Pause, PauseKind } from '../../src/session/pause';

const pause = (kind: PauseKind, hitBreakpoints: string[] = []): Pause => ({ kind, callFrames: [], hitBreakpoints, rejection: false });

/** A session driven through inputs; what the last one did is kept. */
class Session {
  state: PauseState = initialPauseState();
  effects: PauseEffect[] = [];
  feed(...inputs: PauseInput[]): this {
    for (const input of inputs) {
      const r = next(this.state, input);
      this.state = r.state;
      this.effects = r.effects;
    }
    return this;
  }
  get asked() { return contextOf(this.state).asked; }
}

describe('next: stops and who hears of them', () => {
  test('a stop nobody waits for is told to the listeners; the resume is told once, though V8 and our answer both say it', () => {
    const s = new Session();
    const p = pause('break', ['bp']);
    s.feed({ on: 'paused', pause: p, awaited: false });
    expect(currentPause(s.state)).toBe(p);
    expect(s.effects).toEqual([{ do: 'tell-paused', pause: p }]);
    s.feed({ on: 'resume' });
    expect(currentPause(s.state)).toBeNull();
    expect(s.effects).toEqual([]);
    s.feed({ on: 'resumed' });
    expect(s.effects).toEqual([{ do: 'tell-resumed' }]);
    s.feed({ on: 'resume-answered', stoppedAgain: false });
    expect(s.effects).toEqual([]);
  });

  test('our resume answered first tells the listeners; V8\'s event after it says nothing more', () => {
    const s = new Session().feed({ on: 'paused', pause: pause('break'), awaited: false }, { on: 'resume' }, { on: 'resume-answered', stoppedAgain: false });
    expect(s.effects).toEqual([{ do: 'tell-resumed' }]);
    s.feed({ on: 'resumed' });
    expect(s.effects).toEqual([]);
  });

  test('a stop that came before the resume\'s answer is news of its own: the answer does not close it', () => {
    const s = new Session().feed({ on: 'paused', pause: pause('break'), awaited: false }, { on: 'resume' }, { on: 'resumed' });
    const again = pause('break', ['bp2']);
    s.feed({ on: 'paused', pause: again, awaited: false });
    expect(s.effects).toEqual([{ do: 'tell-paused', pause: again }]);
    s.feed({ on: 'resume-answered', stoppedAgain: true });
    expect(s.effects).toEqual([]);
    expect(currentPause(s.state)).toBe(again);
  });

  test('a resume nobody was told of the stop of tells nobody', () => {
    const s = new Session().feed({ on: 'quiet' }, { on: 'paused', pause: pause('break'), awaited: false });
    expect(s.effects).toEqual([]);
    s.feed({ on: 'resume' }, { on: 'resume-answered', stoppedAgain: false });
    expect(s.effects).toEqual([]);
  });

  test('a stop a call of ours waits for goes to it, not to the listeners', () => {
    const s = new Session();
    const p = pause('step');
    s.feed({ on: 'paused', pause: p, awaited: true });
    expect(s.effects).toEqual([{ do: 'hand-to-waiters', pause: p }]);
    expect(s.state.told).toBe(false);
  });
});

describe('next: steps and interrupts', () => {
  test('a quiet step: the listeners hear of neither its resume nor its stop; the resume after it is told, once', () => {
    const s = new Session().feed({ on: 'paused', pause: pause('break', ['bp']), awaited: false });
    s.feed({ on: 'quiet' }, { on: 'move' });
    expect(s.state.phase).toEqual({ is: 'stepping' });
    expect(s.asked).toBe('step');
    s.feed({ on: 'resumed' });
    expect(s.effects).toEqual([]);
    expect(s.state.phase).toEqual({ is: 'stepping' }); // V8 says it runs: our step is still on its way
    const landed = pause('step');
    s.feed({ on: 'paused', pause: landed, awaited: true }, { on: 'quiet-end', before: false });
    expect(s.state.stepArmed).toBe(false);
    expect(s.state.quiet).toBe(false);
    s.feed({ on: 'resume' }, { on: 'resumed' });
    expect(s.effects).toEqual([{ do: 'tell-resumed' }]);
  });

  test('a step that ends at a breakpoint or an exception stays armed (V8 may still finish it)', () => {
    for (const other of [pause('break', ['bp']), pause('exception')]) {
      const s = new Session().feed({ on: 'paused', pause: pause('break'), awaited: false }, { on: 'move' }, { on: 'paused', pause: other, awaited: true });
      expect(s.state.stepArmed).toBe(true);
      expect(contextOf(s.state)).toEqual({ asked: 'nothing', stepArmed: true });
      s.feed({ on: 'leftover-let-go' });
      expect(s.state.stepArmed).toBe(false);
    }
  });

  test('a refused step leaves the program where it was; a stop that came meanwhile stands', () => {
    const p = pause('break');
    const s = new Session().feed({ on: 'paused', pause: p, awaited: false }, { on: 'move' }, { on: 'move-refused', pause: p });
    expect(currentPause(s.state)).toBe(p);
    expect(s.asked).toBe('nothing');
    const other = pause('exception');
    s.feed({ on: 'move' }, { on: 'paused', pause: other, awaited: true }, { on: 'move-refused', pause: p });
    expect(currentPause(s.state)).toBe(other);
    // a Ctrl+C taken while the step was going out: the program is still stopped where it was
    s.feed({ on: 'move' }, { on: 'interrupt' }, { on: 'move-refused', pause: p });
    expect(currentPause(s.state)).toBe(p);
  });

  test('Ctrl+C: asked only while running; after a step that ran on it replaces the step', () => {
    const s = new Session().feed({ on: 'interrupt' });
    expect(s.asked).toBe('interrupt');
    const stopped = new Session().feed({ on: 'paused', pause: pause('break'), awaited: false }, { on: 'interrupt' });
    expect(stopped.state.phase.is).toBe('paused');
    const ranOn = new Session().feed({ on: 'paused', pause: pause('break'), awaited: false }, { on: 'move' }, { on: 'interrupt' }, { on: 'interrupt-answered', queued: true });
    expect(ranOn.asked).toBe('interrupt');
    expect(ranOn.state.stepArmed).toBe(true);
    ranOn.feed({ on: 'resumed' });
    expect(ranOn.asked).toBe('interrupt');
    ranOn.feed({ on: 'paused', pause: pause('interrupt'), awaited: false });
    expect(ranOn.asked).toBe('nothing');
  });

  test('quietly() nested: the inner end keeps the outer quiet; a resume inside ends it for good', () => {
    const s = new Session().feed({ on: 'quiet' }, { on: 'quiet' }, { on: 'quiet-end', before: true });
    expect(s.state.quiet).toBe(true);
    s.feed({ on: 'paused', pause: pause('step'), awaited: false }, { on: 'resume' }, { on: 'quiet-end', before: true });
    expect(s.state.quiet).toBe(false);
  });
});

describe('next: a Debugger.pause still queued in V8', () => {
  const sent = (queued: boolean): PauseInput[] => [{ on: 'interrupt' }, { on: 'interrupt-answered', queued }];
  const letGo = (kind: PauseKind): PauseInput[] => [{ on: 'paused', pause: pause(kind), awaited: false }, { on: 'resume' }, { on: 'resumed' }];

  test('an exception stop after the answer does not use the request up: the next stop is still an interrupt, not a break', () => {
    const s = new Session().feed(...sent(true), ...letGo('exception'));
    expect(s.asked).toBe('interrupt');
    expect(interruptPending(s.state)).toBe(true);
    s.feed(...letGo('interrupt'));
    expect(s.asked).toBe('nothing');
    expect(interruptPending(s.state)).toBe(false);
  });

  test('a stop before the answer: V8 dropped the request, nothing stays queued, and it may be asked again', () => {
    const s = new Session().feed({ on: 'interrupt' }, { on: 'paused', pause: pause('exception'), awaited: false }, { on: 'interrupt-answered', queued: false }, { on: 'resume' }, { on: 'resumed' });
    expect(interruptPending(s.state)).toBe(false);
    expect(s.asked).toBe('nothing');
  });

  test('while a request is unanswered, asking again is not allowed and every stop but an exception or a breakpoint is an interrupt', () => {
    const s = new Session().feed({ on: 'interrupt' });
    expect(interruptPending(s.state)).toBe(true);
    s.feed({ on: 'paused', pause: pause('break', ['bp']), awaited: false }, { on: 'resume' }, { on: 'resumed' }, { on: 'move' });
    expect(s.asked).toBe('interrupt');
  });

  test('two queued requests: the stop that ends a step taken from the first interrupt is the second interrupt (a restart from it would abort); the next step\'s end is a step', () => {
    const s = new Session().feed(...sent(true), ...letGo('exception'), ...sent(true));
    s.feed({ on: 'paused', pause: pause('interrupt'), awaited: false });
    // the prompt's restart makes the pause safe: a step goes out, and the second request stops it first
    s.feed({ on: 'move' });
    expect(s.asked).toBe('interrupt');
    s.feed({ on: 'paused', pause: pause('interrupt'), awaited: true });
    s.feed({ on: 'move' });
    expect(s.asked).toBe('step');
  });

  test('an interrupt stop that comes while another request is unanswered keeps the count: it cannot be told whose it is', () => {
    const s = new Session().feed(...sent(true), { on: 'interrupt' });
    s.feed({ on: 'paused', pause: pause('interrupt'), awaited: false }, { on: 'interrupt-answered', queued: false }, { on: 'move' });
    expect(s.asked).toBe('interrupt');
  });
});
