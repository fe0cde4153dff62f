// A save is planned against the text V8 runs, whatever came before it: the order the edit fuzz ran
// into (TypeScript, node 24, seed 1011012042) through the real Updater and the real LiveEditEngine,
// with a scripted inspector and a clock the test moves. A save whose cap() change V8 cannot take
// (it starts using a top-level const no function uses: EC204) patches value() only; an empty save
// is refused; a save made while value() is on the stack waits and goes in when it returns. The
// updater's last text (the empty one, or the first save with its refused cap) is never the base:
// the report of the applied save must still say cap was not patched, and what V8 gets keeps the old cap.
import { Updater, type UpdateReport } from '../../src/patch/updater';
import { LiveEditEngine } from '../../src/patch/engine';
import { ScriptRegistry } from '../../src/session/registry';
import type { Connection } from '../../src/cdp/connection';
import type { Protocol } from 'devtools-protocol';
import { FakeClock } from '../helpers/fake-clock';

const FILE = '/proj/app.js';
const R0 = [
  "const LABEL = 'a';",
  'const BASE = 3;',
  'const SPARE = 4;',
  '',
  'function cap() {',
  '  return BASE; // CAP',
  '}',
  '',
  'function value() {',
  '  return 100; // VALUE',
  '}',
  '',
  'setInterval(() => console.log(value(), cap(), LABEL), 25);',
  '',
].join('\n');
const save = (v: number, cap: string, label = 'a') => R0.replace('return 100;', `return ${v};`).replace('return BASE;', cap).replace("'a'", `'${label}'`);
const OLD_CAP = 'return BASE;';

/** The inspector: V8 runs `running`; setScriptSource answers from `answers` (Ok takes the text). */
function fakeInspector(initial: string) {
  const v8 = { running: initial, sent: [] as string[], answers: [] as Protocol.Debugger.SetScriptSourceResponse['status'][] };
  const cdp = {
    Debugger: {
      async setScriptSource(p: Protocol.Debugger.SetScriptSourceRequest): Promise<Protocol.Debugger.SetScriptSourceResponse> {
        v8.sent.push(p.scriptSource);
        const status = v8.answers.shift() ?? 'Ok';
        if (status === 'Ok') v8.running = p.scriptSource;
        return { status } as Protocol.Debugger.SetScriptSourceResponse;
      },
    },
    Runtime: { async evaluate() { throw new Error('not used for a .js file'); } },
  } as unknown as Connection;
  return { v8, cdp };
}

test('empty save refused, a save that waits at a stop, applied at return: planned against what V8 runs, cap reported not patched', async () => {
  const { v8, cdp } = fakeInspector(R0);
  const registry = new ScriptRegistry(async () => v8.running);
  registry.add({ scriptId: '7', url: `file://${FILE}`, isModule: false } as Protocol.Debugger.ScriptParsedEvent);
  const engine = new LiveEditEngine(cdp, registry);
  const clock = new FakeClock(20);
  let disk = '';
  const reports: UpdateReport[] = [];
  const updater = new Updater({ engine, clock, readFile: async () => Buffer.from(disk), report: (r) => reports.push(r) });
  /** The one report a step brought. */
  const said = () => { const all = reports.splice(0); expect(all).toHaveLength(1); return all[0]; };
  const saveNow = async (text: string) => { disk = text; updater.changed(FILE); await clock.advance(200); };

  // 1. value and cap: value goes in, cap cannot (EC204); V8 keeps the old cap
  await saveNow(save(201, 'return BASE * 10 + SPARE;'));
  expect(said().outcome).toMatchObject({ status: 'patched', functions: [{ name: 'value' }], notApplied: [{ code: 'EC204' }] });
  expect(v8.running).toBe(save(201, OLD_CAP));

  // 2. an empty save: refused (every declaration would go), nothing sent
  const sentBefore = v8.sent.length;
  await saveNow('');
  const empty = said().outcome;
  expect(empty.status === 'not-patched' && empty.reasons[0].code).toBe('EC203');
  expect(v8.sent.length).toBe(sentBefore);

  // 3. the whole file again, value() on the stack: V8 blocks it, it waits
  v8.answers.push('BlockedByActiveFunction');
  disk = save(247, 'return BASE * 10 + SPARE;', 'e');
  updater.changed(FILE);
  await clock.advance(10);
  expect(said()).toMatchObject({ outcome: { status: 'waiting', functions: [{ name: 'value' }] } });
  expect(v8.running).toBe(save(201, OLD_CAP));

  // 4. value() returned: the retry goes in, planned against what V8 runs (value 201, the old cap)
  await clock.advance(1000);
  const applied = said();
  expect(applied.afterWaiting).toBe(true);
  expect(applied.outcome).toMatchObject({ status: 'patched', functions: [{ name: 'value' }] });
  const codes = applied.outcome.status === 'patched' ? applied.outcome.notApplied.map((n) => n.code).sort() : [];
  expect(codes).toEqual(['EC201', 'EC204']);
  expect(v8.running).toBe(save(247, OLD_CAP));
  expect(await registry.runningText('7')).toBe(v8.running);
  await clock.advance(1000);
  expect(reports).toEqual([]);
  updater.close();
});
