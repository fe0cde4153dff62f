// The prompt against a fake of its one way in (PromptSession): what it shows, and which session
// method each command calls. The real session is exercised end to end in test/e2e/prompt*.test.ts.
import type { Protocol } from 'devtools-protocol';
import { Prompt, notLiveText } from '../../src/prompt/prompt';
import type { Breakpoint, BreakOn, FrameView, Pause, PromptSession, Result, RetryFailure, ScopeVariable, SetVariable, StepKind } from '../../src/prompt/session';
import type { StdinRouter } from '../../src/launch/stdin';
import { plainStyle } from '../../src/report/format';

type RemoteObject = Protocol.Runtime.RemoteObject;
const num = (value: number): RemoteObject => ({ type: 'number', value, description: String(value) });

const TEXT = ['function work(item) {', '  const spec = item.spec;', '  return spec.weight * item.id;', '}', 'work({ id: 4 });', ''].join('\n');

function frame(index: number, name: string, over: Partial<FrameView> = {}): FrameView {
  return { index, name, path: '/proj/job.js', file: 'job.js', line: 3 + index, column: 15, origin: 'program', ...over };
}

function pauseOf(kind: Pause['kind'], frames: number, over: Partial<Pause> = {}): Pause {
  const callFrames = Array.from({ length: frames }, (_, i) => ({ callFrameId: `cf${i}`, functionName: `f${i}`, location: { scriptId: '1', lineNumber: 2, columnNumber: 14 } })) as unknown as Protocol.Debugger.CallFrame[];
  return { kind, callFrames, hitBreakpoints: [], rejection: false, ...over };
}

class FakeSession implements PromptSession {
  calls: string[] = [];
  current: Pause | null = null;
  breakOn: BreakOn = 'uncaught';
  views: FrameView[] = [frame(0, 'work'), frame(1, 'main')];
  vars: ScopeVariable[] = [{ name: 'item', value: num(4), scopeNumber: 0, scopeType: 'local' }];
  setAnswer: Result<SetVariable> = { ok: true, value: { value: num(1), scopeType: 'local', frame: 0, declaredConst: false } };
  evalAnswer: Result<{ value: RemoteObject; from: number | null }> = { ok: true, value: { value: num(8), from: null } };
  retryAnswer: (announce?: (m: string) => void) => Result<{ message: string }> = (announce) => { announce?.('retrying work'); return { ok: true, value: { message: 'retrying work' } }; };
  stepAnswer: Pause | null = null;
  skipAnswer: Result<{ message: string }> = { ok: true, value: { message: 'skipped: the program runs on without this exception' } };
  private pauseListeners: ((p: Pause) => void)[] = [];
  private resumeListeners: (() => void)[] = [];

  onPause(l: (p: Pause) => void): void { this.pauseListeners.push(l); }
  onResume(l: () => void): void { this.resumeListeners.push(l); }
  stop(p: Pause): void { this.current = p; for (const l of this.pauseListeners) l(p); }
  go(): void { this.current = null; for (const l of this.resumeListeners) l(); }

  async frames(): Promise<FrameView[]> { return this.views; }
  async originalText(): Promise<string | null> { return TEXT; }
  async evaluateSeeing(expression: string, frameIndex: number | null) { this.calls.push(`evaluate ${expression} @${frameIndex}`); return this.evalAnswer; }
  async variables(): Promise<ScopeVariable[]> { return this.vars; }
  async loopNamesNotLive(): Promise<{ name: string; line: number }[]> { return []; }
  async setVariable(frameIndex: number, name: string, expression: string) { this.calls.push(`set ${name}=${expression} @${frameIndex}`); return this.setAnswer; }
  breakpointNumbers(p: Pause): number[] { return p.hitBreakpoints.map(Number); }
  async retryFailure(): Promise<RetryFailure | null> { return null; }
  loadedFiles(): string[] { return ['/proj/job.js']; }
  async resume(): Promise<void> { this.calls.push('resume'); this.go(); }
  async step(kind: StepKind): Promise<Pause | null> { this.calls.push(`step ${kind}`); return this.stepAnswer; }
  async retry(announce?: (m: string) => void) {
    this.calls.push('retry');
    const r = this.retryAnswer(announce);
    if (r.ok) this.go(); // the retried code runs on
    return r;
  }
  async restartFrame(index: number): Promise<Result<Pause>> { this.calls.push(`restart ${index}`); return { ok: false, message: 'no' }; }
  async skipException(): Promise<Result<{ message: string }>> { this.calls.push('skip'); return this.skipAnswer; }
  async interrupt(): Promise<void> { this.calls.push('interrupt'); }
  breakpoints(): readonly Breakpoint[] { return [{ n: 1, file: '/proj/job.js', line: 3, cdpId: 'b1', resolved: true }]; }
  async addBreakpoint(file: string, line: number): Promise<Result<Breakpoint>> { this.calls.push(`break ${file}:${line}`); return { ok: true, value: { n: 2, file, line, cdpId: 'b2', resolved: true } }; }
  async removeBreakpoint(n: number): Promise<Result<Breakpoint>> { this.calls.push(`clear ${n}`); return { ok: true, value: this.breakpoints()[0] }; }
  async setBreakOn(mode: BreakOn): Promise<void> { this.calls.push(`catch ${mode}`); this.breakOn = mode; }
  async changed(file: string): Promise<void> { this.calls.push(`changed ${file}`); }
}

function setup(opts: { attached?: boolean; terminal?: boolean } = {}) {
  // a terminal the program shares is also our stdin being a TTY
  const session = new FakeSession();
  let out = '';
  let consumer: ((chunk: Buffer) => void) | null = null;
  const routes: string[] = [];
  const stdin: StdinRouter = {
    toProgram: () => { consumer = null; routes.push('program'); },
    toConsumer: (c) => { consumer = c; routes.push('prompt'); },
    hold: () => { consumer = null; routes.push('hold'); },
    ended: () => false,
    terminal: opts.terminal,
    dispose: () => {},
  };
  const quits: string[] = [];
  const prompt = new Prompt({
    session, stdin, stdinIsTTY: opts.terminal === true, write: (t) => { out += t; }, style: plainStyle, cwd: '/proj', env: {},
    quit: async () => { quits.push('quit'); }, attached: opts.attached,
  });
  /** Let the prompt's promises settle (the fake answers at once): no clock involved. */
  const settle = async () => { for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r)); };
  const type = async (line: string) => {
    if (!consumer) throw new Error(`stdin is not the prompt's (routes: ${routes.join(', ')})`);
    const from = out.length;
    consumer(Buffer.from(line + '\n'));
    await settle();
    return out.slice(from);
  };
  return { session, prompt, type, settle, out: () => out, routes, quits };
}

async function stopped(kind: Pause['kind'] = 'break', over: Partial<Pause> = {}, opts: { terminal?: boolean } = {}) {
  const t = setup(opts);
  t.session.stop(pauseOf(kind, 2, over));
  await t.settle();
  return t;
}

describe('the prompt over PromptSession', () => {
  test('a stop opens the prompt: where, the code, the locals, then ec>; stdin is the prompt\'s', async () => {
    const t = await stopped('exception', { exception: { type: 'object', subtype: 'error', description: 'TypeError: boom\n    at work' }, uncaught: true });
    expect(t.out()).toMatch(/^TypeError: boom\n    at work \(job\.js:3:15\)\n    at main \(job\.js:4:15\)\n/);
    expect(t.out()).toMatch(/> 3 \|   return spec\.weight \* item\.id;/);
    expect(t.out()).toMatch(/locals: item = 4\nec> $/);
    expect(t.routes).toEqual(['prompt']);
    expect(t.prompt.isOpen).toBe(true);
  });

  test("names a compiler added (compiled TypeScript) are left out of the stop's line, and `locals` lists them by name on a line of their own", async () => {
    const t = setup();
    t.session.vars = [
      { name: 'item', value: num(4), scopeNumber: 0, scopeType: 'local' },
      { name: 'import_express', value: num(1), scopeNumber: 1, scopeType: 'block', compilerAdded: true },
      { name: 'carts', value: num(2), scopeNumber: 1, scopeType: 'block' },
      { name: '__defProp', value: num(3), scopeNumber: 2, scopeType: 'closure', compilerAdded: true },
    ];
    t.session.stop(pauseOf('break', 2));
    await t.settle();
    expect(t.out()).toMatch(/locals: item = 4, carts = 2\nec> $/);
    expect(await t.type('locals')).toBe('  item = 4\n  carts = 2\n  (and 2 names the compiler added, not in job.js: import_express, __defProp)\nec> ');
    t.session.vars = [t.session.vars[3]];
    expect(await t.type('locals')).toBe('(no variables)\n  (and a name the compiler added, not in job.js: __defProp)\nec> ');
  });

  test('cont resumes through the session, and the resume closes the prompt and gives stdin back', async () => {
    const t = await stopped();
    await t.type('cont');
    expect(t.session.calls).toEqual(['resume']);
    expect(t.prompt.isOpen).toBe(false);
    expect(t.routes).toEqual(['prompt', 'program']);
  });

  test('once cont has let the program go, before V8 says it runs, the prompt is no longer open (a Ctrl+C then pauses the running program)', async () => {
    const t = await stopped('break', {}, { terminal: true });
    // the resume has reached V8 (the session let go of the stop) but its answer and `resumed` are still on the way
    let answer!: () => void;
    t.session.resume = () => { t.session.calls.push('resume'); t.session.current = null; return new Promise<void>((r) => { answer = () => { t.session.go(); r(); }; }); };
    await t.type('cont');
    expect(t.session.calls).toEqual(['resume']);
    expect(t.prompt.isOpen).toBe(false);
    answer();
    await t.settle();
    expect(t.prompt.isOpen).toBe(false);
    // the next stop opens it again
    t.session.stop(pauseOf('interrupt', 2));
    await t.settle();
    expect(t.prompt.isOpen).toBe(true);
    expect(t.out()).toMatch(/ec> $/);
  });

  test('a cont that did not let the program go (no stop in the selected session) leaves the prompt open', async () => {
    const t = await stopped();
    t.session.resume = async () => { t.session.calls.push('resume'); };
    await t.type('cont');
    expect(t.session.calls).toEqual(['resume']);
    expect(t.prompt.isOpen).toBe(true);
  });

  test('at a terminal, a command that lets the program go stops the reading at once; still stopped after it, the prompt reads again', async () => {
    const t = await stopped('break', {}, { terminal: true });
    t.session.stepAnswer = pauseOf('step', 2);
    t.session.current = t.session.stepAnswer;
    await t.type('next');
    // the program's while the step ran (what is typed then is the program's), the prompt's again once it stopped
    expect(t.routes).toEqual(['prompt', 'program', 'prompt']);
    await t.type('p 1');
    expect(t.routes).toEqual(['prompt', 'program', 'prompt']);
    await t.type('cont');
    expect(t.session.calls).toEqual(['step over', 'evaluate 1 @0', 'resume']);
    expect(t.routes).toEqual(['prompt', 'program', 'prompt', 'program', 'program']);
  });

  test('catch sets the session\'s one break-on setting, and its usage shows the setting now', async () => {
    const t = await stopped();
    expect(await t.type('catch all')).toMatch(/stopping at every exception/);
    expect(t.session.calls).toEqual(['catch all']);
    expect(await t.type('catch sometimes')).toMatch(/usage: catch unhandled\|uncaught\|all\|none \(now: all\)/);
  });

  test('set: says which frame holds a variable the selected function does not use, and notes a const', async () => {
    const t = await stopped();
    t.session.setAnswer = { ok: true, value: { value: { type: 'boolean', value: false }, scopeType: 'local', frame: 1, declaredConst: false } };
    expect(await t.type('set running = false')).toMatch(/^running = false \(in frame 1, main at job\.js:4, which holds it: work does not use it\)\n/);
    expect(t.session.calls).toEqual(['set running=false @0']);
    t.session.setAnswer = { ok: true, value: { value: num(5), scopeType: 'block', frame: 0, declaredConst: true } };
    expect(await t.type('set spec = 5')).toMatch(/^spec = 5 \(note: spec is declared const; the program assumed it would not change\)\n/);
    t.session.setAnswer = { ok: false, message: 'nothing changed: x is declared (let…)' };
    expect(await t.type('set x = 1')).toMatch(/^set: nothing changed: x is declared/);
  });

  test('p: the value, and from which frame it was read when the selected one does not keep the name', async () => {
    const t = await stopped();
    expect(await t.type('p item.id * 2')).toMatch(/^8\nec> $/);
    t.session.evalAnswer = { ok: true, value: { value: { type: 'boolean', value: true }, from: 1 } };
    expect(await t.type('p running')).toMatch(/^true\n\(read in frame 1, main at job\.js:4: work does not use it/);
    expect(t.session.calls).toEqual(['evaluate item.id * 2 @0', 'evaluate running @0']);
  });

  test('retry: the announced line once, before anything else; a refusal is shown as retry: …', async () => {
    const t = await stopped();
    expect(await t.type('retry')).toBe('retrying work\n');
    expect(t.prompt.isOpen).toBe(false);
    const u = await stopped();
    u.session.retryAnswer = () => ({ ok: false, message: 'no function on the stack has a retry boundary' });
    expect(await u.type('retry')).toMatch(/^retry: no function on the stack has a retry boundary\nec> $/);
  });

  test('skip: readies the program, says so, then lets it go as cont does; a refusal keeps the prompt open', async () => {
    const t = await stopped('exception', { exception: { type: 'object', subtype: 'error', description: 'Error: bad' }, uncaught: true });
    expect(await t.type('skip')).toBe('skipped: the program runs on without this exception\n');
    expect(t.session.calls).toEqual(['skip', 'resume']);
    expect(t.prompt.isOpen).toBe(false);
    const u = await stopped();
    u.session.skipAnswer = { ok: false, message: 'skip is for a stop at an exception: here `cont` goes on' };
    expect(await u.type('ignore')).toMatch(/^skip: skip is for a stop at an exception: here `cont` goes on\nec> $/);
    expect(u.session.calls).toEqual(['skip']);
    expect(u.prompt.isOpen).toBe(true);
  });

  test('an uncaught exception with none of the program on the stack says retry has nothing to run, and skip', async () => {
    const t = setup();
    t.session.views = [{ ...frame(0, 'handleErrorFromBinding'), origin: 'node', file: null }];
    t.session.stop(pauseOf('exception', 1, { exception: { type: 'object', subtype: 'error', description: "Error: ENOENT: no such file or directory, open 'x'\n    at async load (/proj/job.js:4:16)" }, uncaught: true, rejection: true }));
    await t.settle();
    expect(t.out()).toMatch(/at async load \(job\.js:4:16\)\n\(none of your functions is on the stack to run again: [^\n]*`skip` drops this error and the program runs on, `cont` ends it as under node\)\nec> $/);
  });

  test("set without '=' (gdb's habit) gets the usage with the line that works, and sets nothing", async () => {
    const t = await stopped();
    expect(await t.type("set qty '3'")).toMatch(/^usage: set NAME = EXPR, or set OBJ\.PROP = EXPR \(here: set qty = '3'\)\nec> $/);
    expect(await t.type('set item.spec {}')).toMatch(/\(here: set item\.spec = \{\}\)\nec> $/);
    expect(await t.type('set 1x = 2')).toMatch(/^usage: set NAME = EXPR, or set OBJ\.PROP = EXPR\nec> $/);
    expect(t.session.calls).toEqual([]);
  });

  test('clear, break and breakpoints go through the session', async () => {
    const t = await stopped();
    expect(await t.type('clear 1')).toMatch(/removed breakpoint 1/);
    expect(await t.type('break job.js:3')).toMatch(/breakpoint 2 at job\.js:3/);
    expect(await t.type('breakpoints')).toMatch(/1  job\.js:3/);
    expect(t.session.calls).toEqual(['clear 1', 'break /proj/job.js:3']);
  });

  test('a step that runs on says so and closes the prompt', async () => {
    const t = await stopped();
    expect(await t.type('next')).toMatch(/^\(the step did not stop within 3 s: the program runs on; Ctrl\+C stops it again\)\n$/);
    expect(t.session.calls).toEqual(['step over']);
    expect(t.prompt.isOpen).toBe(false);
  });

  test('bt folds library frames as library code', async () => {
    const t = setup();
    t.session.views = [frame(0, 'handler'), frame(1, 'next', { origin: 'library', file: 'node_modules/express/lib/router.js' }), frame(2, 'listOnTimeout', { origin: 'node', file: null, path: null })];
    t.session.stop(pauseOf('break', 3));
    await t.settle();
    expect(await t.type('bt')).toMatch(/^>#0 handler \(job\.js:3:15\)\n {3}… 2 frames of library code \(node_modules\) and node's own code\n/);
  });

  test('pause while stopped says so; while running (attached) asks the session to interrupt', async () => {
    const t = await stopped();
    expect(await t.type('pause')).toMatch(/already paused/);
    const a = setup({ attached: true });
    await a.type('pause');
    expect(a.session.calls).toEqual(['interrupt']);
    expect(await a.type('cont')).toMatch(/the program is running: 'pause' \(or Ctrl\+C\) stops it first/);
  });

  test('quit at a terminal asks, and keeps the terminal for the answer (lending it and taking it back would drop an answer typed at once)', async () => {
    const t = await stopped('break', {}, { terminal: true });
    const before = t.routes.length;
    expect(await t.type('quit')).toMatch(/end the program\? \(y\/N\) $/);
    expect(await t.type('n')).toMatch(/not ending it/);
    expect(t.quits).toEqual([]);
    expect(await t.type('quit')).toMatch(/end the program\? \(y\/N\) $/);
    expect(await t.type('y')).toMatch(/ending the program/);
    expect(t.quits).toEqual(['quit']);
    expect(t.routes.slice(before)).toEqual([]);
  });

  test('quit without a terminal ends the program at once', async () => {
    const t = await stopped();
    expect(await t.type('quit')).toMatch(/ending the program/);
    expect(t.quits).toEqual(['quit']);
  });
});

describe('the prompt with threads (PromptSession.threads, selectThread, threadLabel)', () => {
  test('one thread: `threads` says so, `thread N` gives its usage', async () => {
    const t = await stopped();
    expect(await t.type('threads')).toMatch(/only the main thread/);
    expect(await t.type('thread 2')).toMatch(/usage: thread N/);
  });

  test('a worker\'s stop is labelled; `threads` lists them; `thread N` shows the stop it goes to', async () => {
    const t = setup();
    let label = '[worker 2]';
    const other = pauseOf('exception', 2, { exception: { type: 'object', subtype: 'error', description: 'RangeError: far\n    at f' } });
    Object.assign(t.session, {
      threadLabel: () => label,
      threads: () => [
        { id: 0, url: '', selected: label === '', stopped: label === '' ? t.session.current : null },
        { id: 2, url: 'file:///proj/worker.js', selected: label !== '', stopped: label !== '' ? t.session.current : null },
      ],
      selectThread: async (id: number) => { t.session.calls.push(`thread ${id}`); label = id === 0 ? '' : `[worker ${id}]`; t.session.current = other; return { ok: true, value: other }; },
    });
    t.session.stop(pauseOf('exception', 2, { exception: { type: 'object', subtype: 'error', description: 'TypeError: boom\n    at work' }, uncaught: true }));
    await t.settle();
    expect(t.out()).toMatch(/^\[worker 2\] TypeError: boom\n/);
    expect(await t.type('threads')).toMatch(/^ {3}0 {2}main thread {2}running\n\* {2}2 {2}worker 2 \(worker\.js\) {2}stopped \(exception in f0\)\n/);
    expect(await t.type('thread 0')).toMatch(/^main thread: RangeError: far\n/);
    expect(t.session.calls).toEqual(['thread 0']);
  });
});

describe("notLiveText: what locals says of a loop's variables V8 shows no binding for", () => {
  test('none: nothing said; several, by loop', () => {
    expect(notLiveText([])).toBeNull();
    expect(notLiveText([{ name: 'i', line: 7 }])).toBe("i of the loop at line 7: not live at the loop's head, between two iterations; `next` steps in");
    expect(notLiveText([{ name: 'i', line: 3 }, { name: 'j', line: 3 }, { name: 'k', line: 4 }])).toBe("i, j of the loop at line 3; k of the loop at line 4: not live at the loop's head, between two iterations; `next` steps in");
  });
});
