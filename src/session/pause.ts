// Pure: what kind of stop the program is at (docs/v8.md, At a pause). What V8 lets us do there: ./v8-rules.ts.
import type { Protocol } from 'devtools-protocol';

/**
 * - unhandled: an exception thrown in (or through) the program's code that the program's own code does
 *   not catch: uncaught, or caught by a library, node's code or a promise handler (session/unhandled.ts).
 * - uncaught: only what nothing catches. - all: every exception. - none: never.
 */
export type BreakOn = 'unhandled' | 'uncaught' | 'all' | 'none';
export const BREAK_ON_MODES: readonly BreakOn[] = ['unhandled', 'uncaught', 'all', 'none'];

/**
 * - exception: stopped as an exception is thrown. Restarting a frame or a top-frame edit aborts the
 *   process here; one step moves on to the nearest handler (a retry boundary), where both are safe.
 * - interrupt: stopped by Debugger.pause (Ctrl+C) wherever the program was, maybe in optimized code:
 *   restart aborts until a step has been taken.
 * - break: a breakpoint or a `debugger` statement. Safe.
 * - step: a step, or a frame restart, finished. Safe.
 */
export type PauseKind = 'exception' | 'interrupt' | 'break' | 'step';

export interface Pause {
  kind: PauseKind;
  callFrames: Protocol.Debugger.CallFrame[];
  /** The exception, for an exception pause. */
  exception?: Protocol.Runtime.RemoteObject;
  /** Would the exception end the program (nothing catches it)? */
  uncaught?: boolean;
  /**
   * For a caught exception stopped by the `unhandled` mode: the code that will take it on `cont` (null:
   * no frame on the stack catches it, a promise handler does).
   */
  catcher?: { origin: string; name: string; frame: number } | null;
  /**
   * An uncaught exception shown at an earlier stop, where something caught it (node's or a library's
   * code) and threw it again: nothing catches it now.
   */
  thrownAgain?: boolean;
  /**
   * Node is about to end the program (or worker thread) with this exception: the preload's last chance
   * stopped there (inject/preload.ts, LAST_CHANCE_FRAME), for an exception no stop had shown as uncaught
   * (V8 took it for caught, or rejected a promise in its own code, as Promise.any does).
   */
  ending?: boolean;
  /** A SyntaxError node met compiling one of the program's files: where it is (session/load-error.ts). */
  loadError?: { file: string; line: number; column: number; message: string; text: string };
  /** Our breakpoint ids that were hit. */
  hitBreakpoints: string[];
  /** Was it a promise rejection (thrown in an async function)? */
  rejection: boolean;
}

export interface PauseContext {
  /**
   * What we asked V8 for since the last pause: nothing, a pause (Debugger.pause: Ctrl+C), or a step
   * (or a frame restart). A pause asked for after a step that ran on (it did not stop in time)
   * replaces the step: wherever it lands, it is an interrupt (made safe before any restart).
   */
  asked: 'nothing' | 'interrupt' | 'step';
  /**
   * V8 may still finish the last step we asked for: the pause that came after it was another one (a
   * breakpoint, an exception). A step across an `await` ends only when the async function goes on,
   * and a resume in between does not cancel it; a new step does (docs/v8.md).
   */
  stepArmed: boolean;
}

export function classifyPause(event: Protocol.Debugger.PausedEvent, ctx: PauseContext): Pause {
  const hit = event.hitBreakpoints ?? [];
  const base = { callFrames: event.callFrames, hitBreakpoints: hit, rejection: event.reason === 'promiseRejection' };
  if (event.reason === 'exception' || event.reason === 'promiseRejection') {
    const data = (event.data ?? {}) as Protocol.Runtime.RemoteObject & { uncaught?: boolean };
    return { ...base, kind: 'exception', exception: data, uncaught: data.uncaught === true };
  }
  if (hit.length > 0) return { ...base, kind: 'break' };
  // A pause we asked for: treat it as an interrupt even if it landed on a `debugger` statement, or
  // where a step that ran on (it did not stop in time) may have ended: an interrupt is the kind that
  // is made safe before anything restarts.
  if (ctx.asked === 'interrupt') return { ...base, kind: 'interrupt' };
  if (ctx.asked === 'step') return { ...base, kind: 'step' };
  return { ...base, kind: 'break' };
}

/** Where a frame is, stable across steps: its distance from the bottom of the stack. */
export function depthOf(frames: readonly unknown[], index: number): number {
  return frames.length - 1 - index;
}

/** The name of the preload's function that stops where node is about to end the program with an exception (inject/preload.ts). */
export const LAST_CHANCE_FRAME = '__ecLastChance';
