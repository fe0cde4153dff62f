// A connection to one worker thread's inspector, carried inside the main thread's connection
// (NodeWorker.sendMessageToWorker / receivedMessageFromWorker): the same Connection as the main
// thread's, so a LiveSession runs on it unchanged. Nothing is opened for it: no port, no id published.
import { PAUSE, RUNS_CODE, type Connection } from './connection';
import { debug } from '../util/log';
import { PauseSettle } from './pause-settle';

const log = debug('cdp');

interface Pending { resolve(v: unknown): void; reject(e: Error): void }

export interface WorkerConnection extends Connection {
  /** A message the worker's inspector sent (NodeWorker.receivedMessageFromWorker). */
  dispatch(message: string): void;
  /** The worker is gone (NodeWorker.detachedFromWorker, or the main connection closed). */
  gone(): void;
}

/** A protocol error as the main connection gives it (protocolMessage reads `response`). */
function protocolError(method: string, error: { message?: string; data?: string }): Error {
  return Object.assign(new Error(`${method}: ${error.message ?? 'error'}`), { response: error });
}

export function workerConnection(parent: Connection, sessionId: string): WorkerConnection {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, ((params: any) => void)[]>();
  let isClosed = false;
  let onClosed!: () => void;
  const closed = new Promise<void>((r) => { onClosed = r; });

  const send = (method: string, params: object = {}): Promise<any> => {
    if (isClosed) return Promise.reject(protocolError(method, { message: 'the worker thread is gone' }));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      parent.send('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) }).catch((err: Error) => {
        pending.delete(id);
        reject(err);
      });
    }).then((msg) => {
      const m = msg as { result?: unknown; error?: { message?: string; data?: string } };
      if (m.error) throw protocolError(method, m.error);
      return m.result;
    });
  };
  // Two rules of the main connection's (connection.ts), for the same reasons in the worker's own
  // inspector dispatch: after a pause request, every later command waits until the request has
  // settled (a stop, or no stop soon after its answer: an evaluate dispatched before the thread took
  // the stop stops in the evaluate and can abort the thread, pause-settle.ts); and while a command
  // that runs code (the idle no-op that stops the thread, a patch) is out and the thread has not
  // stopped, nothing else goes: a message that comes in while it runs and before it stops is never
  // dispatched, and the thread hangs stopped.
  const waiting: (() => void)[] = [];
  /** The command that runs code and is out (its number), or 0. */
  let codeOut = 0;
  let codeSeq = 0;
  const free = (): boolean => pauses.settled && codeOut === 0;
  const flush = (): void => { while (waiting.length && free()) waiting.shift()!(); };
  const pauses = new PauseSettle(flush);
  const sendNow = (method: string, params?: object): Promise<any> => {
    if (method === PAUSE) return pauses.request(() => send(method, params));
    if (!RUNS_CODE.has(method)) return send(method, params);
    const mine = ++codeSeq;
    codeOut = mine;
    const answer = send(method, params);
    const done = () => { if (codeOut === mine) { codeOut = 0; flush(); } };
    answer.then(done, done);
    return answer;
  };
  /** Send, or wait in order behind the commands that wait. */
  const command = (method: string, params?: object): Promise<any> => {
    if (free() && !waiting.length) return sendNow(method, params);
    return new Promise((resolve, reject) => waiting.push(() => { sendNow(method, params).then(resolve, reject); }));
  };
  const on = (event: string, listener: (params: any) => void): void => {
    const list = listeners.get(event);
    if (list) list.push(listener); else listeners.set(event, [listener]);
  };
  // `cdp.Debugger.enable(…)`, `cdp.Debugger.on('paused', …)`: the typed domains, by name
  const domain = (name: string): any => new Proxy({}, {
    get: (_t, prop: string) => (prop === 'on' ? (event: string, l: (p: any) => void) => on(`${name}.${event}`, l) : (params?: object) => command(`${name}.${prop}`, params)),
  });
  const gone = (): void => {
    if (isClosed) return;
    isClosed = true;
    codeOut = 0;
    pauses.closed();
    log('worker gone', sessionId);
    for (const p of pending.values()) p.reject(protocolError('worker', { message: 'the worker thread is gone' }));
    pending.clear();
    onClosed();
  };
  return {
    Debugger: domain('Debugger'),
    Runtime: domain('Runtime'),
    send: command,
    onRaw: on,
    // the worker's messages travel on the main connection's socket: its kicks carry their ACKs too
    kick: () => parent.kick(),
    kickUntil: (done) => parent.kickUntil(done),
    evaluateNoStop: (params) => command('Runtime.evaluate', params),
    dispatch(message: string) {
      let msg: { id?: number; method?: string; params?: unknown };
      try { msg = JSON.parse(message); } catch { return; }
      if (typeof msg.id === 'number') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        p?.resolve(msg);
        if (pending.size > 0) parent.kick();
        return;
      }
      // stopped: the thread's pause loop takes messages again, those of a command still running
      // included (after the listeners, as on the main connection)
      const stopped = (): void => { codeOut = 0; pauses.stopped(); flush(); };
      // a worker that waited for us stops at its first line (node: "Break on start"): not the user's stop
      if (msg.method === 'Debugger.paused' && (msg.params as { reason?: string }).reason === 'Break on start') {
        log('worker break on start: resumed', sessionId);
        stopped();
        send('Debugger.resume').catch(() => {});
        return;
      }
      if (msg.method) for (const l of listeners.get(msg.method) ?? []) l(msg.params);
      if (msg.method === 'Debugger.paused') stopped();
    },
    gone,
    close: async () => {
      if (isClosed) return;
      await parent.send('NodeWorker.detach', { sessionId }).catch(() => {});
      gone();
    },
    closed,
  };
}
