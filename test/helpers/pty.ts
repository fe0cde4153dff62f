// Drive the real edit-continue CLI in a real pseudo-terminal, as a user at a terminal would: type
// keys (Ctrl+C included: the terminal turns it into a signal while it is in cooked mode), read the
// screen, resize the window. The pty comes from python3's standard `pty` module (a small driver,
// below): node has no pty of its own, and the npm libraries need a native build.
//
// The driver forks the CLI in a new session whose controlling terminal is the pty (so the CLI is the
// terminal's foreground process group, as in a shell), copies our writes to the terminal's input and
// its output to us, takes `size ROWS COLS` lines on fd 3 (the terminal then signals SIGWINCH), and
// ends with `pty-exit CODE` on stderr (128+n for a signal, as a shell says).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { BIN } from './cli';

const DRIVER = `
import os, pty, sys, select, fcntl, termios, struct, errno
rows, cols = int(sys.argv[1]), int(sys.argv[2])
argv = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(argv[0], argv)
sys.stderr.write('pty-pid %d\\n' % pid)
sys.stderr.flush()
fds = [fd, 0, 3]
status = None
def pump(timeout):
    r, _, _ = select.select(fds, [], [], timeout)
    got = False
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if data:
            os.write(1, data)
            got = True
        else:
            fds.remove(fd)
    if 0 in r:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            fds.remove(0)
    if 3 in r:
        data = os.read(3, 4096)
        if not data:
            fds.remove(3)
        for line in data.decode().splitlines():
            p = line.split()
            if len(p) == 3 and p[0] == 'size':
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', int(p[1]), int(p[2]), 0, 0))
    return got
while status is None and fd in fds:
    pump(0.1)
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
# the CLI has ended: what it wrote last is still in the terminal
while fd in fds and pump(0.2):
    pass
if status is None:
    _, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.stderr.write('pty-exit %d\\n' % (128 - code if code < 0 else code))
`;

/** Is there a python3 with the pty module? (the tests need it; Linux CI has it) */
export function ptyAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import pty, termios, fcntl'], { stdio: 'ignore' });
  return r.status === 0;
}

const ANSI = /\x1b\[[0-9;?>=]*[A-Za-z~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g;

export interface PtyCli {
  child: ChildProcess;
  /** The CLI's pid (null until the driver has said it). */
  pid(): number | null;
  /** What the terminal shows, as text: escape sequences and carriage returns taken out. */
  screen(): string;
  /** The bytes the terminal got, as they came (escape sequences and all). */
  raw(): string;
  /** Offset to pass as `after` so that only output from now on counts. */
  mark(): number;
  /** Wait until `re` matches the screen text after `after`. */
  waitFor(re: RegExp, opts?: { after?: number; timeout?: number; step?: string }): Promise<RegExpMatchArray>;
  /** Type keys (a string: `\r` is Enter, `\x03` Ctrl+C, `\x04` Ctrl+D). */
  type(keys: string): void;
  /** Resize the terminal's window (the terminal signals SIGWINCH to its foreground processes). */
  resize(rows: number, cols: number): void;
  /** The CLI's exit code (128+n when a signal ended it). */
  exited: Promise<number | null>;
  /** The exit code, or an error that shows the screen when the CLI does not end in time. */
  exitCode(opts?: { timeout?: number; step?: string }): Promise<number | null>;
  kill(): void;
}

export function runInPty(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; rows?: number; cols?: number }): PtyCli {
  const child = spawn('python3', ['-c', DRIVER, String(opts.rows ?? 24), String(opts.cols ?? 80), process.execPath, BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', TERM: 'xterm', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let screen = '';
  let err = '';
  let code: number | null = null;
  let cliPid: number | null = null;
  let done = false;
  const waiters = new Set<() => void>();
  const wake = () => { for (const w of [...waiters]) w(); };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => { raw += d; screen = raw.replace(ANSI, '').replace(/\r/g, ''); wake(); });
  child.stderr!.on('data', (d: string) => {
    err += d;
    const m = /pty-exit (-?\d+)/.exec(err);
    if (m) code = Number(m[1]);
    const p = /pty-pid (\d+)/.exec(err);
    if (p) cliPid = Number(p[1]);
  });
  child.stdin!.on('error', () => {});
  const control = child.stdio[3] as Writable;
  control.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', () => { done = true; wake(); resolve(code); });
  });
  const show = () => `--- screen ---\n${screen}\n--- driver ---\n${err}`;
  return {
    child,
    pid: () => cliPid,
    screen: () => screen,
    raw: () => raw,
    mark: () => screen.length,
    waitFor(re, o = {}) {
      const timeout = o.timeout ?? 20000;
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = screen.slice(o.after ?? 0).match(re);
          if (m) { cleanup(); resolve(m); return; }
          if (done) { cleanup(); reject(new Error(`${o.step ?? 'waiting'}: edit-continue exited before the screen showed ${re}\n${show()}`)); }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${o.step ?? 'waiting'}: timed out after ${timeout} ms waiting for the screen to show ${re}\n${show()}`));
        }, timeout);
        const cleanup = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    type(keys) { child.stdin!.write(keys); },
    resize(rows, cols) { control.write(`size ${rows} ${cols}\n`); },
    exited,
    exitCode(o = {}) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${o.step ?? 'the end'}: edit-continue did not exit within ${o.timeout ?? 20000} ms\n${show()}`)), o.timeout ?? 20000);
      });
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    },
    kill() {
      // the CLI first (its lifeline then ends the program), then the driver
      if (cliPid !== null && !done) try { process.kill(cliPid, 'SIGKILL'); } catch { /* gone */ }
      try { child.kill('SIGKILL'); } catch { /* gone */ }
    },
  };
}
