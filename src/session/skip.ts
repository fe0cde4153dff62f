// `skip` at an exception stop: let the program run on without the exception, where `cont` would let
// it end the program as under node. The program gets a one-shot process.on('uncaughtException')
// listener for that one value, as a program that keeps itself alive would have: node hands it every
// exception nothing caught and every unhandled rejection (its default `--unhandled-rejections=throw`
// raises those as uncaught exceptions), and goes on when a listener takes one. The calls under way
// when it was thrown end there (an async function's awaiting callers reject); timers, servers and the
// rest of the program's state go on.
//
// The listener lives until node has dealt with the exception: an uncaught throw reaches node's handler
// as the stack unwinds, an unhandled rejection when the microtasks of the current task have run, both
// before the loop's next check phase, so a setImmediate removes it if it was not called (the code
// caught it after all). Another value reaching it meanwhile is thrown again from a tick of its own,
// so that it ends the program as it would have.
import type { Protocol } from 'devtools-protocol';
import type { Connection } from '../cdp/connection';
import type { Pause } from './pause';
import type { Result } from '../util/result';

/** What installing the listener found. */
export type SkipInstalled = 'installed' | 'own-handler' | 'capture' | 'no-process';

/** Run on the program's global (Runtime.callFunctionOn), with the thrown value as its argument. */
const INSTALL = `function (thrown) {
  const proc = typeof process === 'object' && process !== null ? process : globalThis.process;
  if (!proc || typeof proc.on !== 'function') return 'no-process';
  if (typeof proc.hasUncaughtExceptionCaptureCallback === 'function' && proc.hasUncaughtExceptionCaptureCallback()) return 'capture';
  if (proc.listenerCount('uncaughtException') > 0) return 'own-handler';
  let done = false;
  const off = () => { if (!done) { done = true; proc.removeListener('uncaughtException', take); } };
  function take(e) {
    off();
    if (e !== thrown) proc.nextTick(() => { throw e; });
  }
  proc.on('uncaughtException', take);
  const later = typeof setImmediate === 'function' ? setImmediate : null;
  if (later) later(off);
  return 'installed';
}`;

/** Install the listener for the exception of stop `p` (the program stays stopped). */
export async function installSkip(cdp: Connection, p: Pause): Promise<Result<SkipInstalled>> {
  const ex = p.exception;
  const frame = p.callFrames[0];
  if (!ex || !frame) return { ok: false, message: 'no exception to skip here' };
  try {
    // the global of the stopped frame's context: the thrown value is passed as an argument, so that a
    // primitive (`throw 'bad'`) is matched by value and an object by identity
    const global = await cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: 'globalThis', silent: true });
    if (!global.result.objectId) return { ok: false, message: "could not reach the program's global object" };
    const arg: Protocol.Runtime.CallArgument = ex.objectId ? { objectId: ex.objectId }
      : ex.unserializableValue !== undefined ? { unserializableValue: ex.unserializableValue }
      : { value: ex.value };
    if (ex.type === 'symbol' && !ex.objectId) return { ok: false, message: 'a Symbol was thrown: it cannot be told apart from here; `cont` ends the program as under node' };
    const r = await cdp.Runtime.callFunctionOn({ objectId: global.result.objectId, functionDeclaration: INSTALL, arguments: [arg], returnByValue: true, silent: true });
    if (r.exceptionDetails) return { ok: false, message: `could not install it: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}` };
    const v = r.result.value;
    return v === 'installed' || v === 'own-handler' || v === 'capture' || v === 'no-process' ? { ok: true, value: v } : { ok: false, message: 'could not install it' };
  } catch (err) {
    return { ok: false, message: `could not install it: ${(err as Error).message}` };
  }
}
