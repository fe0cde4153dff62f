// A typed connection to one target's inspector: a small CDP client over a WebSocket (ws). Ours,
// not chrome-remote-interface, which builds every protocol domain from a 1 MB table at each connect
// (~20 ms of the controller's CPU while the program waits for us; issue 17, bench/ANALYSIS.md).
import WebSocket = require('ws');
import type { ProtocolProxyApi } from 'devtools-protocol/types/protocol-proxy-api';
import { debug } from '../util/log';
import { PauseSettle } from './pause-settle';

const log = debug('cdp');
/** Each message's method (or answer's id) as it goes and comes: the timeline of a start (EDIT_CONTINUE_DEBUG=wire). */
const wire = debug('wire', { onlyWhenNamed: true });

export type Domains = Pick<ProtocolProxyApi.ProtocolApi, 'Debugger' | 'Runtime'>;

export interface Connection extends Domains {
  /** Calls outside the typed domains (NodeRuntime, NodeWorker). */
  send(method: string, params?: object): Promise<any>;
  /** Events outside the typed domains, by full name (`NodeRuntime.waitingForDisconnect`). */
  onRaw(event: string, listener: (params: any) => void): void;
  /**
   * Send a command whose answer nobody waits for, only so that our side writes at once. Node's
   * inspector socket has no TCP_NODELAY: when node writes two messages in a row, the second waits
   * for the ACK of the first, which a client that only reads sends ~40 ms late (delayed ACK). A write
   * of ours carries that ACK now (docs/v8.md, "What attaching costs").
   */
  kick(): void;
  /**
   * Kick now and after every batch of messages until `done` (CHAIN_KICKS at most): for a moment
   * when node sends several messages in a row and we wait for the last (the program's exit), or
   * when we wait for an event that may come right after an answer (the program waiting for us).
   */
  kickUntil(done: Promise<unknown>): void;
  /**
   * Runtime.evaluate of an expression that cannot stop: nothing is set to stop on yet (no
   * breakpoint, no exception pause), as while the engine is chosen before the program runs. Sent
   * without holding back kicks and later commands (RUNS_CODE), so node's answer, which comes right
   * after the compiled expression's scriptParsed, is not held ~40 ms for our ACK.
   */
  evaluateNoStop(params: { expression: string; silent?: boolean; returnByValue?: boolean }): Promise<any>;
  close(): Promise<void>;
  /** Resolves when the socket closes from the program's side or breaks (not after close()). */
  closed: Promise<void>;
}

/** Ids of our kicks: far above the ones commands count up from 1 (and below 2^31: V8 reads ids as int). */
const KICK_IDS = 2_000_000_000;
/** How many kicks a command that lets the program go makes at most (kickUntil: CHAIN_KICKS). */
const EAGER_KICKS = 12;
/** How many kicks batches of kick answers alone make in a row (the first 40 ms are what matter). */
const CHAIN_KICKS = 64;
/** How long a batch of kick answers alone waits for a write of ours before it makes a kick (ms). */
const CHAIN_DELAY_MS = 2;
/** Commands after which node sends several messages in a row (answer, `resumed`, the next `paused`). */
const LETS_GO = new Set(['Debugger.resume', 'Debugger.stepInto', 'Debugger.stepOver', 'Debugger.stepOut', 'Debugger.restartFrame', 'Runtime.runIfWaitingForDebugger']);
/**
 * Commands that run the program's code on the main thread, which may stop in it (a breakpoint, a
 * requested pause: the forced pause of an idle program is a `Runtime.evaluate`). Node loses a
 * message that comes in while it runs such a command and before it stops, and with it every later
 * one, the `resume` included: the program hangs stopped (docs/v8.md, "What attaching costs"). So
 * from when we send one until it is answered or the program stops, nothing else goes out: no kick,
 * and other commands wait, in order.
 */
export const RUNS_CODE: ReadonlySet<string> = new Set(['Runtime.evaluate', 'Runtime.callFunctionOn']);
/**
 * A request to stop. A RUNS_CODE command dispatched before V8 took it stops in its own code, and can
 * abort the program (pause-settle.ts): such a command (and what comes after it, in order) waits until
 * the requests are settled. The request itself goes out at once, as any command: a Ctrl+C asked
 * right behind a resume must reach V8 there.
 */
export const PAUSE = 'Debugger.pause';

/** How long close() waits for the other side's close frame before it drops the socket. */
const CLOSE_WAIT_MS = 2000;
/** Large scripts' texts come whole in one message (chrome-remote-interface's limit, kept). */
const MAX_PAYLOAD = 256 * 1024 * 1024;

interface Pending { method: string; resolve(result: any): void; reject(err: Error): void }

/** A protocol error, as chrome-remote-interface gave it: `response` is the inspector's error object (protocolMessage reads it). */
function protocolError(method: string, error: { message?: string; data?: string }): Error {
  return Object.assign(new Error(`${error.message ?? `${method} failed`}${error.data ? ` (${error.data})` : ''}`), { response: error });
}

export async function connect(wsUrl: string): Promise<Connection> {
  const ws = new WebSocket(wsUrl, [], { maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { ws.removeListener('error', reject); resolve(); });
    ws.once('error', reject);
  });
  ws.on('error', () => { /* 'close' follows */ });
  log('connected', wsUrl);
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, ((params: any) => void)[]>();
  let isClosed = false;
  const failPending = () => {
    const err = new Error('WebSocket connection closed');
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    kicksOut = 0;
    pauses.closed(); // (its onSettled, kicksAnswered, lets what waited go: refused as closed)
  };
  let onClosed!: () => void;
  const closed = new Promise<void>((resolve) => { onClosed = resolve; });
  const onClose = () => { isClosed = true; failPending(); log('disconnected'); release(); onClosed(); };
  ws.on('close', onClose);
  /** Send a command now, whatever holds. */
  const send = (method: string, params: object = {}): Promise<any> => new Promise((resolve, reject) => {
    if (isClosed) { reject(new Error('WebSocket connection closed')); return; }
    const id = nextId++;
    pending.set(id, { method, resolve, reject });
    writes++;
    wire('>', id, method);
    ws.send(JSON.stringify({ id, method, params }), (err) => {
      if (err && pending.delete(id)) reject(err);
    });
  });
  const on = (event: string, listener: (params: any) => void): void => {
    const list = listeners.get(event);
    if (list) list.push(listener); else listeners.set(event, [listener]);
  };
  // Kicks (kick()) go straight to the socket with ids of their own, answered to nobody. A kick
  // follows each batch of node's messages (those read together) while an answer is due or the
  // caller waits for node's next message (eager): not one kick at a time, since the answer to a kick
  // sent while node's main thread is busy (the preload running, Debugger.enable's announcements)
  // comes only when it is done, and the messages node writes meanwhile need their ACKs. A batch of
  // kick answers alone needs one too (node's answer to a kick is data of its own, which the next
  // message waits behind), but a little later (CHAIN_DELAY_MS), and none when we wrote anything
  // meanwhile: kicks answering kicks at once would run one chain per batch of a flood, side by side
  // (200+ kicks for one Debugger.enable). At most CHAIN_KICKS of those in a row.
  let kickId = KICK_IDS;
  let kickQueued = false;
  let realInBatch = false;
  let chain = 0;
  /** Writes of ours so far (each carries the ACK of what we had read). */
  let writes = 0;
  let eager = 0;
  /** A command that runs the program's code (RUNS_CODE) is out, unanswered, and the program has not stopped since: the one that holds. */
  let holder = 0;
  let holders = 0;
  /** Commands sent while one holds (they go out, in order, when it no longer does). */
  const held: (() => void)[] = [];
  function release(): void {
    holder = 0;
    while (held.length && !holder) held.shift()!();
  }
  /** Kicks sent and not answered yet: node may still be dispatching one (see sendNow). */
  let kicksOut = 0;
  /** Code-running commands waiting for the kicks in flight to be answered and the pause requests to settle. */
  const afterKicks: (() => void)[] = [];
  const kicksAnswered = () => { while (afterKicks.length && ((kicksOut === 0 && pauses.settled) || isClosed)) afterKicks.shift()!(); };
  const pauses = new PauseSettle(kicksAnswered);
  const kick = () => {
    if (isClosed || holder) return;
    writes++;
    kicksOut++;
    try { ws.send(JSON.stringify({ id: ++kickId, method: 'Runtime.getIsolateId', params: {} })); } catch { kicksOut--; /* closing */ }
  };
  const wanted = () => {
    if (eager > 0) { eager--; return true; }
    return pending.size > 0;
  };
  const kickAfterBatch = (real: boolean) => {
    realInBatch ||= real;
    if (kickQueued) return;
    kickQueued = true;
    // (a microtask: after every message of the chunk just read)
    queueMicrotask(() => {
      kickQueued = false;
      const chained = !realInBatch;
      realInBatch = false;
      chain = chained ? chain + 1 : 0;
      if (!chained) { if (wanted()) kick(); return; }
      if (chain > CHAIN_KICKS) return;
      const before = writes;
      setTimeout(() => { if (writes === before && wanted()) kick(); }, CHAIN_DELAY_MS).unref();
    });
  };
  // After a command that lets the program go, node sends its answer, `resumed`, and soon perhaps the
  // next `paused`, each of which would wait for our ACK of the one before: kick after each of them
  // until the program stops again (a few times at most).
  const sendNow = (method: string, params?: object): Promise<any> => {
    if (LETS_GO.has(method)) eager = EAGER_KICKS;
    if (method === PAUSE && !isClosed) return pauses.request(() => send(method, params));
    if (!RUNS_CODE.has(method) || isClosed) return send(method, params);
    const mine = ++holders;
    holder = mine;
    const done = () => { if (holder === mine) release(); };
    // Not while node may still be dispatching a kick of ours: a message that comes in while another is
    // dispatched waits for the next one to wake node's dispatch, and while this command runs we send
    // none, so it would never run (fresh-clone CI, node 22: no pause, no answer, for 20 s). A kick is
    // answered at once when the main thread is free; when it is busy, this command could not run either.
    const go = () => {
      if (!holder) holder = mine; // (a pause meanwhile let the others go; this one holds again)
      const answer = send(method, params);
      answer.then(done, done);
      return answer;
    };
    if (kicksOut === 0 && pauses.settled) return go();
    return new Promise((resolve, reject) => afterKicks.push(() => { go().then(resolve, reject); }));
  };
  /** Send a command, after the one that holds (RUNS_CODE) if one does. */
  const command = (method: string, params?: object): Promise<any> => {
    if (!holder) return sendNow(method, params);
    return new Promise((resolve, reject) => held.push(() => { sendNow(method, params).then(resolve, reject); }));
  };
  ws.on('message', (data: unknown) => {
    let msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message?: string; data?: string } };
    try { msg = JSON.parse(String(data)); } catch { return; }
    wire('<', msg.id ?? msg.method);
    if (typeof msg.id === 'number') {
      if (msg.id > KICK_IDS) {
        if (kicksOut > 0 && --kicksOut === 0) kicksAnswered();
        kickAfterBatch(false);
        return;
      }
      const p = pending.get(msg.id);
      if (p) {
        pending.delete(msg.id);
        if (msg.error) p.reject(protocolError(p.method, msg.error)); else p.resolve(msg.result ?? {});
      }
    } else if (typeof msg.method === 'string') {
      const list = listeners.get(msg.method);
      if (list) for (const l of [...list]) l(msg.params);
      if (msg.method === 'Debugger.paused') {
        eager = 0;
        pauses.stopped();
        // stopped: node's pause loop takes messages again, those of a command still running included
        if (holder) release();
      }
    }
    kickAfterBatch(true);
  });
  // `cdp.Debugger.enable(…)`, `cdp.Debugger.on('paused', …)`: the typed domains, by name
  const domain = (name: string): any => new Proxy({}, {
    get: (_t, prop) => (typeof prop !== 'string' || prop === 'then' ? undefined
      : prop === 'on' ? (event: string, l: (p: any) => void) => on(`${name}.${event}`, l)
        : (params?: object) => command(`${name}.${prop}`, params)),
  });
  return {
    Debugger: domain('Debugger'),
    Runtime: domain('Runtime'),
    send: command,
    onRaw: on,
    kick,
    // (behind one that holds, it waits its turn like any command)
    evaluateNoStop: (params) => (holder ? command('Runtime.evaluate', params) : send('Runtime.evaluate', params)),
    kickUntil: (done) => {
      eager = CHAIN_KICKS;
      kick();
      void done.then(() => { eager = 0; }, () => { eager = 0; });
    },
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      // (as chrome-remote-interface did: `closed` is for the other side's close, not ours)
      ws.removeListener('close', onClose);
      const gone = new Promise<void>((r) => ws.once('close', () => r()));
      failPending();
      try { ws.close(); } catch { /* never opened */ }
      // (a peer that never answers our close frame must not keep us: ws would wait 30 s)
      const timer = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
      await gone;
      clearTimeout(timer);
    },
    closed,
  };
}

/** An answer to one of our kicks (their ids start at KICK_IDS: ten digits). */
function isKickAnswer(text: string): boolean {
  return text.startsWith('{"id":') && text.charCodeAt(16) === 44 /* , */ && Number(text.slice(6, 16)) > KICK_IDS;
}

/** The message of a protocol error, without the method's name. */
export function protocolMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { response?: { message?: string; data?: string }; message?: string };
    if (e.response?.message) return e.response.message + (e.response.data ? `: ${e.response.data}` : '');
    if (e.message) return e.message;
  }
  return String(err);
}
