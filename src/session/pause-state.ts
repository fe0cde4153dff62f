// Pure: what the pause session is doing, and how each thing that happens moves it on.
//
// PauseSession (./pause-session.ts) is the shell: it owns the CDP calls, the timers and the listeners,
// feeds what happens into `next`, and carries out the effects it answers. What a V8 stop is (an
// interrupt, the end of our step) and who hears of it is decided here.
import type { Pause, PauseContext } from './pause';
import { endsStep } from './v8-rules';

/** Where the program is, as far as our own requests go. */
export type Phase =
  /** It runs, and nothing of ours is on its way. */
  | { is: 'running' }
  /** It runs, and we asked it to stop (Ctrl+C: Debugger.pause): wherever it stops is an interrupt. */
  | { is: 'interrupting' }
  /**
   * A step or frame restart of ours is on its way to the stop it ends in (it stays so when that stop
   * does not come in time, the program ran on: the next stop is still taken as the step's, until a
   * Ctrl+C asks for an interrupt instead).
   */
  | { is: 'stepping' }
  /** Stopped. */
  | { is: 'paused'; pause: Pause };

export interface PauseState {
  phase: Phase;
  /**
   * V8 may still finish the last step we asked for: the stop that came after it was another one (a
   * breakpoint, an exception). A step across an `await` ends only when the async function goes on,
   * and a resume in between does not cancel it; a new step does (docs/v8.md).
   */
  stepArmed: boolean;
  /** The listeners were told of a stop, and not yet that the program goes on. */
  told: boolean;
  /** The session moves the program itself (a step, a retry): listeners hear of none of its stops. A resume ends it. */
  quiet: boolean;
  /**
   * Debugger.pause requests V8 has queued and not yet stopped for. V8 queues each request that reaches
   * it while the program runs as an interrupt of its own; a stop that comes first (an exception let go
   * unseen, a step's end) does not use it up, and it stops the program later, wherever it runs. One
   * that reaches V8 while it stands at a stop is dropped, and so is one read after V8 answered a resume
   * but before it left the stop: so a request goes out only once V8 has said it left its last stop.
   * Which of the two happened then shows in the order of V8's messages: V8 answers as it reads the
   * request, so a stop before the answer means V8 was stopped when it read it, or stopped for it at
   * once; either way nothing of it stays queued ('interrupt-answered'). While a request is queued or
   * unanswered, every stop that is not an exception or a breakpoint may be its stop, and is taken as
   * an interrupt: restarting a frame from an interrupt taken for a step's end aborts the process
   * (docs/v8.md, "A queued Debugger.pause").
   * Where it cannot be told which request a stop answered, the count stays high: that costs one more
   * step before a restart, never a wrong "safe".
   */
  interruptsOut: number;
  /** A Debugger.pause is on its way to V8 and not answered yet. */
  interruptInFlight: boolean;
}

export function initialPauseState(): PauseState {
  return { phase: { is: 'running' }, stepArmed: false, told: false, quiet: false, interruptsOut: 0, interruptInFlight: false };
}

export type PauseInput =
  /** V8 stopped (`pause` classified with contextOf); `awaited`: a call of ours waits for this stop. */
  | { on: 'paused'; pause: Pause; awaited: boolean }
  /** V8 said the program runs (its `resumed` event). */
  | { on: 'resumed' }
  /** Debugger.pause goes out (Ctrl+C). */
  | { on: 'interrupt' }
  /** Its answer came; `queued`: no stop came before it (V8 read it while the program ran and queued it). */
  | { on: 'interrupt-answered'; queued: boolean }
  /** A step or frame restart goes out. */
  | { on: 'move' }
  /** V8 refused that step or restart: the program is still stopped at `pause`. */
  | { on: 'move-refused'; pause: Pause }
  /** Debugger.resume goes out. */
  | { on: 'resume' }
  /** Its answer came; `stoppedAgain`: the program stopped again before it (that stop is news of its own). */
  | { on: 'resume-answered'; stoppedAgain: boolean }
  /** A stop that ended a step the user had moved on from is let go of (v8-rules.ts, maybeLeftoverStep). */
  | { on: 'leftover-let-go' }
  /** quietly() begins; `end` with what it found when it began. */
  | { on: 'quiet' }
  | { on: 'quiet-end'; before: boolean };

export type PauseEffect =
  /** Hand the stop to the calls of ours that wait for it. */
  | { do: 'hand-to-waiters'; pause: Pause }
  /** Tell the pause listeners of the stop. */
  | { do: 'tell-paused'; pause: Pause }
  /** Tell the resume listeners that the program goes on. */
  | { do: 'tell-resumed' };

export interface PauseStep { state: PauseState; effects: PauseEffect[] }

/** What classifyPause and maybeLeftoverStep need to know of the state (session/pause.ts, v8-rules.ts). */
export function contextOf(s: PauseState): PauseContext {
  const asked = s.phase.is === 'interrupting' || s.interruptsOut > 0 || s.interruptInFlight ? 'interrupt' : s.phase.is === 'stepping' ? 'step' : 'nothing';
  return { asked, stepArmed: s.stepArmed };
}

/** Is a Debugger.pause queued in V8 or on its way there? Then asking again would give a second stop. */
export function interruptPending(s: PauseState): boolean {
  return s.interruptsOut > 0 || s.interruptInFlight;
}

/** The stop the program is at, if it is stopped. */
export function currentPause(s: PauseState): Pause | null {
  return s.phase.is === 'paused' ? s.phase.pause : null;
}

const RUNNING: Phase = { is: 'running' };

export function next(s: PauseState, input: PauseInput): PauseStep {
  switch (input.on) {
    case 'paused': {
      const { pause } = input;
      const stepArmed = s.phase.is === 'stepping' && endsStep(pause) ? false : s.stepArmed;
      const phase: Phase = { is: 'paused', pause };
      // an interrupt stop answers a queued request; while one is unanswered it cannot be told whose it is: keep the count
      const interruptsOut = pause.kind === 'interrupt' && !s.interruptInFlight ? Math.max(0, s.interruptsOut - 1) : s.interruptsOut;
      if (input.awaited) return { state: { ...s, phase, stepArmed, interruptsOut }, effects: [{ do: 'hand-to-waiters', pause }] };
      if (s.quiet) return { state: { ...s, phase, stepArmed, interruptsOut }, effects: [] };
      return { state: { ...s, phase, stepArmed, interruptsOut, told: true }, effects: [{ do: 'tell-paused', pause }] };
    }
    case 'resumed': {
      // our own step or interrupt stays on its way: V8 says it runs after a step goes out
      const phase = s.phase.is === 'paused' ? RUNNING : s.phase;
      return s.quiet ? { state: { ...s, phase }, effects: [] } : goneOn({ ...s, phase });
    }
    case 'interrupt':
      if (s.phase.is === 'paused') return { state: s, effects: [] };
      return { state: { ...s, phase: { is: 'interrupting' }, interruptInFlight: true }, effects: [] };
    case 'interrupt-answered':
      return { state: { ...s, interruptInFlight: false, interruptsOut: s.interruptsOut + (input.queued ? 1 : 0) }, effects: [] };
    case 'move':
      return { state: { ...s, phase: { is: 'stepping' }, stepArmed: true }, effects: [] };
    case 'move-refused':
      // a stop that came meanwhile stands; else the program is where it was (a Ctrl+C taken while the
      // step was going out asked a stopped program to stop: it is stopped)
      if (s.phase.is === 'paused') return { state: s, effects: [] };
      return { state: { ...s, phase: { is: 'paused', pause: input.pause } }, effects: [] };
    case 'resume':
      return { state: { ...s, phase: RUNNING, quiet: false }, effects: [] };
    case 'resume-answered':
      return input.stoppedAgain ? { state: s, effects: [] } : goneOn(s);
    case 'leftover-let-go':
      return { state: { ...s, stepArmed: false }, effects: [] };
    case 'quiet':
      return { state: { ...s, quiet: true }, effects: [] };
    case 'quiet-end':
      return { state: { ...s, quiet: input.before && s.quiet }, effects: [] };
  }
}

/** Tell resume listeners once per stop they were told of (V8's event and our own resume both come). */
function goneOn(s: PauseState): PauseStep {
  if (!s.told) return { state: s, effects: [] };
  return { state: { ...s, told: false }, effects: [{ do: 'tell-resumed' }] };
}
