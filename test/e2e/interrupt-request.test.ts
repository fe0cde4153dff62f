// The pause session's Ctrl+C request (src/session/pause-session.ts, requestPause) against a real node:
// when it says V8 queued the request, an interrupt stop must come. A Debugger.pause that V8 reads after
// it answered a resume but before it left the stop is dropped, and its answer comes before any stop
// (docs/v8.md, "A Debugger.pause read before V8 has left a stop"): taken for a queued one, the Ctrl+C
// was lost (fresh-clone CI, prompt.test, every line). Each round asks exactly where that window is:
// right behind the resume of an exception stop (LiveSession asks as the resume is answered, a
// little later, and needs a loaded machine to fall in the window).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type * as ConnectionModule from '../../src/cdp/connection';
import type * as PauseSessionModule from '../../src/session/pause-session';
import type * as RegistryModule from '../../src/session/registry';
import type { Pause } from '../../src/session/pause';
import { ROOT_DIR, testNodes } from '../helpers/nodes';

const dist = (m: string) => require(path.join(ROOT_DIR, 'dist', ...m.split('/')));
const { connect } = dist('cdp/connection.js') as typeof ConnectionModule;
const { PauseSession } = dist('session/pause-session.js') as typeof PauseSessionModule;
const { ScriptRegistry } = dist('session/registry.js') as typeof RegistryModule;

// throws and catches every 10 ms, and never goes idle
const PROGRAM = `
function pace(ms) { const end = Date.now() + ms; let s = 0; while (Date.now() < end) s++; return s; }
function work(n) { throw new Error('boom ' + n); }
let n = 0;
setTimeout(() => { for (;;) { pace(10); n++; try { work(n); } catch (e) {} } }, 100);
`;

const ROUNDS = 8;

describe.each(testNodes())('$label', ({ bin }) => {
  let child: ChildProcess | null = null;
  afterEach(() => { child?.kill('SIGKILL'); child = null; });

  test(`a Ctrl+C asked right behind a resume: whenever V8 is said to have queued it, it stops the program (${ROUNDS} rounds)`, async () => {
    child = spawn(bin, ['--inspect=127.0.0.1:0', '-e', PROGRAM], { stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = child.stderr!;
    const url = await new Promise<string>((resolve) => {
      let text = '';
      stderr.on('data', (d) => { text += d; const m = /ws:\/\/\S+/.exec(text); if (m) resolve(m[0]); });
    });
    const cdp = await connect(url);
    try {
      const session = new PauseSession(cdp, new ScriptRegistry());
      const stops: Pause[] = [];
      session.onPause((p) => stops.push(p));
      await cdp.Debugger.enable({});
      await cdp.Debugger.setPauseOnExceptions({ state: 'all' });
      /** The next stop the session is told of (`ms` at most). */
      const nextStop = async (ms: number): Promise<Pause | null> => {
        const end = Date.now() + ms;
        const seen = stops.length;
        while (stops.length === seen && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
        return stops[seen] ?? null;
      };
      let stoppedRounds = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // an exception stop
        let p = session.current ?? (await nextStop(10000));
        while (p && p.kind !== 'exception') { void session.resume(); p = await nextStop(10000); }
        expect(p?.kind).toBe('exception');
        // resume it, and ask for the pause as soon as the resume has gone out: it reaches node right behind it
        const resumed = session.resume();
        for (let turn = 0; turn < 100 && session.current; turn++) await Promise.resolve();
        expect(session.current).toBeNull();
        const queued = await session.requestPause();
        await resumed;
        if (!queued) {
          // a stop came before the answer: V8 was stopped and dropped it, or stopped for it at once
          if (session.current?.kind === 'interrupt') { stoppedRounds++; await session.resume(); }
          continue;
        }
        // queued: it stops the program, whatever exception stops come first
        const deadline = Date.now() + 5000;
        let q = session.current ?? (await nextStop(5000));
        while (q && q.kind === 'exception' && Date.now() < deadline) { void session.resume(); q = await nextStop(deadline - Date.now()); }
        expect({ round, stop: q?.kind === 'interrupt' ? q.kind : 'no interrupt stop in 5 s' }).toEqual({ round, stop: 'interrupt' });
        stoppedRounds++;
        await session.resume();
      }
      // the requests did stop the program: the test is not empty
      expect(stoppedRounds).toBeGreaterThan(0);
    } finally {
      await cdp.close();
    }
  });
});
