// Proof that the program is stopped at a pause where V8 can restart the top frame: a breakpoint, a
// `debugger` statement or a completed step (never an exception pause, an unstepped interrupt pause,
// or a running program: those abort the process, docs/v8.md). A brand: only the pause session mints
// one (PauseSession.safePause); the patch engine takes it as leave to edit the top frame.
declare const safePauseBrand: unique symbol;

export interface SafePause {
  readonly callFrameId: string;
  readonly safe: true;
  readonly [safePauseBrand]: true;
}

/** For PauseSession only, once it has checked the pause is safe (v8-rules.ts isSafe). */
export function mintSafePause(callFrameId: string): SafePause {
  return { callFrameId, safe: true } as SafePause;
}
