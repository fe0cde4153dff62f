// Pure: what kind of stop the program is at, and what V8 lets us do there (docs/v8.md §1–2).
import type { Protocol } from 'devtools-protocol';

export type BreakOn = 'uncaught' | 'all' | 'none';

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
  /** Our breakpoint ids that were hit. */
  hitBreakpoints: string[];
  /** Was it a promise rejection (thrown in an async function)? */
  rejection: boolean;
}

export interface PauseContext {
  /** We asked for Debugger.pause and no pause has come since. */
  interruptRequested: boolean;
  /** We asked for a step (or a frame restart) and no pause has come since. */
  stepping: boolean;
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
  if (ctx.interruptRequested) return { ...base, kind: 'interrupt' };
  if (ctx.stepping) return { ...base, kind: 'step' };
  return { ...base, kind: 'break' };
}

/**
 * Is this pause V8 finishing a step that the user has moved on from (they went on from another stop
 * that came first)? Only a step or a `debugger` statement pause V8 for reason 'other' with no
 * breakpoint hit (node 20 says 'other' for steps too, 22+ say 'step'): for 'other', the caller must
 * also see that no `debugger` statement is there (`atDebuggerStatement`).
 */
export function maybeLeftoverStep(event: Protocol.Debugger.PausedEvent, ctx: PauseContext): boolean {
  if (!ctx.stepArmed || ctx.stepping || ctx.interruptRequested) return false;
  if ((event.hitBreakpoints ?? []).length > 0) return false;
  return event.reason === 'step' || event.reason === 'other';
}

/** Does the pause's position hold a `debugger` statement? (V8 stops at its keyword) */
export function atDebuggerStatement(text: string, offset: number): boolean {
  return /^debugger\b/.test(text.slice(offset, offset + 9));
}

/**
 * Does the pause at this offset stand on a statement V8 emits no code for (the retry boundary's
 * `void 0xEC`, another `void <literal>`, a bare literal or `undefined`) with nothing but closing
 * braces, semicolons and comments after it up to `end` (the function's end)? There, on node 24 and
 * 26, a change to the script's debug state (an `Ok` edit of it, or removing the function's last breakpoint)
 * followed by a step aborts the process (docs/v8.md, "Changing the script where the program stands
 * at a function's end").
 */
export function atCodelessEnd(text: string, offset: number, end: number): boolean {
  const m = /^(?:void\s+)?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?|undefined|null|true|false)\s*;?/.exec(text.slice(offset, end));
  if (!m) return false;
  const rest = text.slice(offset + m[0].length, end).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  return /^[\s;}]*$/.test(rest);
}

/** After the pause that follows a step: is V8 done with that step? (not if another stop came first) */
export function endsStep(pause: Pause): boolean {
  return pause.kind !== 'exception' && pause.hitBreakpoints.length === 0;
}

/** May this pause restart frames and edit the top frame? */
export function isSafe(kind: PauseKind): boolean {
  return kind === 'break' || kind === 'step';
}

/** Where a frame is, stable across steps: its distance from the bottom of the stack. */
export function depthOf(frames: readonly unknown[], index: number): number {
  return frames.length - 1 - index;
}
