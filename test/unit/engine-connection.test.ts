// What the patch engines send waits while a step of ours is on its way (src/session/engine-connection.ts).
// JavaScript that reaches the program between a step from an exception pause and the stop it ends in
// can lose the step, and the exception then ends the program (docs/v8.md); prompt.test.ts's TypeScript
// retry met it under load: a waiting edit's retry stripped types in the program right after `stepInto`.
// The order of messages is pure logic, checked here against a recording stand-in for the inspector.
import type { Protocol } from 'devtools-protocol';
import type { Connection } from '../../src/cdp/connection';
import { engineConnection } from '../../src/session/engine-connection';
import { PauseSession } from '../../src/session/pause-session';
import { ScriptRegistry } from '../../src/session/registry';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** The inspector as the session sees it: records what is sent; the test answers the step and sends `paused`. */
function inspector() {
  const sent: string[] = [];
  const listeners = new Map<string, (e: unknown) => void>();
  let stepAnswer = deferred();
  const record = <T>(method: string, answer: T) => async () => { sent.push(method); return answer; };
  const cdp = {
    Debugger: {
      on: (event: string, fn: (e: unknown) => void) => { listeners.set(event, fn); },
      stepInto: async () => { sent.push('Debugger.stepInto'); return stepAnswer.promise; },
      getScriptSource: async () => { throw new Error('no such script'); },
      setScriptSource: record('Debugger.setScriptSource', { status: 'Ok' }),
    },
    Runtime: {
      evaluate: record('Runtime.evaluate', { result: { type: 'string', value: 'stripped' } }),
      callFunctionOn: record('Runtime.callFunctionOn', { result: { type: 'undefined' } }),
    },
  };
  const frame = (functionName: string, lineNumber: number) => ({ callFrameId: `${functionName}:${lineNumber}`, functionName, location: { scriptId: '9', lineNumber, columnNumber: 2 }, scopeChain: [], this: { type: 'undefined' } }) as unknown as Protocol.Debugger.CallFrame;
  return {
    cdp: cdp as unknown as Connection,
    sent,
    paused(reason: 'exception' | 'step', line: number) {
      listeners.get('paused')!({ reason, callFrames: [frame('work', line)], data: reason === 'exception' ? { type: 'object', uncaught: true } : undefined });
    },
    answerStep() { stepAnswer.resolve(); },
    failStep() { stepAnswer.reject(new Error('Can only perform operation while paused.')); stepAnswer = deferred(); },
  };
}

const turns = async (n = 20) => { for (let i = 0; i < n; i++) await Promise.resolve(); };

describe('engine connection: nothing of the engines goes out while a step of ours is on its way', () => {
  test('an evaluate and an edit sent while the step from an exception is on its way go out after its stop, in order', async () => {
    const ins = inspector();
    const session = new PauseSession(ins.cdp, new ScriptRegistry());
    const engineCdp = engineConnection(ins.cdp, session);
    ins.paused('exception', 7);
    const stepped = session.step('into', 20000);
    // sent, not yet answered: the inspector may be running it already
    const evaluated = engineCdp.Runtime.evaluate({ expression: 'strip()' });
    const edited = engineCdp.Debugger.setScriptSource({ scriptId: '9', scriptSource: 'x' });
    await turns();
    expect(ins.sent).toEqual(['Debugger.stepInto']);
    ins.answerStep();
    await turns();
    expect(ins.sent).toEqual(['Debugger.stepInto']);
    ins.paused('step', 9);
    await expect(stepped).resolves.toMatchObject({ kind: 'step' });
    await expect(evaluated).resolves.toMatchObject({ result: { value: 'stripped' } });
    await expect(edited).resolves.toEqual({ status: 'Ok' });
    expect(ins.sent).toEqual(['Debugger.stepInto', 'Runtime.evaluate', 'Debugger.setScriptSource']);
  });

  test('a step goes out only once an evaluate sent before it has been answered (none is queued with the step)', async () => {
    const ins = inspector();
    const session = new PauseSession(ins.cdp, new ScriptRegistry());
    const engineCdp = engineConnection(ins.cdp, session);
    const answer = deferred<Protocol.Runtime.EvaluateResponse>();
    (ins.cdp.Runtime as { evaluate: unknown }).evaluate = async () => { ins.sent.push('Runtime.evaluate'); return answer.promise; };
    ins.paused('exception', 7);
    const evaluated = engineCdp.Runtime.evaluate({ expression: 'transform()' });
    await turns();
    const stepped = session.step('into', 20000);
    await turns();
    expect(ins.sent).toEqual(['Runtime.evaluate']);
    answer.resolve({ result: { type: 'string', value: 'out' } });
    await expect(evaluated).resolves.toMatchObject({ result: { value: 'out' } });
    await turns();
    expect(ins.sent).toEqual(['Runtime.evaluate', 'Debugger.stepInto']);
    ins.answerStep();
    ins.paused('step', 9);
    await expect(stepped).resolves.toMatchObject({ kind: 'step' });
  });

  test('at a pause and while running they go out at once; other calls are the connection\'s own', async () => {
    const ins = inspector();
    const session = new PauseSession(ins.cdp, new ScriptRegistry());
    const engineCdp = engineConnection(ins.cdp, session);
    await engineCdp.Runtime.evaluate({ expression: '1' });
    ins.paused('exception', 7);
    await engineCdp.Runtime.callFunctionOn({ functionDeclaration: 'function () {}', objectId: 'o' });
    expect(ins.sent).toEqual(['Runtime.evaluate', 'Runtime.callFunctionOn']);
    await expect(engineCdp.Debugger.getScriptSource({ scriptId: '9' })).rejects.toThrow('no such script');
  });

  test('a step that fails to go, or ends without a stop, lets them go', async () => {
    const ins = inspector();
    const session = new PauseSession(ins.cdp, new ScriptRegistry());
    const engineCdp = engineConnection(ins.cdp, session);
    ins.paused('exception', 7);
    const refused = session.step('into', 20000);
    const first = engineCdp.Runtime.evaluate({ expression: '1' });
    ins.failStep();
    await expect(refused).rejects.toThrow('Can only perform operation while paused');
    await first;
    expect(ins.sent).toEqual(['Debugger.stepInto', 'Runtime.evaluate']);

    // still at the exception pause (the failed step left it there): a step that never stops
    const ranOn = session.step('into', 50);
    const second = engineCdp.Runtime.evaluate({ expression: '2' });
    ins.answerStep();
    await turns();
    expect(ins.sent).toEqual(['Debugger.stepInto', 'Runtime.evaluate', 'Debugger.stepInto']);
    await expect(ranOn).resolves.toBeNull();
    await second;
    expect(ins.sent).toEqual(['Debugger.stepInto', 'Runtime.evaluate', 'Debugger.stepInto', 'Runtime.evaluate']);
  });
});
