// The inspector connection (src/cdp/connection.ts) against a real node: nothing of ours may reach
// node while node runs a command of ours that may stop in the program's code, neither an ACK kick
// nor another command. Node loses a message that comes in then, and every later one (the resume
// included): the program hangs stopped (docs/v8.md, "What attaching costs"). Our forced pause of an
// idle program is such a command.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type * as ConnectionModule from '../../src/cdp/connection';
import { ROOT_DIR, testNodes } from '../helpers/nodes';

const { connect } = require(path.join(ROOT_DIR, 'dist', 'cdp', 'connection.js')) as typeof ConnectionModule;

/** The first value of `p`, or an error after `ms` saying what did not come. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms / 1000} s`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe.each(testNodes())('$label', ({ bin }) => {
  let child: ChildProcess | null = null;
  afterEach(() => { child?.kill('SIGKILL'); child = null; });

  test('a kick and a command while node runs an evaluate that stops in it: the command is answered at the stop, then the resume and the evaluate', async () => {
    child = spawn(bin, ['--inspect=127.0.0.1:0', '-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = child.stderr!;
    const url = await within(new Promise<string>((resolve) => {
      let text = '';
      stderr.on('data', (d) => { text += d; const m = /ws:\/\/\S+/.exec(text); if (m) resolve(m[0]); });
    }), 20000, 'the inspector URL on stderr');
    const cdp = await connect(url);
    try {
      await cdp.Debugger.enable({});
      const paused = new Promise((resolve) => cdp.Debugger.on('paused', resolve));
      // the code runs a moment before it stops: time for a kick to reach node in between
      const answer = cdp.Runtime.evaluate({ expression: '(() => { const end = Date.now() + 300; while (Date.now() < end); debugger; return 7; })()' });
      let other: Promise<unknown> | null = null;
      const soon = new Promise<void>((resolve) => setTimeout(() => { cdp.kick(); other = cdp.send('Runtime.getIsolateId'); resolve(); }, 50));
      await within(paused, 20000, 'Debugger.paused at the debugger statement');
      await soon;
      expect(await within(other!, 20000, 'the answer to the command sent while the evaluate ran')).toHaveProperty('id');
      await within(cdp.Debugger.resume({}), 20000, 'the answer to Debugger.resume');
      const r = await within(answer, 20000, "the evaluate's answer after the resume");
      expect(r.result.value).toBe(7);
    } finally {
      await cdp.close();
    }
  });
});
