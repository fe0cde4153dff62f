// Every thread of the program (issue 15): the main thread and worker threads share one module; one
// save patches it in all of them, with their state kept, and says so once with the count; a worker
// started after a save runs the new code and takes the next one; a worker that ends drops out; an
// exception in a worker stops at the prompt labelled with the thread, where `threads`, `bt`, `locals`
// and `retry` act in that worker. One program per line and engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { ask, assertNoV8Abort, cliPerTest, copyFixture, edit, saveByRename, saveInPlace, type RunningCli } from '../helpers/cli';
import { ROOT_DIR, testConfigs, useEngine } from '../helpers/nodes';

/** The newest `main N scale=S` and `worker T N scale=S` lines after `after`. */
async function counts(cli: RunningCli, after: number, factor: number, workers: number): Promise<{ main: number; worker: Map<number, number> }> {
  const worker = new Map<number, number>();
  let main = 0;
  await cli.waitFor(new RegExp(`main \\d+ scale=`), { after, step: `main at ×${factor}` });
  for (const end = Date.now() + 20000; Date.now() < end;) {
    const text = cli.stdout().slice(after);
    worker.clear();
    main = 0;
    for (const m of text.matchAll(/^main (\d+) scale=(\d+)$/gm)) if (Number(m[2]) === factor * Number(m[1])) main = Number(m[1]);
    for (const m of text.matchAll(/^worker (\d+) (\d+) scale=(\d+)$/gm)) if (Number(m[3]) === factor * Number(m[2])) worker.set(Number(m[1]), Number(m[2]));
    if (main && worker.size >= workers) return { main, worker };
    await cli.waitFor(/\n[^\n]*\n/, { after: cli.mark(), step: `every thread at ×${factor}` });
  }
  throw new Error(`not every thread at ×${factor}:\n${cli.stdout().slice(after)}\n${cli.stderr()}`);
}

const step = (s: string) => { if (process.env.EC_TEST_TRACE) process.stderr.write(`${new Date().toISOString()} ${s}\n`); };

describe.each(testConfigs())('$label', ({ bin, engine }) => {
  useEngine(engine);
  const start = cliPerTest();

  test('main + worker threads: one save patches all with state kept; workers come and go; a worker stops at the prompt, is fixed and retried', async () => {
    const dir = copyFixture('workers');
    const shape = path.join(dir, 'shape.js');
    const log = path.join(dir, 'events.jsonl');
    const cli = start([`--json=${log}`, bin, 'main.js'], dir);
    const first = await counts(cli, 0, 2, 1);
    const [wid] = [...first.worker.keys()];

    step('// one save, every thread');
    // one save, every thread, one report with the count; counters go on from where they were
    let mark = cli.mark('stderr');
    let out = cli.mark();
    edit(shape, 'x * 2', 'x * 3', saveByRename);
    await cli.waitFor(/\[ec\] patched shape\.js: scale \(main \+ 1 thread\)\n/, { stream: 'stderr', after: mark, step: 'save reported once for both threads' });
    const after = await counts(cli, out, 3, 1);
    expect(after.main).toBeGreaterThan(first.main);
    expect(after.worker.get(wid)).toBeGreaterThan(first.worker.get(wid)!);
    expect(cli.stderr().slice(mark).match(/patched shape\.js/g)).toHaveLength(1);

    step('// a worker started after');
    // a worker started after the save loads the new code, and takes the next save with the others
    out = cli.mark();
    cli.send('spawn\n');
    const two = await counts(cli, out, 3, 2);
    const wid2 = [...two.worker.keys()].find((k) => k !== wid)!;
    expect(two.worker.get(wid2)).toBeGreaterThan(0);
    mark = cli.mark('stderr');
    out = cli.mark();
    edit(shape, 'x * 3', 'x * 4', saveInPlace);
    await cli.waitFor(/\[ec\] patched shape\.js: scale \(main \+ 2 threads\)\n/, { stream: 'stderr', after: mark, step: 'save reported for three threads' });
    await counts(cli, out, 4, 2);

    step('// a worker that ends');
    // a worker that ends drops out of the next save
    out = cli.mark();
    cli.send('stop\n');
    await cli.waitFor(new RegExp(`worker ${wid2} exited`), { after: out, step: 'second worker ends' });
    mark = cli.mark('stderr');
    out = cli.mark();
    edit(shape, 'x * 4', 'x * 5', saveByRename);
    await cli.waitFor(/\[ec\] patched shape\.js: scale \(main \+ 1 thread\)\n/, { stream: 'stderr', after: mark, step: 'save after a worker ended' });
    await counts(cli, out, 5, 1);

    step('// an exception in the worker');
    // an exception in the worker stops at the prompt, labelled; the prompt acts in that worker
    mark = cli.mark('stderr');
    cli.send('boom\n');
    await cli.waitFor(new RegExp(`\\[worker ${wid}\\] TypeError: Cannot read properties of undefined \\(reading 'length'\\)[^\\n]*\\n\\s+at handle \\(worker\\.js:14:`), { stream: 'stderr', after: mark, step: 'worker exception shown' });
    await cli.waitFor(/ec> $/, { stream: 'stderr', after: mark, step: 'prompt' });
    await ask(cli, 'threads', new RegExp(`\\s+0  main thread  running\\n\\*\\s+${wid}  worker ${wid} \\(worker\\.js\\)  stopped \\(exception in handle\\)`));
    await ask(cli, 'bt', /#0 handle \(worker\.js:14:\d+\)\n #1 \(anonymous\) \(worker\.js:17:/);
    await ask(cli, 'locals', /message = \{ cmd: 'boom' \}/);
    await ask(cli, 'p count > 0 && typeof parentPort', /'object'/);
    mark = cli.mark('stderr');
    edit(path.join(dir, 'worker.js'), 'const items = message.items;', 'const items = message.items || [1, 2, 3];', saveByRename);
    await cli.waitFor(new RegExp(`\\[ec\\] (?:\\[worker ${wid}\\] waiting worker\\.js|patched worker\\.js: handle \\(worker ${wid}\\))`), { stream: 'stderr', after: mark, step: 'fix said' });
    out = cli.mark();
    cli.send('retry\n');
    await cli.waitFor(/^handled boom: 3$/m, { after: out, step: 'retried in the worker' });
    step('// the program goes on');
    // the program goes on: both threads count
    await counts(cli, cli.mark(), 5, 1);

    step('quit');
    cli.send('quit\n');
    expect((await cli.exited).code).toBe(0);

    // --json: the saves say how each thread took them; the worker's stop and resume name the thread
    const events = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; file?: string; thread?: number; threads?: { thread: number; status: string }[] });
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'docs', 'events.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false, formats: { 'date-time': (x: string) => !Number.isNaN(Date.parse(x)) } }).compile(schema);
    for (const e of events) if (!validate(e)) throw new Error(`invalid event ${JSON.stringify(e)}: ${JSON.stringify(validate.errors)}`);
    const saves = events.filter((e) => e.type === 'patched' && e.file?.endsWith('shape.js'));
    expect(saves.map((e) => e.threads!.map((t) => `${t.thread}:${t.status}`).join(' '))).toEqual([
      `0:patched ${wid}:patched`, `0:patched ${wid}:patched ${wid2}:patched`, `0:patched ${wid}:patched`,
    ]);
    const stop = events.find((e) => e.type === 'paused')!;
    expect(stop.thread).toBe(wid);
    expect(events.some((e) => e.type === 'resumed' && e.thread === wid)).toBe(true);
    assertNoV8Abort(cli);
  });
});
