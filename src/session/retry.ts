// Fix and retry (docs/retry.md). From an exception pause, one step lands in the failing function's
// retry boundary with the frames below it live. Then:
// - a sync function: apply the pending edits at that safe pause and restart the frame (V8 restarts a
//   changed top frame itself); when an edit changes a function further down the stack, that frame is
//   restarted instead, since V8 cannot change a function that is running;
// - an async function (V8 cannot restart it once it has awaited): its boundary returns a promise of a
//   new call with the same `this` and arguments, made once the edits have applied, so the caller's
//   `await` receives the retried result.
import type { Protocol } from 'devtools-protocol';
import type { Connection } from '../cdp/connection';
import { realFile, type ScriptRecord, type ScriptRegistry } from './registry';
import { RETRY_SLOT } from '../inject/boundary';
import type { PauseSession } from './pause-session';
import { fail, type Result } from '../util/result';
import type { Pause } from './pause';
import { derivedConstructorRefusal, isSafe, v8RestartRefusal } from './v8-rules';
import { BoundaryMap } from './boundaries';
import { frameFacts } from './frames';
import { restartChoice, retryChoiceAtStop } from './frame-rules';
import { debug } from '../util/log';
import { tsPositionOf } from '../loaders/compiled';

const log = debug('retry');

export interface RetryDeps {
  cdp: Connection;
  session: PauseSession;
  /** Wait until saves in flight have been applied or refused. */
  settle(): Promise<void>;
  /** Files whose edit V8 has not taken yet (blocked by a running function). */
  waitingFiles(): string[];
  /** What applying a file would send (the patcher's preview, injected: session/ does not import patch/). */
  preview(file: string): Promise<Preview[]>;
  /** Apply a file now; at a safe pause the top frame may change. */
  apply(file: string, atSafePause: boolean): Promise<Applied>;
  /** Where paths in messages are relative to. */
  cwd?: string;
  /**
   * Told what is retried just before the program runs it again, so that the line comes before the
   * program's own output of the retried call (the same text is the result's message).
   */
  announce?(message: string): void;
  /** How the program's files got their retry boundaries, for the reason when a frame has none. */
  boundaries?: Boundaries;
}

/**
 * - added: launched by edit-continue, boundaries on;
 * - off: launched with --no-boundaries;
 * - attached: a program started without us: it has them only if started with --require edit-continue/register.
 */
export type Boundaries = 'added' | 'off' | 'attached';

/** The text a script would get (null: nothing would be sent). */
export interface Preview { record: ScriptRecord; text: string | null }

/** What applying a file did: applied (or nothing to apply), waiting for a running function, or refused. */
export type Applied = { status: 'applied' } | { status: 'waiting' | 'refused'; why: string };

const frameName = (f: Protocol.Debugger.CallFrame) => f.functionName || '(anonymous)';

/** Where a frame is in its script's running text, and what the boundary map says of it. */
async function frameInfo(session: PauseSession, frame: Protocol.Debugger.CallFrame) {
  const src = await session.source(frame.location.scriptId);
  if (!src || !session.record(frame.location.scriptId)) return null;
  const offset = src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0);
  return { map: src.map, offset, fn: src.map.functionAt(offset) };
}

/** The first frame from the top that a throw stops in: the innermost with a boundary around the throw. */
async function guardedFrame(session: PauseSession, pause: Pause): Promise<number> {
  for (let i = 0; i < pause.callFrames.length; i++) {
    const info = await frameInfo(session, pause.callFrames[i]);
    if (info && info.map.guardedAt(info.offset)) return i;
  }
  return -1;
}

/** Why no frame of an exception pause has a boundary around the throw, in the words that fit. */
async function whyNoBoundary(deps: RetryDeps, pause: Pause): Promise<string> {
  const facts = await frameFacts(deps.session, pause, deps.cwd ?? process.cwd());
  const top = facts[0];
  const program = facts.filter((f) => f.origin === 'program');
  if (program.length === 0) {
    return top?.origin === 'library' ? `it was thrown in a library (${top.file ?? 'node_modules'}), which is left without boundaries, and no function of yours is on the stack` : "it was thrown in node's own code, and no function of yours is on the stack";
  }
  let withBoundaries = false;
  for (const f of program) {
    const src = await deps.session.source(pause.callFrames[f.index].location.scriptId);
    if (src?.map.functions.some((fn) => fn.guarded)) withBoundaries = true;
  }
  if (!withBoundaries) {
    if (deps.boundaries === 'attached') return "the program was started without edit-continue's retry boundaries: start it with `node --require edit-continue/register --inspect …` to retry in place";
    if (deps.boundaries === 'off') return 'edit-continue runs with --no-boundaries';
    return `${program[0].file ?? 'its file'} was loaded without retry boundaries`;
  }
  if (top?.origin === 'library') return `it was thrown in a library (${top.file ?? 'node_modules'}), which is left without boundaries, called from code of yours outside any boundary`;
  return "it was thrown in a concise arrow function or a default parameter, outside any function's boundary";
}

/** Which frames run a function that the pending edits change (by comparing own texts). */
async function changedFrames(deps: RetryDeps, pause: Pause, previews: Preview[]): Promise<number[]> {
  const newTexts = new Map<string, Set<string>>();
  for (const p of previews) {
    if (p.text === null) continue;
    newTexts.set(p.record.scriptId, new BoundaryMap(p.text, p.record.isModule ? 'module' : 'script').ownTexts());
  }
  const out: number[] = [];
  for (let i = 0; i < pause.callFrames.length; i++) {
    const frame = pause.callFrames[i];
    const own = newTexts.get(frame.location.scriptId);
    if (!own) continue;
    const info = await frameInfo(deps.session, frame);
    if (info?.fn && !own.has(info.map.ownText(info.fn))) out.push(i);
  }
  return out;
}

async function pendingPreviews(deps: RetryDeps): Promise<{ files: string[]; previews: Preview[] }> {
  await deps.settle();
  const files = deps.waitingFiles();
  const previews: Preview[] = [];
  for (const f of files) previews.push(...(await deps.preview(f)));
  return { files, previews };
}

function applied(o: Applied): boolean {
  return o.status === 'applied';
}

function why(o: Applied): string {
  return o.status === 'applied' ? 'applied' : o.why;
}

/**
 * At a safe pause: restart the frame at `index` with the pending edits applied, stopping at its first
 * statement. Frames above it are dropped; frames below keep their state.
 */
async function restartWithEdits(deps: RetryDeps, index: number, files: string[], changed: number[]): Promise<Result<Pause>> {
  const { session } = deps;
  let pause = session.current!;
  const depth = session.depthOf(index);
  let restarted = false;
  if (index > 0 || changed.length === 0 || files.length === 0) {
    const r = await session.restartFrame(depth);
    if (!r.ok) return r;
    pause = r.value;
    restarted = true;
  }
  for (const file of files) {
    // The top frame now runs a function the edit may change: V8 restarts it with the new code and
    // stops at its start. Wait for that stop, briefly when we do not expect one.
    const expectRestart = changed.includes(index);
    const next = session.nextPause(expectRestart ? 3000 : 300);
    const outcome = await deps.apply(file, true);
    let stop = await next;
    // Gone from this pause (V8's `resumed` came): V8 let the program go to restart the frame, and the
    // stop at its start always follows; on a loaded machine it can come after the brief wait.
    if (!stop && session.current !== pause) stop = session.current ?? (await session.nextPause(MUST_STOP_MS));
    if (stop) { pause = stop; restarted = true; }
    if (!applied(outcome)) return fail(`the edit to ${file} did not apply (${why(outcome)}); the program is stopped at the start of ${frameName(pause.callFrames[0])}`);
  }
  if (!restarted) {
    const r = await session.restartFrame(depth);
    if (!r.ok) return r;
    pause = r.value;
  }
  return { ok: true, value: pause };
}

/**
 * `restart N`: restart frame N with the pending edits and stop at its first statement. Frames of
 * node's own code, and an ES module's top level, are refused with what to do instead.
 */
/**
 * How long retry waits for a step that V8 always ends with a stop (into the boundary's finally, out of
 * a call): long, because on a loaded machine such a step has taken more than the 3 s a user's `next`
 * waits, and giving up there lets the exception go on and end the program.
 */
const MUST_STOP_MS = 20000;

export async function restartFrameAt(deps: RetryDeps, index: number): Promise<Result<Pause>> {
  const { session } = deps;
  const start = session.current;
  if (!start) return fail('the program is running');
  if (index < 0 || index >= start.callFrames.length) return fail(`there is no frame ${index} (0 to ${start.callFrames.length - 1})`);
  const choice = restartChoice(await frameFacts(session, start, deps.cwd ?? process.cwd()), index);
  if (!choice.ok) return choice;
  if (session.current !== start) return fail('the program moved on while the frames were read');
  const depth = session.depthOf(index);
  return session.quietly(async (): Promise<Result<Pause>> => {
    const safe = await session.makeSafe();
    if (!safe.ok) return safe;
    let at = safe.value.callFrames.length - 1 - depth;
    if (at < 0) return fail(`frame ${index} is gone: the exception left it (it has no retry boundary)`);
    // a swapped-in body: restart the original function below it, which dispatches to the newest code
    at = (await session.dispatcherOf(safe.value, at)) ?? at;
    const { files, previews } = await pendingPreviews(deps);
    const changed = (await changedFrames(deps, safe.value, previews)).filter((i) => i <= at);
    const r = await restartWithEdits(deps, at, files, changed);
    if (!r.ok) return r;
    // stopped at the first statement: the swap engine's dispatch, stepped through to the body that runs
    if (await session.inSwapDispatch(r.value)) {
      const next = await session.step('into', MUST_STOP_MS);
      if (next) return { ok: true, value: next };
    }
    return r;
  });
}

export interface RetryDone {
  /** What was retried, for the user. */
  message: string;
}

/**
 * `retry`: apply the pending edits and run the failing function again, then continue. At an exception
 * pause the failing function is the innermost one with a boundary around the throw; at any other
 * pause it is the top frame.
 */
export async function retry(deps: RetryDeps): Promise<Result<RetryDone>> {
  const { session } = deps;
  const start = session.current;
  if (!start) return fail('the program is running');
  if (start.callFrames[0]?.functionName === RETRY_AGAIN_FRAME) return retryAgain(deps, start.callFrames[0]);
  let target: number;
  if (start.kind === 'exception') {
    target = await guardedFrame(session, start);
    if (target < 0) {
      const then = start.uncaught
        ? 'Fix the code, then `skip` (the program runs on without this error) or `cont` (it ends, as under node); or `restart N` a frame from the stack'
        : '`cont` passes the exception on to the code that catches it, as under node; or `restart N` a frame from the stack';
      return fail(`no function on the stack has a retry boundary around this throw, so the frames cannot be kept: ${await whyNoBoundary(deps, start)}. ${then}`);
    }
  } else {
    // a breakpoint, a step or Ctrl+C: the function of the program it stopped in runs again
    const choice = retryChoiceAtStop(start.kind, await frameFacts(session, start, deps.cwd ?? process.cwd()));
    if (!choice.ok) return choice;
    target = choice.index;
  }
  if (session.current !== start) return fail('the program moved on while the frames were read');
  const depth = session.depthOf(target);
  return session.quietly(async () => {
    let pause = start;
    if (!isSafe(pause.kind)) {
      // From an exception, stepping in continues the throw into the boundary's finally (a finally of
      // node's own code on the way takes a few more). From Ctrl+C, one step; if it entered a call,
      // step out of it again.
      const safe = await session.makeSafe();
      if (!safe.ok) return safe;
      pause = safe.value;
      const kind = start.kind === 'exception' ? 'into' : 'out';
      for (let i = 0; i < 12 && pause.callFrames.length - 1 > depth; i++) {
        const next = await session.step(kind, MUST_STOP_MS);
        if (!next) return fail('the program ran on before the failing frame could be kept');
        pause = next;
      }
      if (pause.callFrames.length - 1 !== depth) return fail('the failing frame returned or threw before it could be kept');
    }
    let index = pause.callFrames.length - 1 - depth;
    if (index < 0) return fail('the failing frame is gone');
    // a swapped-in body (swap engine): its caller, the original function, runs again and dispatches
    // to the newest code; the frame of the swapped-in body itself would run the version it is
    index = (await session.dispatcherOf(pause, index)) ?? index;
    const frame = pause.callFrames[index];
    const info = await frameInfo(session, frame);
    if (info?.fn?.async && info.map.inFinally(info.offset) && index === 0) return retryAsync(deps, frame, start.uncaught === true);
    const { files, previews } = await pendingPreviews(deps);
    const changed = await changedFrames(deps, pause, previews);
    const lowest = Math.max(index, ...changed);
    const cannot = pause.callFrames.slice(0, lowest + 1).findIndex((f) => f.canBeRestarted === false);
    if (cannot >= 0 && cannot <= lowest) {
      const f = pause.callFrames[cannot];
      const refused = v8RestartRefusal({ index: cannot, name: frameName(f), async: (await frameInfo(session, f))?.fn?.async ?? false, canBeRestarted: f.canBeRestarted });
      return fail(`the edit changes ${frameName(pause.callFrames[lowest])} (frame ${lowest}), and ${refused}; the edit applies once it returns`);
    }
    // (only the frame restarted matters: the frames above it are dropped, which V8 does safely)
    const ctor = derivedConstructorRefusal({ index: lowest, name: frameName(pause.callFrames[lowest]), derivedConstructor: (await frameInfo(session, pause.callFrames[lowest]))?.fn?.derivedConstructor });
    if (ctor) return fail(`${ctor} (restart N: the frame numbers are bt's)`);
    const r = await restartWithEdits(deps, lowest, files, changed);
    if (!r.ok) return r;
    const what = frameName(pause.callFrames[lowest]);
    const note = lowest > index ? ` (its code changed, so it runs again from its start; ${lowest} frame(s) above it were dropped)` : '';
    const message = `retrying ${what}${note}${await loopNote(session, start, start.callFrames.length - (pause.callFrames.length - lowest))}`;
    deps.announce?.(message);
    await session.resume();
    return { ok: true, value: { message } };
  });
}

/**
 * When the frame that runs again was inside a loop of its own: that loop starts over, and the rounds
 * it had finished run again (a job that loops over its items in the failing function itself). For a
 * swapped-in body the frame that runs again is its original function; the loop is in the body above.
 */
async function loopNote(session: PauseSession, pause: Pause, index: number): Promise<string> {
  // (read at the stop as it came: stepping to a safe place moves the frame into the boundary's finally)
  if (index < 0 || index >= pause.callFrames.length) return '';
  let at = index;
  for (const body of [index - 1, index - 2]) if (body >= 0 && (await session.dispatcherOf(pause, body)) === index) { at = body; break; }
  const info = await frameInfo(session, pause.callFrames[at]);
  const loop = info?.map.loopAround(info.offset);
  if (!info || !loop) return '';
  return `; it starts from its first line, so the loop it was in (line ${info.map.lines.position(loop.start).line + 1}) starts over, and the rounds it finished run again`;
}

/** A global counter (by Symbol.for) of retried async calls in flight in the program. */
export const RETRYING_KEY = 'edit-continue.retrying';
/** An expression true while the program runs a retried async call (the helper stops if it fails). */
export const RETRYING_NOW = `(globalThis[Symbol.for('${RETRYING_KEY}')] ?? 0) > 0`;

/** The name of the helper frame that stops when a retried async call fails again. */
export const RETRY_AGAIN_FRAME = '__ecRetryAgain';

// Runs in the program, on the function to call again. `run` waits for the gate (opened once the edits
// have applied), makes the call and awaits it; when the call fails, it stops at its `debugger`
// statement: `retry` there sets state.again and it runs once more, `cont` passes the error on to the
// caller. A pending promise does not keep node alive: an interval does, while the gate is closed.
const RETRY_HELPER = `function (self, args) {
  const fn = this;
  let open = null;
  let openedEarly = false; // the controller may open the gate before a new call starts to wait on it
  const wait = () => new Promise((resolve) => {
    if (openedEarly) { openedEarly = false; resolve(); return; }
    const keep = setInterval(() => {}, 2147483647);
    open = () => { clearInterval(keep); resolve(); };
  });
  const gateOpen = () => { if (open) { const o = open; open = null; o(); } else openedEarly = true; };
  const state = { again: false, gateOpen, name: fn.name };
  const ${RETRY_AGAIN_FRAME} = async () => {
    await wait();
    // counted while in flight: its failure stops here, not (with --break-on unhandled) at the throw too
    const inFlight = Symbol.for('${RETRYING_KEY}');
    globalThis[inFlight] = (globalThis[inFlight] ?? 0) + 1;
    try {
      return await Reflect.apply(fn, self, args ?? []);
    } catch (error) {
      state.again = false;
      debugger; // edit-continue: the new call failed too
      if (state.again) return ${RETRY_AGAIN_FRAME}();
      throw error;
    } finally {
      globalThis[inFlight] -= 1;
    }
  };
  return { result: ${RETRY_AGAIN_FRAME}(), gateOpen };
}`;

/** After the resume: apply the pending edits (the old activation is over, so V8 takes them), open the gate. */
async function applyAndOpen(deps: RetryDeps, gateOpen: string, name: string): Promise<Result<RetryDone>> {
  const { files } = await pendingPreviews(deps);
  const notes: string[] = [];
  for (const file of files) {
    // Just after the resume the old activation may still be on its way out of its finally (V8 takes
    // our message in between): V8 says it is running. It ends within moments; ask again.
    let o = await deps.apply(file, false);
    for (let i = 0; i < 40 && o.status === 'waiting'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      o = await deps.apply(file, false);
    }
    if (!applied(o)) notes.push(`${file}: ${why(o)}`);
  }
  const message = `calling ${name} again with the same arguments` + (notes.length ? `, with the code it has (${notes.join('; ')})` : '');
  deps.announce?.(message); // before the gate opens: the new call's own output comes after this line
  await deps.cdp.Runtime.callFunctionOn({ objectId: gateOpen, functionDeclaration: 'function () { this(); }' });
  await deps.cdp.Runtime.releaseObjectGroup({ objectGroup: 'retry' }).catch(() => {});
  log('async retry', name, notes);
  return { ok: true, value: { message } };
}

/**
 * Retry an async function stopped in its boundary's finally: have the boundary return a promise of a
 * new call, resume, apply the edits, then make the call.
 */
async function retryAsync(deps: RetryDeps, frame: Protocol.Debugger.CallFrame, uncaught: boolean): Promise<Result<RetryDone>> {
  const { cdp, session } = deps;
  const name = frameName(frame);
  const fn = await findFunction(deps, frame, uncaught);
  if (!fn.ok) return fn;
  const args = await cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: 'arguments', objectGroup: 'retry' });
  const self = await cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: 'this', objectGroup: 'retry' });
  if (args.exceptionDetails || self.exceptionDetails) return fail(`could not read the arguments of ${name}`);
  const helper = await cdp.Runtime.callFunctionOn({
    objectId: fn.value.objectId,
    objectGroup: 'retry',
    functionDeclaration: RETRY_HELPER,
    arguments: [argOf(self.result), argOf(args.result)],
  });
  if (helper.exceptionDetails || !helper.result.objectId) return fail(`could not prepare the new call of ${name}`);
  const props = await cdp.Runtime.getProperties({ objectId: helper.result.objectId, ownProperties: true });
  const result = props.result.find((p) => p.name === 'result')?.value;
  const gateOpen = props.result.find((p) => p.name === 'gateOpen')?.value;
  if (!result?.objectId || !gateOpen?.objectId) return fail(`could not prepare the new call of ${name}`);
  const scope = await slotScope(deps, frame);
  if (scope < 0) return fail(`${name} has no retry slot (was it loaded with boundaries?)`);
  await cdp.Debugger.setVariableValue({ callFrameId: frame.callFrameId, scopeNumber: scope, variableName: RETRY_SLOT, newValue: { objectId: result.objectId } });
  await session.resume();
  return applyAndOpen(deps, gateOpen.objectId, name);
}

/** At the helper's stop (a retried async call failed again): run it once more. */
async function retryAgain(deps: RetryDeps, frame: Protocol.Debugger.CallFrame): Promise<Result<RetryDone>> {
  const { cdp, session } = deps;
  // (only what the helper's own code uses is still there to evaluate: `state` carries the rest)
  const set = await cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: '(state.again = true, state)', objectGroup: 'retry' });
  if (set.exceptionDetails || !set.result.objectId) return fail('could not prepare the new call');
  const props = await cdp.Runtime.getProperties({ objectId: set.result.objectId, ownProperties: true });
  const gate = props.result.find((p) => p.name === 'gateOpen')?.value;
  const name = props.result.find((p) => p.name === 'name')?.value?.value;
  if (!gate?.objectId) return fail('could not prepare the new call');
  await session.resume();
  return applyAndOpen(deps, gate.objectId, String(name || 'the function'));
}

function argOf(o: Protocol.Runtime.RemoteObject): Protocol.Runtime.CallArgument {
  if (o.objectId) return { objectId: o.objectId };
  if (o.type === 'undefined') return {};
  return { value: o.value };
}

/** The scope of the frame that holds the boundary's slot. */
async function slotScope(deps: RetryDeps, frame: Protocol.Debugger.CallFrame): Promise<number> {
  for (let i = 0; i < frame.scopeChain.length; i++) {
    const scope = frame.scopeChain[i];
    if (scope.type === 'global' || !scope.object.objectId) continue;
    const props = await deps.cdp.Runtime.getProperties({ objectId: scope.object.objectId, ownProperties: true }).catch(() => null);
    if (props?.result.some((p) => p.name === RETRY_SLOT)) return i;
  }
  return -1;
}

/**
 * The function object a frame runs, to call it again: by its name in scope, or as a method of `this`,
 * checked against the frame's own function location.
 */
async function findFunction(deps: RetryDeps, frame: Protocol.Debugger.CallFrame, uncaught: boolean): Promise<Result<{ objectId: string; arrow: boolean }>> {
  const name = frame.functionName;
  const info = await frameInfo(deps.session, frame);
  const arrow = info?.fn?.arrow ?? false;
  const candidates: string[] = [];
  const simple = /^[A-Za-z_$][\w$]*$/.test(name) ? name : name.split('.').pop() ?? '';
  if (/^[A-Za-z_$][\w$]*$/.test(simple)) {
    candidates.push(simple, `this && this[${JSON.stringify(simple)}]`);
  }
  // a function that does not name itself does not keep its own name in scope (docs/v8.md): in sloppy
  // code its arguments still know it (checked against the frame's function location below)
  candidates.push('arguments.callee');
  for (const expression of candidates) {
    const r = await deps.cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression, objectGroup: 'retry', silent: true }).catch(() => null);
    if (!r || r.exceptionDetails || r.result.type !== 'function' || !r.result.objectId) continue;
    const props = await deps.cdp.Runtime.getProperties({ objectId: r.result.objectId, ownProperties: true }).catch(() => null);
    const loc = props?.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as Protocol.Debugger.Location | undefined;
    const want = frame.functionLocation;
    if (loc && want && (sameLocation(loc, want) || swappedFrom(deps.session, frame, loc))) {
      if (arrow) return fail(`${name || 'this function'} is an async arrow function: retry cannot call it again with its arguments. Make it an async function (a named one can be retried); ${orElse(uncaught)}`);
      return { ok: true, value: { objectId: r.result.objectId, arrow } };
    }
  }
  return fail(`cannot find ${name || 'this async function'} by name to call it again (it is an inline callback): ${orElse(uncaught)}`);
}

/**
 * What else to do where an async function cannot be called again. `cont` lets the exception go on:
 * to the code that awaits the call, or, where nothing does (an uncaught exception, an unhandled
 * rejection: an event handler's), to node, which ends the program.
 */
function orElse(uncaught: boolean): string {
  return uncaught
    ? '`restart N` a frame below it that is not async, if there is one. Nothing catches this exception: `cont` ends the program, as under node'
    : 'fix the code and `cont` (the exception goes on to the code that awaits the call), or `restart N` a frame below it that is not async';
}

function sameLocation(a: Protocol.Debugger.Location, b: Protocol.Debugger.Location): boolean {
  return a.scriptId === b.scriptId && a.lineNumber === b.lineNumber && a.columnNumber === b.columnNumber;
}

/**
 * Is the frame a swapped-in body (swap engine) of the function found at `loc`? The original function
 * is the one to call again: its dispatch runs the newest code. Matched by file and name (the frame's
 * own location is in the compiled code, which stands at the file's lines).
 */
function swappedFrom(session: PauseSession, frame: Protocol.Debugger.CallFrame, loc: Protocol.Debugger.Location): boolean {
  const here = session.record(frame.location.scriptId);
  const there = session.record(loc.scriptId);
  return !!here?.compiled && !!there && !there.compiled && there.file === here.file;
}

/** A retried async call that failed again: its error and where it was thrown (the frames are gone). */
export interface RetryFailure {
  exception: Protocol.Runtime.RemoteObject | undefined;
  /** The failed call's stack: lines with a file, node's and the helper's left out, as the user wrote the files (1-based). */
  stack: { name: string; file: string; line: number; column: number }[];
  /** The first line of the stack in a file the program loaded, with that file's text, for a code frame. */
  code: { text: string; line: number; column: number } | null;
}

/** Is this the helper's stop: a retried async call failed again? */
export function isRetryFailure(pause: Pause): boolean {
  return pause.callFrames[0]?.functionName === RETRY_AGAIN_FRAME;
}

/**
 * The text a compiler made a script's running code from (tsc's .ts, a loader's .ts; null when it
 * cannot be read), or null for code that runs as the user wrote it (LiveSession.compiledSource).
 */
export type CompiledSourceOf = (scriptId: string) => Promise<{ text: string | null } | null>;

/** At the helper's stop: read the error of the failed call, and place its stack in the user's files. */
export async function retryFailure(session: PauseSession, registry: ScriptRegistry, pause: Pause, compiledSource: CompiledSourceOf): Promise<RetryFailure | null> {
  if (!isRetryFailure(pause)) return null;
  const error = await session.evaluate('error', 0);
  const exception = error.ok ? error.value : undefined;
  const lines = (exception?.description ?? '').split('\n').filter((l) => /^\s+at /.test(l) && !/node:|\(<anonymous>\)|__ecRetryAgain/.test(l));
  const stack: RetryFailure['stack'] = [];
  let code: RetryFailure['code'] = null;
  for (const l of lines.slice(0, 8)) {
    const m = /^\s+at (?:(.*?) \()?(?:file:\/\/)?(\/[^:]+):(\d+):(\d+)\)?$/.exec(l);
    if (!m) continue;
    const named = realFile(decodeURI(m[2]));
    const place = await placeInWritten(session, registry, compiledSource, named, Number(m[3]) - 1, Number(m[4]) - 1);
    if (!place) continue;
    stack.push({ name: m[1] ?? '(anonymous)', file: place.file, line: place.line + 1, column: place.column + 1 });
    if (place.text !== null && !code) code = { text: place.text, line: place.line + 1, column: place.column + 1 };
  }
  return { exception, stack, code };
}

/**
 * A line of the program's own stack trace, in the file as the user wrote it (0-based), with that
 * file's text (null: not known); null for a line that is not the user's (the swap engine's dispatch).
 */
async function placeInWritten(session: PauseSession, registry: ScriptRegistry, compiledSource: CompiledSourceOf, file: string, line: number, column: number): Promise<{ file: string; line: number; column: number; text: string | null } | null> {
  let record = registry.scriptsOf(file)[0];
  if (!record) return { file, line, column, text: null };
  const written = await compiledSource(record.scriptId);
  // a loader's output of a .ts (tsx, ts-node): node's trace already names the .ts line, through the
  // loader's map (and ours, for what a save moved or swapped in: loaders/save-maps.ts)
  if (written && !record.compiledFrom) return { file, line, column, text: written.text };
  // swap engine: the original function passing the call on is not a line of the user's; a line in a
  // swapped-in function's code is read with that code (the file's name is the same for both)
  if (await session.inSwapDispatchAt(record.scriptId, line, column)) return null;
  record = registry.compiledAt(file, line) ?? record;
  const src = await session.source(record.scriptId);
  if (!src) return { file, line, column, text: null };
  const js = src.map.original(line, column);
  // tsc's output run as JavaScript: the .ts it was compiled from, through its map
  const ts = record.compiledFrom ? tsPositionOf(record.compiledFrom, js) : null;
  if (ts && written) return { file: record.compiledFrom!.ts, ...ts, text: written.text };
  return { file, ...js, text: (await session.shownText(record.scriptId)) ?? src.map.originalText() };
}
