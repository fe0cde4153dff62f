// The order in which a worker thread's connection (src/cdp/worker.ts) lets commands go, against a
// scripted parent connection: the messages it asks the parent to carry to the worker are recorded,
// and the worker's answers and events are dispatched by the case.
import type { Connection } from '../../src/cdp/connection';
import { workerConnection } from '../../src/cdp/worker';
import { settle } from '../helpers/fake-clock';

function harness() {
  const sent: { id: number; method: string }[] = [];
  const parent = {
    send: (method: string, params: { message: string }) => {
      if (method === 'NodeWorker.sendMessageToWorker') sent.push(JSON.parse(params.message));
      return Promise.resolve({});
    },
    kick: () => {},
    kickUntil: () => {},
  } as unknown as Connection;
  const w = workerConnection(parent, 's1');
  const answer = (method: string, result: object = {}) => {
    const m = sent.find((x) => x.method === method);
    if (!m) throw new Error(`${method} was not sent`);
    w.dispatch(JSON.stringify({ id: m.id, result }));
  };
  /** The thread stops (not at its start). */
  const stopped = () => w.dispatch(JSON.stringify({ method: 'Debugger.paused', params: { reason: 'other', callFrames: [] } }));
  return { w, sent, methods: () => sent.map((m) => m.method), answer, stopped };
}

describe('worker connection', () => {
  test('while a command that runs code is out, the next waits for its answer', async () => {
    const h = harness();
    const evaluated = h.w.Runtime.evaluate({ expression: '1' });
    const next = h.w.Debugger.setBreakpointByUrl({ lineNumber: 1, url: 'x' });
    await settle();
    expect(h.methods()).toEqual(['Runtime.evaluate']);
    h.answer('Runtime.evaluate', { result: { type: 'number', value: 1 } });
    await evaluated;
    await settle();
    expect(h.methods()).toEqual(['Runtime.evaluate', 'Debugger.setBreakpointByUrl']);
    h.answer('Debugger.setBreakpointByUrl', { breakpointId: 'b', locations: [] });
    await next;
  });

  test('a stop of the thread lets what waits behind a command that runs code go (its pause loop takes messages)', async () => {
    const h = harness();
    void h.w.Runtime.evaluate({ expression: 'void 0' });
    void h.w.Debugger.resume({});
    await settle();
    expect(h.methods()).toEqual(['Runtime.evaluate']);
    h.stopped();
    await settle();
    expect(h.methods()).toEqual(['Runtime.evaluate', 'Debugger.resume']);
  });

  test('after a pause request, a command that runs code waits for its answer and the stop', async () => {
    const h = harness();
    const asked = h.w.Debugger.pause();
    void h.w.Runtime.evaluate({ expression: 'void 0' });
    await settle();
    expect(h.methods()).toEqual(['Debugger.pause']);
    h.answer('Debugger.pause');
    await asked;
    await settle();
    expect(h.methods()).toEqual(['Debugger.pause']);
    h.stopped();
    await settle();
    expect(h.methods()).toEqual(['Debugger.pause', 'Runtime.evaluate']);
  });

  test('the thread gone: what waits is refused', async () => {
    const h = harness();
    void h.w.Runtime.evaluate({ expression: '1' }).catch(() => {});
    const next = h.w.Debugger.resume({});
    h.w.gone();
    await expect(next).rejects.toThrow(/gone/);
  });
});
