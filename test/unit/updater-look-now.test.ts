// Updater.lookNow: `retry` takes the files as they are when it is asked, whether or not the watcher's
// event for a save made just before has come (under load it came after the retry had run the old
// code: prompt.test 'a retry that fails again', node 26).
import { Updater, type UpdateReport } from '../../src/patch/updater';
import type { ApplyOptions, PatchEngine, PatchOutcome } from '../../src/patch/engine';

const FILE = '/proj/job.js';

function setup() {
  const texts = new Map<string, string>([[FILE, 'v0']]);
  const stats = new Map<string, { mtimeMs: number; size: number }>([[FILE, { mtimeMs: 1000, size: 2 }]]);
  const applied: string[] = [];
  const outcomes: PatchOutcome[] = [];
  const engine: PatchEngine = {
    apply: async (_file: string, text: string, _o?: ApplyOptions) => { applied.push(text); return outcomes.shift() ?? { status: 'patched', functions: [{ name: 'work', line: 1, async: false, generator: false }], notApplied: [], warnings: [] }; },
  } as unknown as PatchEngine;
  const reports: UpdateReport[] = [];
  const updater = new Updater({
    engine,
    readFile: async (f) => Buffer.from(texts.get(f) ?? ''),
    statFile: async (f) => { const st = stats.get(f); if (!st) throw new Error('ENOENT'); return st; },
    report: (r) => reports.push(r),
    debounceMs: 0,
    recheckMs: 60000,
  });
  const save = (text: string, mtimeMs: number) => { texts.set(FILE, text); stats.set(FILE, { mtimeMs, size: text.length }); };
  return { updater, applied, outcomes, reports, save };
}

describe('Updater.lookNow (before a retry)', () => {
  test('a save whose event has not come is applied and reported; its late event applies nothing more', async () => {
    const { updater, applied, reports, save } = setup();
    save('v1', 2000);
    updater.changed(FILE);
    await updater.settle();
    expect(applied).toEqual(['v1']);
    save('v2', 3000); // no event yet
    await updater.lookNow([FILE]);
    await updater.settle();
    expect(applied).toEqual(['v1', 'v2']);
    expect(reports.map((r) => r.outcome.status)).toEqual(['patched', 'patched']);
    updater.changed(FILE); // the event, late
    await updater.settle();
    expect(applied).toEqual(['v1', 'v2']);
    expect(reports).toHaveLength(2);
    updater.close();
  });

  test('a file as it was last read is left alone', async () => {
    const { updater, applied, save } = setup();
    save('v1', 2000);
    updater.changed(FILE);
    await updater.settle();
    await updater.lookNow([FILE]);
    await updater.settle();
    expect(applied).toEqual(['v1']);
    updater.close();
  });

  test('a file never read: looked at only when written since its watch began; what V8 runs goes unsaid', async () => {
    const { updater, applied, outcomes, reports, save } = setup();
    updater.watchStarted(FILE, 5000, 0);
    await new Promise((r) => setTimeout(r, 5)); // its own check: mtime 1000, older than the watch
    await updater.lookNow([FILE]);
    await updater.settle();
    expect(applied).toEqual([]);
    save('v0', 6000); // written since, same text as running
    outcomes.push({ status: 'unchanged' });
    await updater.lookNow([FILE]);
    await updater.settle();
    expect(applied).toEqual(['v0']);
    expect(reports).toEqual([]);
    save('v1', 7000);
    await updater.lookNow([FILE]);
    await updater.settle();
    expect(applied).toEqual(['v0', 'v1']);
    expect(reports.map((r) => r.outcome.status)).toEqual(['patched']);
    updater.close();
  });
});
