// Ctrl+C before the program has run its first line: there is nothing to pause yet, so it ends the
// start, as it would end node there: exit 130, one line that says so, and not a line of the program
// runs. A stand-in for node holds the start where the test wants it (while node is asked its
// version, and once it is started, before its inspector), so that the Ctrl+C lands there for sure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliPerTest, isAlive } from '../helpers/cli';

const SAID = /\[ec\] Ctrl\+C before the program started: it will not run/;

/** A node that waits, at the step HOLD names, until the file `go` appears; it says where it waits by a file. */
const SLOW_NODE = `#!/bin/sh
if [ "$1" = "--version" ]; then step=probe; else step=spawn; fi
if [ "$step" = "$EC_HOLD" ]; then
  echo $$ > "$EC_HOLD_DIR/$step.tmp" && mv "$EC_HOLD_DIR/$step.tmp" "$EC_HOLD_DIR/$step"
  while [ ! -e "$EC_HOLD_DIR/go" ]; do sleep 0.05; done
fi
exec "$EC_REAL_NODE" "$@"
`;

/** Resolves with the file's text once it exists (a watch on its folder; 20 s at most). */
function fileAppears(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(path.dirname(file));
    const done = (err?: Error) => { clearTimeout(timer); watcher.close(); if (err) reject(err); else resolve(fs.readFileSync(file, 'utf8')); };
    const timer = setTimeout(() => done(new Error(`${path.basename(file)} did not appear within 20 s`)), 20000);
    watcher.on('change', () => { if (fs.existsSync(file)) done(); });
    if (fs.existsSync(file)) done();
  });
}

describe('Ctrl+C before the program started', () => {
  const start = cliPerTest();
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-start-int-'));
    fs.writeFileSync(path.join(dir, 'app.js'), "console.log('the program ran');\nsetInterval(() => {}, 1000);\n");
    fs.writeFileSync(path.join(dir, 'node'), SLOW_NODE, { mode: 0o755 });
    env = { EC_HOLD_DIR: dir, EC_REAL_NODE: process.execPath };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('while node is being asked its version: the start ends there, and the program never runs', async () => {
    const cli = start([path.join(dir, 'node'), 'app.js'], dir, 'pipe', { ...env, EC_HOLD: 'probe' });
    await fileAppears(path.join(dir, 'probe'));
    cli.kill('SIGINT'); // to edit-continue alone (a terminal would signal the probe too)
    await cli.waitFor(SAID, { stream: 'stderr', step: 'Ctrl+C taken' });
    fs.writeFileSync(path.join(dir, 'go'), ''); // the probe answers now; the node started after it must not run the program
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(cli.stdout()).not.toMatch(/the program ran/);
  });

  test('once node is started, before its inspector: node ends, and the reason given is the Ctrl+C', async () => {
    const cli = start([path.join(dir, 'node'), 'app.js'], dir, 'pipe', { ...env, EC_HOLD: 'spawn' });
    const pid = Number(await fileAppears(path.join(dir, 'spawn')));
    cli.kill('SIGINT');
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(cli.stderr()).toMatch(SAID);
    expect(cli.stderr()).not.toMatch(/node exited before its inspector started/);
    expect(cli.stdout()).not.toMatch(/the program ran/);
    expect(isAlive(pid)).toBe(false);
  });
});
