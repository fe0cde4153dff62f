// Pure parts of the thread support: one report per save across threads (SaveJoin, leadingThread),
// how it reads (threadsApplied, formatThreadedSave), and the prompt's router over the threads'
// sessions (which stop is shown, which wait, switching, a thread that ends).
import type { Pause, PromptSession } from '../../src/prompt/session';
import { ThreadRouter, threadLabel } from '../../src/prompt/threads';
import { SaveJoin, leadingThread, parseThreadNumber, threadKey, threadNumber, threadParts } from '../../src/session/threads';
import { formatThreadedSave, threadsApplied, whoLabel } from '../../src/report/format';
import type { SaveEvent, ThreadOutcome } from '../../src/report/events';
import { nodeOptionsForSpawned } from '../../src/session/children';

describe('SaveJoin', () => {
  test('holds the reports of one save until every expected thread has reported, then gives them together', () => {
    const done: [string, number[]][] = [];
    const j = new SaveJoin<string>((file, got) => done.push([file, [...got.keys()]]));
    j.expect('/a.js', [0, 2, 3]);
    expect(j.take('/a.js', 0, 'main')).toBe('held');
    expect(j.take('/a.js', 3, 'w3')).toBe('held');
    expect(done).toEqual([]);
    expect(j.take('/a.js', 2, 'w2')).toBe('held');
    expect(done).toEqual([['/a.js', [0, 3, 2]]]);
    // nothing open any more: a later report stands alone
    expect(j.take('/a.js', 2, 'again')).toBe('free');
    j.close();
  });

  test('a report of a thread or file not expected stands alone; a thread that ends is not waited for', () => {
    const done: number[][] = [];
    const j = new SaveJoin<string>((_f, got) => done.push([...got.keys()]));
    j.expect('/a.js', [0, 2]);
    expect(j.take('/b.js', 0, 'x')).toBe('free');
    expect(j.take('/a.js', 5, 'x')).toBe('free');
    expect(j.take('/a.js', 0, 'main')).toBe('held');
    j.drop(2);
    expect(done).toEqual([[0]]);
    j.close();
  });
});

test('SaveJoin: a thread that settles without a report is not waited for', () => {
  const done: number[][] = [];
  const j = new SaveJoin<string>((_f, got) => done.push([...got.keys()]));
  j.expect('/a.js', [0, 2]);
  j.take('/a.js', 0, 'main');
  j.settled('/a.js', 0); // it had reported: nothing changes
  expect(done).toEqual([]);
  j.settled('/a.js', 2);
  expect(done).toEqual([[0]]);
  j.close();
});

describe('leadingThread', () => {
  const o = (thread: number, status: ThreadOutcome['status']): ThreadOutcome => ({ thread, status });
  test("the main thread's report speaks when it loaded the file, else the first worker that patched", () => {
    expect(leadingThread([o(0, 'not-patched'), o(2, 'patched')], true)).toBe(0);
    expect(leadingThread([o(3, 'not-patched'), o(4, 'patched'), o(5, 'patched')], false)).toBe(4);
    expect(leadingThread([o(3, 'unchanged'), o(2, 'unchanged')], false)).toBe(2);
  });
});

describe('threadsApplied and formatThreadedSave', () => {
  const save = (status: 'patched' | 'not-patched', threads?: ThreadOutcome[]): SaveEvent => status === 'patched'
    ? { type: 'patched', event: { file: '/proj/shape.js', ms: 3, afterWaiting: false, functions: [{ name: 'scale', line: 2 }], notApplied: [], warnings: [], threads } }
    : { type: 'not-patched', event: { file: '/proj/shape.js', ms: 3, reasons: [{ code: 'EC201', message: 'no' }], threads } };

  test('the count of threads a save applied in', () => {
    expect(threadsApplied([{ thread: 0, status: 'patched' }, { thread: 2, status: 'patched' }, { thread: 3, status: 'patched' }])).toBe('main + 2 threads');
    expect(threadsApplied([{ thread: 0, status: 'patched' }, { thread: 2, status: 'patched' }])).toBe('main + 1 thread');
    expect(threadsApplied([{ thread: 2, status: 'patched' }])).toBe('worker 2');
    expect(threadsApplied([{ thread: 2, status: 'patched' }, { thread: 4, status: 'patched' }])).toBe('2 threads');
    expect(threadsApplied([{ thread: 0, status: 'patched' }, { thread: 2, status: 'patched' }, { thread: 0, pid: 4711, status: 'patched' }])).toBe('main + 1 thread + 1 process');
    expect(threadsApplied([{ thread: 0, status: 'patched' }, { thread: 0, pid: 4711, status: 'patched' }, { thread: 0, pid: 4712, status: 'patched' }])).toBe('main + 2 processes');
    expect(threadsApplied([{ thread: 0, pid: 4711, status: 'patched' }])).toBe('process 4711');
  });

  test('one head line with the count; a thread that refused says why on its own line', () => {
    expect(formatThreadedSave(save('patched', [{ thread: 0, status: 'patched' }, { thread: 2, status: 'patched' }]), 'normal', '/proj')).toEqual(['patched shape.js: scale (main + 1 thread)']);
    expect(formatThreadedSave(save('patched', [{ thread: 0, status: 'patched' }, { thread: 2, status: 'not-patched', reasons: [{ code: 'EC301', message: 'it runs' }] }]), 'normal', '/proj'))
      .toEqual(['patched shape.js: scale (main thread)', '  [worker 2] not patched: it runs EC301']);
    // only the main thread: as before
    expect(formatThreadedSave(save('patched'), 'normal', '/proj')).toEqual(['patched shape.js: scale']);
    // one worker's report alone
    expect(formatThreadedSave(save('not-patched', [{ thread: 3, status: 'not-patched' }]), 'normal', '/proj')[0]).toBe('[worker 3] not patched shape.js: no EC201');
  });
});

/** A thread's session: stops and goes as the test says; the router's calls are recorded. */
function fakeThread(calls: string[], name: string) {
  const stops: ((p: Pause) => void)[] = [];
  const goes: (() => void)[] = [];
  const s = {
    current: null as Pause | null,
    breakOn: 'unhandled',
    onPause: (l: (p: Pause) => void) => { stops.push(l); },
    onResume: (l: () => void) => { goes.push(l); },
    resume: async () => { calls.push(`${name} resume`); s.go(); },
    interrupt: async () => { calls.push(`${name} interrupt`); s.stop(pause('interrupt')); },
    setBreakOn: async (m: string) => { calls.push(`${name} catch ${m}`); },
    loadedFiles: () => [`/${name}.js`],
    stop(p: Pause) { s.current = p; for (const l of stops) l(p); },
    go() { s.current = null; for (const l of goes) l(); },
  };
  return s as typeof s & PromptSession;
}

function pause(kind: Pause['kind']): Pause {
  return { kind, callFrames: [], hitBreakpoints: [], rejection: false };
}

function setupRouter() {
  const calls: string[] = [];
  const said: string[] = [];
  const main = fakeThread(calls, 'main');
  const w2 = fakeThread(calls, 'w2');
  let threadListener: ((e: { kind: 'added' | 'gone'; info: { id: number; url: string }; session: PromptSession }) => void) | null = null;
  const source = Object.assign(main, {
    threadList: () => [{ info: { id: 2, url: 'file:///proj/worker.js' }, session: w2 as PromptSession }],
    on: (_e: 'thread', l: typeof threadListener) => { threadListener = l; },
  });
  const router = new ThreadRouter(source, (l) => said.push(l));
  const shown: string[] = [];
  router.onPause((p) => shown.push(`stop ${p.kind} in ${router.threadLabel() || 'main'}`));
  router.onResume(() => shown.push('go'));
  const settle = () => new Promise((r) => setImmediate(r));
  return { calls, said, main, w2, router, shown, settle, added: (e: Parameters<NonNullable<typeof threadListener>>[0]) => threadListener!(e) };
}

describe('ThreadRouter', () => {
  test("a worker's stop is shown labelled; the prompt's commands then act in that worker", async () => {
    const t = setupRouter();
    t.w2.stop(pause('exception'));
    expect(t.shown).toEqual(['stop exception in [worker 2]']);
    expect(t.router.current).toBe(t.w2.current);
    await t.router.resume();
    expect(t.calls).toEqual(['w2 resume']);
    expect(t.shown).toEqual(['stop exception in [worker 2]', 'go']);
    expect(t.router.threads().map((x) => `${x.id}${x.selected ? '*' : ''}`)).toEqual(['0', '2*']);
  });

  test('a stop of another thread while one is shown waits, is announced, and is shown once the first goes on', async () => {
    const t = setupRouter();
    t.main.stop(pause('break'));
    t.w2.stop(pause('exception'));
    expect(t.shown).toEqual(['stop break in main']);
    expect(t.said).toEqual(['[worker 2] stopped too (exception): `thread 2` goes to it']);
    await t.router.resume();
    await t.settle();
    expect(t.shown).toEqual(['stop break in main', 'go', 'stop exception in [worker 2]']);
  });

  test('thread N goes to a stopped thread at once, and stops a running one first; the one left stays stopped', async () => {
    const t = setupRouter();
    t.main.stop(pause('break'));
    const r = await t.router.selectThread(2);
    expect(r.ok && r.value.kind).toBe('interrupt');
    expect(t.calls).toEqual(['w2 interrupt']);
    expect(t.router.threadLabel()).toBe('[worker 2]');
    const back = await t.router.selectThread(0);
    expect(back.ok && back.value.kind).toBe('break');
    expect((await t.router.selectThread(7)).ok).toBe(false);
  });

  test('catch applies to every thread; a thread that ends while shown closes its stop; a new thread is routed', async () => {
    const t = setupRouter();
    await t.router.setBreakOn('all');
    expect(t.calls).toEqual(['main catch all', 'w2 catch all']);
    t.w2.stop(pause('break'));
    t.added({ kind: 'gone', info: { id: 2, url: '' }, session: t.w2 });
    expect(t.shown).toEqual(['stop break in [worker 2]', 'go']);
    expect(t.said).toEqual(['[worker 2] ended']);
    expect(t.router.threadLabel()).toBe('');
    const w3 = fakeThread(t.calls, 'w3');
    t.added({ kind: 'added', info: { id: 3, url: '' }, session: w3 });
    w3.stop(pause('exception'));
    expect(t.shown.at(-1)).toBe('stop exception in [worker 3]');
  });
});

describe('one key for every thread: the program\'s workers, its child processes and their workers', () => {
  test('threadKey and threadParts are inverse; threadNumber is what `thread N` takes back', () => {
    const cases: [number | undefined, number, string, string][] = [
      [undefined, 0, '0', ''], [undefined, 3, '3', '[worker 3]'], [4711, 0, '4711', '[process 4711]'], [4711, 1, '4711/1', '[process 4711 worker 1]'], [4194303, 9, '4194303/9', '[process 4194303 worker 9]'],
    ];
    for (const [pid, thread, number, label] of cases) {
      const id = threadKey(pid, thread);
      expect(threadParts(id)).toEqual(pid === undefined ? { thread } : { pid, thread });
      expect(threadNumber(id)).toBe(number);
      expect(parseThreadNumber(number)).toBe(pid !== undefined && !thread ? pid : id); // (a bare pid: the router finds the child by it)
      expect(threadLabel(id)).toBe(label);
    }
    expect(threadKey(4711, 0)).toBe(-4711); // a child process: minus its pid, as before
    expect(parseThreadNumber('4711/x')).toBeNull();
    expect(parseThreadNumber('')).toBeNull();
  });

  test('a child process\'s worker is counted as a thread, and labelled with its process', () => {
    expect(threadsApplied([{ thread: 0, status: 'patched' }, { thread: 0, pid: 4711, status: 'patched' }, { thread: 1, pid: 4711, status: 'patched' }])).toBe('main + 1 thread + 1 process');
    expect(threadsApplied([{ thread: 1, pid: 4711, status: 'patched' }])).toBe('process 4711 worker 1');
    expect(whoLabel({ thread: 1, pid: 4711 })).toBe('[process 4711 worker 1]');
  });
});

describe('NODE_OPTIONS for node the program starts (it reaches us without the program\'s execArgv)', () => {
  test('our preload (quoted) and an inspector id published on stderr only', () => {
    expect(nodeOptionsForSpawned('/x/preload.js')).toBe('--require "/x/preload.js" --inspect-publish-uid=stderr');
    expect(nodeOptionsForSpawned('/a b/"q"\\p.js')).toBe('--require "/a b/\\"q\\"\\\\p.js" --inspect-publish-uid=stderr');
  });
});
