// A typed connection to one target's inspector, over chrome-remote-interface.
import CDP = require('chrome-remote-interface');
import type { ProtocolProxyApi } from 'devtools-protocol/types/protocol-proxy-api';
import { debug } from '../util/log';

const log = debug('cdp');

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
  /** Resolves when the socket closes, for whatever reason. */
  closed: Promise<void>;
}

/** Ids of our kicks: far above the ones chrome-remote-interface counts up from 1 (and below 2^31: V8 reads ids as int). */
const KICK_IDS = 2_000_000_000;
/** How many kicks a command that lets the program go makes at most (kickUntil: CHAIN_KICKS). */
const EAGER_KICKS = 12;
/** How many kicks batches of kick answers alone make in a row (the first 40 ms are what matter). */
const CHAIN_KICKS = 64;
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
const RUNS_CODE = new Set(['Runtime.evaluate', 'Runtime.callFunctionOn']);

interface RawSocket {
  send(data: string): void;
  on(event: 'message', listener: (data: unknown) => void): void;
}

export async function connect(wsUrl: string): Promise<Connection> {
  // local: true because the target publishes its id on stderr only, not over HTTP.
  const client = await CDP({ target: wsUrl, local: true });
  log('connected', wsUrl);
  let isClosed = false;
  const closed = new Promise<void>((resolve) => client.on('disconnect', () => { isClosed = true; log('disconnected'); release(); resolve(); }));
  // Kicks (kick()) go straight to the socket with ids of their own, which chrome-remote-interface
  // ignores when they are answered. A kick follows each batch of node's messages (those read
  // together) while an answer is due or the caller waits for node's next message (eager), kick
  // answers included: node's answer to a kick is data of its own, which the next message waits
  // behind. Not one kick at a time: the answer to a kick sent while node's main thread is busy (the
  // preload running, Debugger.enable's announcements) comes only when it is done, and the messages
  // node writes meanwhile need their ACKs. Batches of kick answers alone make at most CHAIN_KICKS
  // kicks in a row (an answer that never comes must not keep both sides busy).
  const ws = (client as unknown as { _ws?: RawSocket })._ws;
  const callbacks = () => Object.keys((client as unknown as { _callbacks?: Record<string, unknown> })._callbacks ?? {}).length;
  let kickId = KICK_IDS;
  let kickQueued = false;
  let realInBatch = false;
  let chain = 0;
  let eager = 0;
  /** A command that runs the program's code (RUNS_CODE) is out, unanswered, and the program has not stopped since: the one that holds. */
  let holder = 0;
  let holders = 0;
  /** Commands sent while one holds (they go out, in order, when it no longer does). */
  const held: (() => void)[] = [];
  const release = () => {
    holder = 0;
    while (held.length && !holder) held.shift()!();
  };
  const kick = () => {
    if (isClosed || holder || !ws) return;
    try { ws.send(JSON.stringify({ id: ++kickId, method: 'Runtime.getIsolateId', params: {} })); } catch { /* closing */ }
  };
  const kickAfterBatch = (real: boolean) => {
    realInBatch ||= real;
    if (kickQueued) return;
    kickQueued = true;
    // (a microtask: after every message of the chunk just read)
    queueMicrotask(() => {
      kickQueued = false;
      chain = realInBatch ? 0 : chain + 1;
      realInBatch = false;
      if (chain > CHAIN_KICKS) return;
      if (eager > 0) { eager--; kick(); } else if (callbacks() > 0) kick();
    });
  };
  // After a command that lets the program go, node sends its answer, `resumed`, and soon perhaps the
  // next `paused`, each of which would wait for our ACK of the one before: kick after each of them
  // until the program stops again (a few times at most).
  const send = client.send.bind(client) as (method: string, ...rest: unknown[]) => Promise<unknown>;
  const sendNow = (method: string, rest: unknown[]): Promise<unknown> => {
    if (LETS_GO.has(method)) eager = EAGER_KICKS;
    if (!RUNS_CODE.has(method) || isClosed) return send(method, ...rest);
    const mine = ++holders;
    holder = mine;
    const done = () => { if (holder === mine) release(); };
    // (a callback, when given, gets the answer instead of a promise)
    const args = rest.map((a) => (typeof a === 'function' ? (...r: unknown[]) => { done(); return (a as (...x: unknown[]) => unknown)(...r); } : a));
    const answer = send(method, ...args);
    if (answer && typeof answer.then === 'function') answer.then(done, done);
    return answer;
  };
  (client as unknown as { send: typeof send }).send = (method, ...rest) => {
    if (!holder) return sendNow(method, rest);
    if (rest.some((a) => typeof a === 'function')) {
      held.push(() => { void sendNow(method, rest); });
      return undefined as unknown as Promise<unknown>;
    }
    return new Promise((resolve, reject) => held.push(() => { sendNow(method, rest).then(resolve, reject); }));
  };
  ws?.on('message', (data: unknown) => {
    // (chrome-remote-interface's own listener ran first: an answer's callback is gone by now)
    const text = String(data);
    if (text.startsWith('{"method":"Debugger.paused"')) {
      eager = 0;
      // stopped: node's pause loop takes messages again, those of a command still running included
      if (holder) release();
    }
    kickAfterBatch(!isKickAnswer(text));
  });
  return {
    Debugger: client.Debugger,
    Runtime: client.Runtime,
    send: (method, params) => client.send(method, params),
    onRaw: (event, listener) => { client.on(event, listener); },
    kick,
    // (behind one that holds, it waits its turn like any command)
    evaluateNoStop: (params) => (holder ? client.send('Runtime.evaluate', params) : send('Runtime.evaluate', params)),
    kickUntil: (done) => {
      eager = CHAIN_KICKS;
      kick();
      void done.then(() => { eager = 0; }, () => { eager = 0; });
    },
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      try { await client.close(); } catch { /* already gone */ }
    },
    closed,
  };
}

/** An answer to one of our kicks (their ids start at KICK_IDS: ten digits). */
function isKickAnswer(text: string): boolean {
  return text.startsWith('{"id":') && text.charCodeAt(16) === 44 /* , */ && Number(text.slice(6, 16)) > KICK_IDS;
}

/** The message of a protocol error, without chrome-remote-interface's decoration. */
export function protocolMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { response?: { message?: string; data?: string }; message?: string };
    if (e.response?.message) return e.response.message + (e.response.data ? `: ${e.response.data}` : '');
    if (e.message) return e.message;
  }
  return String(err);
}
