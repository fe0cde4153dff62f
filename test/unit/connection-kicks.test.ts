// The inspector connection's ACK kicks (src/cdp/connection.ts) against a scripted peer on a real
// socket. Node's inspector socket has no TCP_NODELAY: a message it writes while an earlier one is
// unACKed waits for our delayed ACK (~40 ms), unless we write something. The peer here makes that
// wait explicit and endless: it sends what comes after only once we have written again, so a
// missing kick hangs the case instead of slowing it down (the real thing is timed in bench/attach.js).
import { connect, type Connection } from '../../src/cdp/connection';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require('ws');

interface Peer {
  url: string;
  /** Resolves at the next message we write (a kick or a command), parsed. */
  nextWrite(): Promise<{ id: number; method: string }>;
  send(message: object): void;
  close(): Promise<void>;
}

function peer(onCommand: (msg: { id: number; method: string }, p: Peer) => void): Promise<Peer> {
  return new Promise((resolve) => {
    const server = new WebSocket.Server({ host: '127.0.0.1', port: 0 });
    let socket: { send(d: string): void } | null = null;
    const waiters: ((m: { id: number; method: string }) => void)[] = [];
    const p: Peer = {
      url: '',
      nextWrite: () => new Promise((r) => waiters.push(r)),
      send: (m) => socket!.send(JSON.stringify(m)),
      close: () => new Promise((r) => server.close(() => r())),
    };
    server.on('connection', (ws: { send(d: string): void; on(e: string, l: (d: unknown) => void): void }) => {
      socket = ws;
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        const w = waiters.shift();
        if (w) w(msg);
        else if (msg.id < 2_000_000_000) onCommand(msg, p);
        else p.send({ id: msg.id, result: { id: 'isolate' } }); // a kick nobody waits for: answered
      });
    });
    server.on('listening', () => { p.url = `ws://127.0.0.1:${server.address().port}/x`; resolve(p); });
  });
}

/** `p` within 20 s, or an error saying what did not come. */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within 20 s`)), 20000); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('ACK kicks', () => {
  let server: Peer | null = null;
  let cdp: Connection | null = null;
  afterEach(async () => { await cdp?.close(); await server?.close(); cdp = null; server = null; });

  test('events before a due answer: we write after them, and the answer comes', async () => {
    server = await peer(async (msg, p) => {
      // Debugger.enable's shape: announcements, then the answer, which waits for our ACK
      for (let i = 0; i < 3; i++) p.send({ method: 'Debugger.scriptParsed', params: { scriptId: String(i), url: '' } });
      const w = await p.nextWrite();
      expect(w.id).toBeGreaterThan(2_000_000_000);
      p.send({ id: w.id, result: { id: 'isolate' } });
      p.send({ id: msg.id, result: { debuggerId: 'd' } });
    });
    cdp = await connect(server.url);
    const parsed: string[] = [];
    cdp.Debugger.on('scriptParsed', (e) => parsed.push(e.scriptId));
    expect(await within(cdp.Debugger.enable({}), 'the answer to Debugger.enable')).toEqual({ debuggerId: 'd' });
    expect(parsed).toEqual(['0', '1', '2']);
  });

  test("an answer behind a kick's answer: the kick's answer gets a kick of its own", async () => {
    server = await peer(async (msg, p) => {
      p.send({ method: 'Debugger.scriptParsed', params: { scriptId: '1', url: '' } });
      const first = await p.nextWrite();
      p.send({ id: first.id, result: { id: 'isolate' } });
      // node's next message waits behind that answer until we write again
      const second = await p.nextWrite();
      expect(second.id).toBeGreaterThan(first.id);
      p.send({ id: msg.id, result: { status: 'Ok' } });
    });
    cdp = await connect(server.url);
    expect(await within(cdp.send('Debugger.setScriptSource', { scriptId: '1', scriptSource: '' }), 'the answer')).toEqual({ status: 'Ok' });
  });

  test('evaluateNoStop: the script is reported before the answer, and a kick carries the ACK', async () => {
    server = await peer(async (msg, p) => {
      expect(msg.method).toBe('Runtime.evaluate');
      p.send({ method: 'Debugger.scriptParsed', params: { scriptId: '9', url: '' } });
      await p.nextWrite();
      p.send({ id: msg.id, result: { result: { type: 'string', value: 'swap' } } });
    });
    cdp = await connect(server.url);
    const r = await within(cdp.evaluateNoStop({ expression: 'process.env.X = "swap"', silent: true }), "the evaluate's answer");
    expect(r.result.value).toBe('swap');
  });

  test('kickUntil: each message is followed by a kick until the awaited event, with nothing due', async () => {
    let arrived!: () => void;
    const waiting = new Promise<void>((r) => { arrived = r; });
    server = await peer(() => {});
    cdp = await connect(server.url);
    cdp.onRaw('NodeRuntime.waitingForDebugger', () => arrived());
    const kick = server.nextWrite();
    cdp.kickUntil(waiting);
    const k = await within(kick, 'the first kick');
    const next = server.nextWrite();
    server.send({ id: k.id, result: { id: 'isolate' } });
    // the kick's answer is node's last message; the event would wait behind it for our ACK
    await within(next, "the kick after the kick's answer");
    server.send({ method: 'NodeRuntime.waitingForDebugger', params: {} });
    await within(waiting, 'the event');
  });

  test('a protocol error rejects with the inspector\'s message, and the connection goes on', async () => {
    server = await peer((msg, p) => {
      if (msg.method === 'Debugger.getScriptSource') p.send({ id: msg.id, error: { code: -32000, message: 'No script for id: 7' } });
      else p.send({ id: msg.id, result: {} });
    });
    cdp = await connect(server.url);
    const err = await cdp.Debugger.getScriptSource({ scriptId: '7' }).catch((e: Error & { response?: { message: string } }) => e);
    expect((err as Error).message).toBe('No script for id: 7');
    expect((err as { response?: { message: string } }).response?.message).toBe('No script for id: 7');
    expect(await within(cdp.Debugger.resume({}), 'the next answer')).toEqual({});
  });
  test('a command that runs code waits until the kicks in flight are answered (node may still be dispatching one)', async () => {
    let kickAnsweredAt = 0;
    let evaluateCameAt = -1;
    let writesSeen = 0;
    server = await peer((msg, p) => {
      writesSeen++;
      if (msg.method === 'Runtime.evaluate') { evaluateCameAt = writesSeen; p.send({ id: msg.id, result: { result: { type: 'number', value: 7 } } }); }
      else p.send({ id: msg.id, result: {} });
    });
    cdp = await connect(server.url);
    const kickWrite = server.nextWrite();
    cdp.kick();
    const k = await within(kickWrite, 'the kick');
    const answer = cdp.Runtime.evaluate({ expression: '7' });
    // node answers the kick a little later (its main thread was busy): the evaluate must not be out before
    await new Promise((r) => setTimeout(r, 50));
    expect(evaluateCameAt).toBe(-1);
    kickAnsweredAt = writesSeen;
    server.send({ id: k.id, result: { id: 'isolate' } });
    expect((await within(answer, "the evaluate's answer")).result.value).toBe(7);
    expect(evaluateCameAt).toBeGreaterThan(kickAnsweredAt);
  });

  test('a command that runs code after a pause request waits until the request is answered and the program has stopped (pause-settle.ts)', async () => {
    const order: string[] = [];
    let pauseId = 0;
    server = await peer((msg, p) => {
      order.push(msg.method);
      if (msg.method === 'Debugger.pause') { pauseId = msg.id; return; } // answered by the case, later
      p.send({ id: msg.id, result: msg.method === 'Runtime.evaluate' ? { result: { type: 'number', value: 4 } } : {} });
    });
    cdp = await connect(server.url);
    const asked = cdp.Debugger.pause();
    const answer = cdp.Runtime.evaluate({ expression: '2 + 2' });
    const after = cdp.Debugger.setPauseOnExceptions({ state: 'none' });
    // the request reaches the peer (however long that takes here), and then nothing behind it, in order
    // (a wrong command behind it would come right after: the short wait can only miss it, not fail)
    await within((async () => { while (!order.length) await new Promise((r) => setTimeout(r, 5)); })(), 'the pause request');
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['Debugger.pause']);
    server.send({ id: pauseId, result: {} });
    await within(asked, 'the answer to Debugger.pause');
    // answered, and no stop yet: V8 may still have it due (the timer's side is pause-settle.test.ts)
    expect(order).toEqual(['Debugger.pause']);
    server.send({ method: 'Debugger.paused', params: { reason: 'other', callFrames: [], hitBreakpoints: [] } });
    expect((await within(answer, "the evaluate's answer")).result.value).toBe(4);
    await within(after, 'the answer to the command behind it');
    expect(order).toEqual(['Debugger.pause', 'Runtime.evaluate', 'Debugger.setPauseOnExceptions']);
  });

  test('a pause request goes out at once, with a kick unanswered (a Ctrl+C right behind a resume must reach V8 there)', async () => {
    server = await peer((msg, p) => { p.send({ id: msg.id, result: {} }); });
    cdp = await connect(server.url);
    const kickWrite = server.nextWrite();
    cdp.kick();
    const k = await within(kickWrite, 'the kick');
    const pauseWrite = server.nextWrite();
    const asked = cdp.Debugger.pause();
    expect((await within(pauseWrite, 'the pause request')).method).toBe('Debugger.pause');
    server.send({ id: k.id, result: { id: 'isolate' } });
    server.send({ id: (await pauseWrite).id, result: {} });
    await within(asked, 'the answer to Debugger.pause');
  });
});
