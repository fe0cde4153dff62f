// The connection the patch engines talk through. They send on their own schedule (a save, the retries
// of an edit that waits), so the JavaScript they run in the program (types stripped by its own node,
// the swap engine's installs) and the edits they send wait while a step or frame restart of ours is on
// its way: JavaScript run then can lose the step (PauseSession.outsideSteps, docs/v8.md); and a step
// goes out only once what they sent before it has been answered.
import type { Connection } from '../cdp/connection';

export interface StepGate {
  outsideSteps<T>(send: () => Promise<T>): Promise<T>;
}

export function engineConnection(cdp: Connection, gate: StepGate): Connection {
  const Runtime: Connection['Runtime'] = Object.create(cdp.Runtime);
  Runtime.evaluate = (params) => gate.outsideSteps(() => cdp.Runtime.evaluate(params));
  Runtime.callFunctionOn = (params) => gate.outsideSteps(() => cdp.Runtime.callFunctionOn(params));
  const Debugger: Connection['Debugger'] = Object.create(cdp.Debugger);
  Debugger.setScriptSource = (params) => gate.outsideSteps(() => cdp.Debugger.setScriptSource(params));
  return Object.assign(Object.create(cdp) as Connection, { Runtime, Debugger });
}
