// `skip` at an exception stop: let the program run on without the exception, where `cont` would let
// it end the program as under node. Node calls its 'uncaughtExceptionMonitor' listeners, then its
// 'uncaughtException' listeners, with every exception nothing caught and every unhandled rejection
// (its default `--unhandled-rejections=throw` raises those as uncaught exceptions), and goes on when
// an 'uncaughtException' listener takes one. `skip` gives the program a monitor that, for the value
// skipped (an object by identity, a primitive by value), adds a listener for that one call, gone as it
// is called: another exception ends the program exactly as it would have. At the preload's last
// chance (inject/preload.ts), node is inside its monitors already: the listener is added at once.
// The calls under way when it was thrown end there (an async function's awaiting callers reject);
// timers, servers and the rest of the program's state go on.
//
// A value skipped that node never sees (the code caught it after all) is forgotten at the loop's next
// check phase (setImmediate): an uncaught throw reaches node as the stack unwinds, an unhandled
// rejection once the microtasks of the current task have run, both before that.
import type { Protocol } from 'devtools-protocol';
import type { Connection } from '../cdp/connection';
import type { Pause } from './pause';
import type { Result } from '../util/result';
import { SKIP_KEY } from '../inject/mark';

/** What installing the listener found. */
export type SkipInstalled = 'installed' | 'own-handler' | 'capture' | 'no-process';

/** Run on the program's global (Runtime.callFunctionOn), with the thrown value as its argument. */
const INSTALL = `function (thrown, now) {
  const proc = typeof process === 'object' && process !== null ? process : globalThis.process;
  if (!proc || typeof proc.on !== 'function') return 'no-process';
  if (typeof proc.hasUncaughtExceptionCaptureCallback === 'function' && proc.hasUncaughtExceptionCaptureCallback()) return 'capture';
  const key = Symbol.for(${JSON.stringify(SKIP_KEY)});
  if (proc.listeners('uncaughtException').some((l) => l[key] !== true)) return 'own-handler';
  // a listener for the one 'uncaughtException' node is about to emit, gone as it is called
  const takeOnce = () => { function take() { proc.removeListener('uncaughtException', take); } take[key] = true; proc.prependListener('uncaughtException', take); };
  if (now) { takeOnce(); return 'installed'; }
  let held = globalThis[key];
  if (!held) {
    held = { values: [], clearing: false };
    function watch(e) { const at = held.values.indexOf(e); if (at >= 0) { held.values.splice(at, 1); takeOnce(); } }
    watch[key] = true;
    proc.on('uncaughtExceptionMonitor', watch);
    Object.defineProperty(globalThis, key, { value: held, configurable: true, writable: true });
  }
  held.values.push(thrown);
  if (!held.clearing && typeof setImmediate === 'function') { held.clearing = true; setImmediate(() => { held.values.length = 0; held.clearing = false; }); }
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
    const r = await cdp.Runtime.callFunctionOn({ objectId: global.result.objectId, functionDeclaration: INSTALL, arguments: [arg, { value: p.ending === true }], returnByValue: true, silent: true });
    if (r.exceptionDetails) return { ok: false, message: `could not install it: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}` };
    const v = r.result.value;
    return v === 'installed' || v === 'own-handler' || v === 'capture' || v === 'no-process' ? { ok: true, value: v } : { ok: false, message: 'could not install it' };
  } catch (err) {
    return { ok: false, message: `could not install it: ${(err as Error).message}` };
  }
}
