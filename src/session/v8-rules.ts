// Pure: what V8 lets the session do while the program is stopped, one predicate per fact, each
// citing the part of docs/v8.md that records it. The one rule for a running program
// (setScriptSource without allowTopFrameEditing) lives with the patch engine (src/patch/engine.ts);
// which frames a user may restart, on top of these facts, is ./frame-rules.ts.
import type { Protocol } from 'devtools-protocol';
import type { Pause, PauseContext, PauseKind } from './pause';

/**
 * May this pause restart frames and edit the top frame? Only at a breakpoint, a `debugger` statement
 * or a completed step. At an exception pause, or an unstepped interrupt pause in optimized code, both
 * abort the process (docs/v8.md, "At a pause": one step first makes the pause safe).
 */
export function isSafe(kind: PauseKind): boolean {
  return kind === 'break' || kind === 'step';
}

/**
 * Is this pause V8 finishing a step the user has moved on from? A step across an `await` ends only
 * when the async function goes on, and a resume does not cancel it (docs/v8.md, "A step across an
 * `await`"). Node 20 says 'other' for steps, 22+ 'step'; a `debugger` statement also says 'other',
 * so for 'other' the caller must also see that no `debugger` statement is there (atDebuggerStatement).
 */
export function maybeLeftoverStep(event: Protocol.Debugger.PausedEvent, ctx: PauseContext): boolean {
  if (!ctx.stepArmed || ctx.asked !== 'nothing') return false;
  if ((event.hitBreakpoints ?? []).length > 0) return false;
  return event.reason === 'step' || event.reason === 'other';
}

/** Does the pause's position hold a `debugger` statement? V8 stops at its keyword (docs/v8.md, same section). */
export function atDebuggerStatement(text: string, offset: number): boolean {
  return /^debugger\b/.test(text.slice(offset, offset + 9));
}

/** After the pause that follows a step: is V8 done with that step? Not if another stop came first (docs/v8.md). */
export function endsStep(pause: Pause): boolean {
  return pause.kind !== 'exception' && pause.hitBreakpoints.length === 0;
}

/**
 * Must the removal of a breakpoint the program stands at wait until it has moved on? At a function's
 * end inside the retry boundary's finally (or on a `}`), removing it and then stepping aborts node
 * 24 and 26 ("Invalid bytecode"); elsewhere it goes at once (docs/v8.md, "Removing a breakpoint where
 * the program stands").
 */
export function breakpointRemovalWaits(at: { inBoundaryFinally: boolean; char: string | undefined }): boolean {
  return at.inBoundaryFinally || at.char === '}';
}

/**
 * V8's own refusal to restart a frame, in one wording (`canBeRestarted` false: an async function that
 * has awaited, or a native call between it and the top of the stack). `true` does not mean it is
 * safe: node's own frames report true (docs/v8.md, "`canBeRestarted` is true for node's own frames").
 */
export function v8RestartRefusal(f: { index: number; name: string; async: boolean; canBeRestarted: boolean | undefined }): string | null {
  if (f.canBeRestarted !== false) return null;
  return f.async
    ? `frame ${f.index} (${f.name}) cannot be restarted: it is an async function that has already awaited`
    : `V8 says frame ${f.index} (${f.name}) cannot be restarted (a native call lies between it and the top of the stack)`;
}

/**
 * Restarting the frame of a class's constructor that extends another aborts the process on Node 20,
 * 22, 24 and 26 (before or after its super() call); a base class's constructor restarts, and dropping
 * such a frame by restarting one below it is fine (docs/v8.md, "Restarting a derived class's
 * constructor"). The refusal, in one wording.
 */
export function derivedConstructorRefusal(f: { index: number; name: string; derivedConstructor?: boolean }): string | null {
  if (!f.derivedConstructor) return null;
  return `frame ${f.index} (${f.name}) is the constructor of a class that extends another, which V8 cannot run again from its start (it would end the program); restart the frame that called it (new ${f.name}) instead`;
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
