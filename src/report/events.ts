// Events as plain data: what LiveSession emits (typed, for the API) and what --json writes, one JSON
// object per line (docs/events.md, schema docs/events.schema.json). Every line has the schema version
// `v`, the event `type` and its `time`; the rest is the event's payload, defined here. Nothing in a
// payload is an object of ours: each one survives JSON.stringify and JSON.parse unchanged.
import * as fs from 'node:fs';
import type { UpdateReport } from '../patch/updater';
import { Codes } from '../patch/codes';
import { excerptOf, type SourceExcerpt } from './codeFrame';
import type { FrameView } from '../session/frames';
import type { PauseKind } from '../session/pause';

export const EVENTS_VERSION = 1;

export type EventType = 'started' | 'patched' | 'not-patched' | 'pending' | 'paused' | 'resumed' | 'exited';

/** Why (part of) a save was not applied. */
export interface Reason {
  /** A stable code (EC101…), docs/codes.md. */
  code: string;
  message: string;
  /** 1-based line in the saved file, where there is one. */
  line?: number;
}

/** A function a save changed: its name as a user reads it and its 1-based line in the saved file. */
export interface FunctionRef { name: string; line: number }

/**
 * How one thread took a save, when worker threads or child processes loaded the file: `thread` 0 is
 * a process's main thread; `pid` a child process of the program (absent: the program's own process).
 */
export interface ThreadOutcome { thread: number; pid?: number; status: 'patched' | 'not-patched' | 'pending' | 'unchanged'; reasons?: { code: string; message: string }[] }

/** `threads` on a save event: how each thread took it, when another thread or process loaded the file. */
export interface PatchedEvent { file: string; functions: FunctionRef[]; notApplied: Reason[]; warnings: Reason[]; ms: number; afterWaiting: boolean; threads?: ThreadOutcome[] }
/** `syntax`: where the saved text does not parse (a SyntaxError, EC101). */
export interface NotPatchedEvent { file: string; reasons: Reason[]; ms: number; syntax?: SourceExcerpt; threads?: ThreadOutcome[] }
/** A save that changes nothing V8 runs (or a file the program has not loaded): `loaded` says which. */
export interface UnchangedEvent { file: string; loaded: boolean; ms: number; threads?: ThreadOutcome[] }
export interface PendingEvent { file: string; reason: Reason; functions: FunctionRef[]; ms: number; threads?: ThreadOutcome[] }

/** A frame in a `paused` event: `internal` (not the program's code) is kept for events v1. */
export type PausedFrame = FrameView & { internal: boolean };
export interface PausedEvent {
  /** The worker thread that stopped (its threadId); absent for the main thread. */
  thread?: number;
  /** The child process that stopped (its pid); absent for the program's own process. */
  pid?: number;
  reason: PauseKind;
  /** For an exception: its first line (`TypeError: …`), and whether anything catches it. */
  /** `ending`: the last chance (node is about to end the program with it: README, "The last chance"). */
  exception?: { message: string; description: string; uncaught: boolean; ending?: true };
  breakpoints: number[];
  frames: PausedFrame[];
}
export interface ExitedEvent { code: number | null; signal: string | null }

/** What became of a save, as the event LiveSession emits for it. */
export type SaveEvent =
  | { type: 'patched'; event: PatchedEvent }
  | { type: 'not-patched'; event: NotPatchedEvent }
  | { type: 'pending'; event: PendingEvent }
  | { type: 'unchanged'; event: UnchangedEvent };

/** Lines of context around a syntax error in a `not-patched` event's excerpt. */
const EXCERPT_CONTEXT = 1;

function reasonOf(r: { code: string; message: string; line?: number }): Reason {
  return r.line === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, line: r.line };
}

const functionRef = (f: { name: string; line: number }): FunctionRef => ({ name: f.name, line: f.line });

/** The event for an update the updater reported (pure). */
export function saveEventOf(r: UpdateReport): SaveEvent {
  const o = r.outcome;
  const { file, ms } = r;
  switch (o.status) {
    case 'patched':
      return { type: 'patched', event: { file, functions: o.functions.map(functionRef), notApplied: o.notApplied.map(reasonOf), warnings: o.warnings.map(reasonOf), ms, afterWaiting: r.afterWaiting } };
    case 'waiting':
      return { type: 'pending', event: { file, reason: reasonOf(o.reason), functions: o.functions.map(functionRef), ms } };
    case 'not-patched': {
      const event: NotPatchedEvent = { file, reasons: o.reasons.map(reasonOf), ms };
      if (o.syntax) event.syntax = excerptOf(o.syntax.text, o.syntax.problem.line, o.syntax.problem.column, EXCERPT_CONTEXT);
      return { type: 'not-patched', event };
    }
    case 'unreadable':
      return { type: 'not-patched', event: { file, reasons: [reasonOf(o.reason)], ms } };
    case 'not-loaded':
      return { type: 'unchanged', event: { file, loaded: false, ms } };
    case 'unchanged':
      return { type: 'unchanged', event: { file, loaded: true, ms } };
  }
}

export interface EventLog {
  write(type: EventType, payload: object): void;
  close(): Promise<void>;
}

/** One JSON line for an event (pure). */
export function eventLine(type: EventType, payload: object, now: Date = new Date()): string {
  return JSON.stringify({ v: EVENTS_VERSION, type, time: now.toISOString(), ...payload }) + '\n';
}

/** Events to a stream we do not own (stderr), or to a file we create (appending). */
export function openEventLog(to: NodeJS.WritableStream | string): EventLog {
  const stream = typeof to === 'string' ? fs.createWriteStream(to, { flags: 'a' }) : to;
  const owned = typeof to === 'string';
  let closed = false;
  return {
    // (a save's report still on its way at the end: a file already ended takes no more)
    write: (type, payload) => { if (!closed) stream.write(eventLine(type, payload)); },
    close: () => new Promise<void>((resolve) => {
      if (!owned) return resolve();
      closed = true;
      (stream as fs.WriteStream).end(() => resolve());
    }),
  };
}
