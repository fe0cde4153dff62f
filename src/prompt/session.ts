// What the prompt may ask of the live session: the one way in (LiveSession implements it; the
// prompt's unit tests use a fake). The prompt shows and asks; the session decides and acts: which
// pauses the user sees, the break-on setting, breakpoints, retry and restart.
import type { Protocol } from 'devtools-protocol';
import type { FrameView } from '../session/frames';
import type { BreakOn, Pause } from '../session/pause';
import type { StepKind, ScopeVariable, SetVariable, Thrown } from '../session/pause-session';
import type { Breakpoint } from '../session/breakpoints';
import type { RetryFailure } from '../session/retry';
import type { Result } from '../util/result';

export { BREAK_ON_MODES } from '../session/pause';
export type { FrameView, BreakOn, Pause, StepKind, ScopeVariable, SetVariable, Breakpoint, RetryFailure, Result };

export interface PromptSession {
  /** A stop the user is to see (a caught exception in code not the program's never comes here). */
  onPause(listener: (pause: Pause) => void): void;
  /** The program goes on (after a stop that was shown). */
  onResume(listener: () => void): void;
  /** Where the program is stopped now (null: running). */
  readonly current: Pause | null;
  readonly breakOn: BreakOn;

  // ---- looking ----
  frames(pause: Pause): Promise<FrameView[]>;
  /** The selected frame's file as the user wrote it (boundaries taken out), for code frames. */
  originalText(frameIndex: number): Promise<string | null>;
  /** Evaluate in a frame (null: globally); `from` names the frame further down that held a name this one does not keep. */
  evaluateSeeing(expression: string, frameIndex: number | null): Promise<Result<{ value: Protocol.Runtime.RemoteObject; from: number | null; module?: string }>>;
  variables(frameIndex: number, scopeTypes?: string[]): Promise<ScopeVariable[]>;
  /** Variables of the loops around the frame's place that V8 shows no binding for there (a loop's head), with each loop's line. */
  loopNamesNotLive(frameIndex: number): Promise<{ name: string; line: number }[]>;
  setVariable(frameIndex: number, name: string, expression: string): Promise<Result<SetVariable>>;
  /** The user's breakpoint numbers a pause hit. */
  breakpointNumbers(pause: Pause): number[];
  /** What an exception stop threw, an error made outside V8's Error described as one, and notes of the errors it holds (absent: the pause's own, none). */
  exception?(pause: Pause): Promise<Thrown>;
  /** A retried async call failed again (its frames are gone): what to show of it. */
  retryFailure(pause: Pause): Promise<RetryFailure | null>;
  /** Files the program loaded (to find `break NAME:LINE`). */
  loadedFiles(): string[];
  /** The code at a place (1-based) of a file the program loaded, as the user wrote it; null when it cannot be said for sure. */
  codeAt?(file: string, line: number, column: number): Promise<{ text: string; line: number; column: number } | null>;

  // ---- moving ----
  resume(): Promise<void>;
  /** Step and return the pause it ends in; null when the program ran on. */
  step(kind: StepKind): Promise<Pause | null>;
  /** Apply pending edits and run the failing function again; `announce` is told just before it runs. */
  retry(announce?: (message: string) => void): Promise<Result<{ message: string }>>;
  /** Restart frame N with pending edits; stops at its start. */
  restartFrame(index: number): Promise<Result<Pause>>;
  /** At an exception stop: ready the program to drop the exception if it would end it, so that it runs on (the prompt then lets it go). */
  skipException?(): Promise<Result<{ message: string }>>;
  interrupt(): Promise<void>;

  // ---- settings ----
  breakpoints(): readonly Breakpoint[];
  addBreakpoint(file: string, line: number, condition?: string): Promise<Result<Breakpoint>>;
  removeBreakpoint(n: number): Promise<Result<Breakpoint>>;
  setBreakOn(mode: BreakOn): Promise<void>;
  /** A file changed (the prompt's `edit`): apply it as a save, resolve when it is reported. */
  changed(file: string): Promise<void>;

  // ---- threads (./threads.ts: absent when the prompt drives one thread) ----
  /** Every thread, the main one (0) first. */
  threads?(): ThreadState[];
  /** Go to thread N (stopping it when it runs); its stop is what the prompt shows next. */
  selectThread?(id: number): Promise<Result<Pause>>;
  /** `[worker 2]` when a worker thread is selected, '' for the main thread. */
  threadLabel?(): string;
}

export interface ThreadState { id: number; url: string; selected: boolean; stopped: Pause | null }
