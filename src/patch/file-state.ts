// Pure: what one watched file is doing, and how each thing that happens to it moves it on.
//
// The Updater (./updater.ts) is the shell: it owns the timers, the reads and the engine, feeds what
// happens into `step` with the time, and carries out the effects it answers. Every decision lives
// here: when to read, what a read means (an empty read mid-save, the same text again), when a
// blocked edit is tried again, what is reported and with which time. docs/saving.md tells the story.
import { Codes } from './codes';
import type { PatchOutcome } from './engine';

export type UpdateOutcome =
  | PatchOutcome
  | { status: 'unreadable'; reason: { code: string; message: string } };

export interface UpdateReport {
  file: string;
  outcome: UpdateOutcome;
  /**
   * Whole milliseconds from the file's change event to this result: the first event this report
   * covers (a save that waited is measured from its save, not from the retry that applied it).
   */
  ms: number;
  /** The edit had been waiting and has now been applied (or superseded). */
  afterWaiting: boolean;
}

/** What the file is doing now. Each state but `idle` and `applying` has the file's one timer running. */
export type Activity =
  | { is: 'idle' }
  /** A change came: read the file when the quiet period (the timer) ends. */
  | { is: 'debouncing' }
  /**
   * Reading it and handing it to the engine. `dirty`: another change came meanwhile (read again at
   * once when this ends). `then`: what follows when nothing else came (a retry, or a re-read).
   */
  | { is: 'applying'; dirty: boolean; then: Later | null }
  /** The last read was empty (the middle of an in-place save): read again when the timer ends. */
  | { is: 'rereading' }
  /** V8 blocked the edit (a changed function is running): try again when the timer ends. Counts as idle. */
  | { is: 'retrying' };

/** A state that follows an apply after a delay. */
export interface Later { is: 'rereading' | 'retrying'; ms: number }

/** Where the content last handed to the engine stands. */
export type Edit =
  /** Nothing handed over yet, or the file could not be read since. */
  | { is: 'none' }
  /** The engine answered for it (patched, unchanged or refused). */
  | { is: 'answered'; text: string; seen: string | null }
  /** V8 blocked it; it is tried again (`retries` so far, for the backoff). */
  | { is: 'waiting'; text: string; seen: string | null; retries: number };

/** The change that is not yet answered by a report, and how it came. */
export interface Change {
  /** When the first change event not yet answered by a final report came (a waiting report is not final). */
  eventAt: number | null;
  /** When a read of ours (a recheck, retry, apply now) was asked for: the time counts from it when no event waits. */
  since: number | null;
  /** The next read comes from a watcher event (a save), not from a recheck or retry of ours. */
  fromEvent: boolean;
  /** The next read is the check made when the watch started: 'unchanged' then goes unsaid. */
  startCheck: boolean;
  /** Empty reads in a row (an in-place save is a truncate, then a write: a read may fall between). */
  emptyReads: number;
}

export interface FileState {
  activity: Activity;
  edit: Edit;
  change: Change;
  /** mtime and size of the content last read (null: no statFile, or never read). */
  seen: string | null;
}

export function initialFileState(): FileState {
  return { activity: { is: 'idle' }, edit: { is: 'none' }, change: { eventAt: null, since: null, fromEvent: false, startCheck: false, emptyReads: 0 }, seen: null };
}

/** One read-and-apply as it began: what it answers, and from when its time counts. */
export interface Attempt {
  started: number;
  startCheck: boolean;
  fromEvent: boolean;
  /** Asked for by applyNow (a retry at a pause), outside the debounce. */
  now: boolean;
}

/** What a read found. */
export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; kind: 'empty' }
  | { ok: false; kind: 'error'; code?: string; message: string }
  | { ok: false; kind: 'not-text'; message: string };

export type Input =
  /** A watcher event: the file changed (or appeared). */
  | { on: 'changed' }
  /** Read and apply it again soon: a recheck found other content. */
  | { on: 'again' }
  /** The check when the watch started found the file written after the program started. */
  | { on: 'start-check' }
  /** The file's timer ran out. */
  | { on: 'timer' }
  /** The recheck timer ran out. */
  | { on: 'recheck-due' }
  /** The file's mtime and size now ('gone': it could not be stat'ed). */
  | { on: 'stat'; sig: string | null }
  /** applyNow: the read that follows is not debounced. */
  | { on: 'apply-now' }
  /** A read-and-apply begins. */
  | { on: 'attempt'; now: boolean }
  | { on: 'read'; attempt: Attempt; sig: string | null; read: ReadResult; topFrame: boolean }
  | { on: 'applied'; attempt: Attempt; text: string; outcome: PatchOutcome }
  /** The engine threw (the inspector call failed). */
  | { on: 'failed'; attempt: Attempt; message: string }
  /** A debounced read-and-apply ended. */
  | { on: 'done' };

export type Effect =
  /** (Re)start the file's one timer. */
  | { do: 'set-timer'; ms: number }
  | { do: 'clear-timer' }
  /** Start a debounced read-and-apply (in the queue shared by all files). */
  | { do: 'run' }
  /** (Re)start the recheck timer. */
  | { do: 'recheck-later'; ms: number }
  /** Look at the file's mtime and size, and say it as a `stat` input. */
  | { do: 'stat' }
  | { do: 'report'; outcome: UpdateOutcome; ms: number; afterWaiting: boolean }
  /** Nothing is scheduled or running any more: callers of whenIdle go on. */
  | { do: 'idle' };

/** What a read-and-apply input answers. */
/** `again`: the text is the edit that waits, tried again (ApplyOptions.again). */
export type Answer = { attempt: Attempt } | { apply: string; again: boolean } | { outcome: UpdateOutcome } | null;

export interface StepConfig {
  /** Quiet period after a change event before the file is read. */
  debounceMs: number;
  /** Delays between retries of a blocked edit; the last one repeats. */
  retryDelaysMs: number[];
  /** After an update, look at the file again this much later (0: never; there is no statFile). */
  recheckMs: number;
  /** An empty read is read again this many times, this far apart, before it counts as an empty file. */
  emptyRereads: number;
  emptyRereadMs: number;
}

export interface Step { state: FileState; effects: Effect[]; answer: Answer }

/** How long a waiting edit waits before it is said again, with what else to do. */
export const STILL_WAITING_MS = 10000;

/** The retry after which a waiting edit has waited STILL_WAITING_MS. */
function stillWaitingAt(delays: number[]): number {
  let total = 0;
  for (let i = 0; i < 100000; i++) {
    total += delays[Math.min(i, delays.length - 1)] ?? 1;
    if (total >= STILL_WAITING_MS) return i + 1;
  }
  return Infinity;
}

/**
 * The second report of an edit V8 still blocks (a function found running at every look), with what
 * to do; null for other waits (a loader that has not answered said so once, and says nothing new).
 */
function stillWaiting(outcome: UpdateOutcome): UpdateOutcome | null {
  if (outcome.status !== 'waiting' || (outcome.reason.code !== Codes.ActiveFunction && outcome.reason.code !== Codes.ActiveGenerator)) return null;
  const message = `still waiting after ${STILL_WAITING_MS / 1000} s: ${outcome.reason.message.replace(/; will apply when .*$/, '')} at every look (is it called again as soon as a call ends?); it applies once no call is under way, and --engine swap (at the next start) gives such edits to the next call at once`;
  return { ...outcome, reason: { ...outcome.reason, message } };
}

/**
 * An empty file refused for the declarations it no longer has: one line, not one per declaration.
 * Most often it is the middle of an in-place save that writes slowly (a large file, a program that
 * truncates, then computes what it writes), still empty after the rereads: its content follows.
 */
function emptied(o: PatchOutcome): PatchOutcome {
  if (o.status !== 'not-patched' || o.reasons.length === 0 || !o.reasons.every((r) => r.code === Codes.RemovedDeclaration)) return o;
  return { status: 'not-patched', reasons: [{ code: Codes.RemovedDeclaration, message: `the file is empty (emptied, or still being written): the running code stays as it was, its ${o.reasons.length === 1 ? 'top-level declaration' : `${o.reasons.length} top-level declarations`} too` }] };
}

/** A waiting edit counts as idle for whenIdle: only V8 decides when it goes in. */
export function isIdle(a: Activity): boolean {
  return a.is === 'idle' || a.is === 'retrying';
}

/** The one transition function: the state after `input` at time `now`, what to do, and the answer. */
export function step(s: FileState, input: Input, now: number, c: StepConfig): Step {
  const out: Step = { state: s, effects: [], answer: null };
  const set = (patch: Partial<FileState>) => { out.state = { ...out.state, ...patch }; };
  const change = (patch: Partial<Change>) => set({ change: { ...out.state.change, ...patch } });
  const to = (activity: Activity) => set({ activity });
  const say = (outcome: UpdateOutcome, attempt: Attempt, afterWaiting = false) => {
    // a final report (not 'waiting') answers the change events so far
    if (outcome.status !== 'waiting') change({ eventAt: null });
    out.effects.push({ do: 'report', outcome, ms: Math.max(0, Math.round(now - attempt.started)), afterWaiting });
  };
  /** Read it again soon (a save, or a recheck or retry of ours). */
  const again = () => {
    change({ since: out.state.change.since ?? now });
    const a = out.state.activity;
    if (a.is === 'applying') { to({ ...a, dirty: true }); return; }
    to({ is: 'debouncing' });
    out.effects.push({ do: 'set-timer', ms: c.debounceMs });
  };
  /** After an apply of our own (applyNow), a later state goes in only when nothing else is under way. */
  const later = (attempt: Attempt, next: Later) => {
    const a = out.state.activity;
    if (a.is === 'applying' && !attempt.now) {
      if (!a.dirty) to({ ...a, then: next });
    } else if (a.is === 'idle') {
      to({ is: next.is });
      out.effects.push({ do: 'set-timer', ms: next.ms });
    }
  };

  switch (input.on) {
    case 'changed':
      // a save's event makes a start check under way a save: what it finds is said
      change({ fromEvent: true, startCheck: false, eventAt: s.change.eventAt ?? now });
      again();
      return out;

    case 'again':
      again();
      return out;

    case 'start-check':
      if (s.activity.is !== 'debouncing' && s.activity.is !== 'applying' && s.change.since === null) change({ startCheck: true });
      again();
      return out;

    case 'timer':
      switch (s.activity.is) {
        case 'debouncing':
          to({ is: 'applying', dirty: false, then: null });
          out.effects.push({ do: 'run' });
          return out;
        case 'rereading':
        case 'retrying':
          again();
          return out;
        default:
          return out; // a timer that was let go of
      }

    case 'recheck-due':
      if (s.activity.is !== 'applying' && s.activity.is !== 'debouncing') out.effects.push({ do: 'stat' });
      return out;

    case 'stat':
      if (input.sig !== null && input.sig !== 'gone' && input.sig !== s.seen) again();
      return out;

    case 'apply-now':
      if (s.activity.is === 'debouncing' || s.activity.is === 'rereading' || s.activity.is === 'retrying') {
        to({ is: 'idle' });
        out.effects.push({ do: 'clear-timer' }, { do: 'idle' });
      }
      change({ since: s.change.since ?? now });
      return out;

    case 'attempt': {
      const started = Math.min(s.change.eventAt ?? Infinity, s.change.since ?? now);
      out.answer = { attempt: { started, startCheck: s.change.startCheck, fromEvent: s.change.fromEvent, now: input.now } };
      change({ since: null, startCheck: false, fromEvent: false });
      return out;
    }

    case 'read': {
      const { attempt, read } = input;
      set({ seen: input.sig });
      if (!read.ok && read.kind === 'error') {
        const message = read.code === 'ENOENT' ? 'the file was deleted; the running code stays as it was' : `cannot read the file: ${read.message}`;
        const outcome: UpdateOutcome = { status: 'unreadable', reason: { code: Codes.Unreadable, message } };
        set({ edit: { is: 'none' } });
        say(outcome, attempt);
        out.answer = { outcome };
        return out;
      }
      const a = out.state.activity;
      if (!attempt.now && a.is === 'applying' && a.dirty) {
        out.answer = { outcome: { status: 'unchanged' } }; // a newer save is already here: skip this content
        return out;
      }
      if (!read.ok && read.kind === 'empty' && s.change.emptyReads < c.emptyRereads) {
        // most likely the middle of an in-place save, whose write event may be dropped: look again
        change({ emptyReads: s.change.emptyReads + 1, since: attempt.started });
        later(attempt, { is: 'rereading', ms: c.emptyRereadMs });
        out.answer = { outcome: { status: 'unchanged' } };
        return out;
      }
      change({ emptyReads: 0 });
      if (!read.ok && read.kind === 'not-text') {
        const outcome: UpdateOutcome = { status: 'unreadable', reason: { code: Codes.NotText, message: read.message } };
        set({ edit: { is: 'none' } });
        say(outcome, attempt);
        out.answer = { outcome };
        return out;
      }
      const text = read.ok ? read.text : '';
      // The same text again (a second event, or a recheck, for one write): it was applied or reported
      // already, and saying it twice can only confuse (a re-plan of it says something else). Waiting
      // edits and applies at a safe pause do go through.
      const e = s.edit;
      if (e.is === 'answered' && text === e.text && (!attempt.fromEvent || input.sig === e.seen) && !input.topFrame) {
        change({ eventAt: null });
        out.answer = { outcome: { status: 'unchanged' } };
        return out;
      }
      out.answer = { apply: text, again: e.is === 'waiting' && e.text === text };
      return out;
    }

    case 'applied': {
      const { attempt } = input;
      const outcome = input.text === '' ? emptied(input.outcome) : input.outcome;
      const was = s.edit;
      out.answer = { outcome };
      if (outcome.status === 'waiting') {
        const a = s.activity;
        const dirty = a.is === 'applying' && a.dirty && !attempt.now;
        let retries = was.is === 'waiting' ? was.retries : 0;
        if (!dirty) {
          later(attempt, { is: 'retrying', ms: c.retryDelaysMs[Math.min(retries, c.retryDelaysMs.length - 1)] });
          retries++;
        }
        set({ edit: { is: 'waiting', text: input.text, seen: s.seen, retries } });
        // said once for each text: a retry of the same edit is quiet, a new save that must wait too is said
        if (was.is !== 'waiting' || was.text !== input.text) say(outcome, attempt);
        // and once more when it has waited long: a function called again as soon as a call ends (a
        // generator per batch, a loop's step) is found running at every look, and may never be free
        else if (!dirty && retries === stillWaitingAt(c.retryDelaysMs)) {
          const still = stillWaiting(outcome);
          if (still) say(still, attempt);
        }
        return out;
      }
      set({ edit: { is: 'answered', text: input.text, seen: s.seen } });
      if ((was.is === 'waiting' || attempt.startCheck) && outcome.status === 'unchanged') {
        change({ eventAt: null });
        return out;
      }
      say(outcome, attempt, was.is === 'waiting');
      return out;
    }

    case 'failed': {
      // the engine's call to the program failed (the connection closed, the script is gone): a
      // protocol error, not a file that could not be read
      const outcome: UpdateOutcome = { status: 'not-patched', reasons: [{ code: Codes.ProtocolError, message: `the inspector call failed (${input.message}); the running code stays as it was, save again to retry` }] };
      say(outcome, input.attempt);
      out.answer = { outcome };
      return out;
    }

    case 'done': {
      const a = s.activity;
      if (a.is !== 'applying') return out;
      if (a.dirty) {
        to({ is: 'applying', dirty: false, then: null });
        out.effects.push({ do: 'run' });
        return out;
      }
      if (a.then) {
        to({ is: a.then.is });
        out.effects.push({ do: 'set-timer', ms: a.then.ms });
      } else {
        to({ is: 'idle' });
      }
      if (c.recheckMs > 0) out.effects.push({ do: 'recheck-later', ms: c.recheckMs });
      if (isIdle(out.state.activity)) out.effects.push({ do: 'idle' });
      return out;
    }
  }
}
