// The edit fuzz's reading of save reports (test/robust/reports.ts). Fresh-clone CI once counted a
// false 'patched' (edit fuzz, TypeScript, node 24, seed 1011012042) that edit-continue never said: a
// save that waited at a breakpoint was applied at 'cont' and reported "patched app.ts: value (was
// waiting)" with "EC204 cap not patched" on a later line; the fuzz read the report when only its head
// had arrived, took cap as patched, and found cap() still old. These are that run's lines.
import { refusalsOf, reportsIn } from '../robust/reports';

const CI_STDERR = [
  "[ec] waiting app.ts: value is running; will apply when it returns EC301 (104 ms)",
  "[ec]   the program is paused: retry (or restart N) applies it now",
  "{\"v\":1,\"type\":\"pending\",\"time\":\"2026-12-01T15:58:44.927Z\",\"file\":\"/tmp/ec-robust-edit-typed-y3BCgT/app.ts\",\"reason\":{\"code\":\"EC301\",\"message\":\"value is running; will apply when it returns\"},\"functions\":[{\"name\":\"value\",\"line\":27}],\"ms\":104}",
  "ec> removed breakpoint 1",
  "ec> {\"v\":1,\"type\":\"resumed\",\"time\":\"2026-12-01T15:58:45.305Z\"}",
  "[ec] patched app.ts: value (was waiting) (633 ms)",
  "[ec]   not applied:",
  "[ec]   EC201 top-level code changed (line 2): it ran once when the module loaded and is not run again",
  "[ec]   EC204 cap not patched: it now uses top-level SPARE, which no function of the running code uses, and V8 cannot give a running module's functions access to it (restart, or keep the value in a variable a function already uses)",
  "{\"v\":1,\"type\":\"patched\",\"time\":\"2026-12-01T15:58:45.457Z\",\"file\":\"/tmp/ec-robust-edit-typed-y3BCgT/app.ts\",\"functions\":[{\"name\":\"value\",\"line\":27}],\"notApplied\":[{\"code\":\"EC201\",\"message\":\"top-level code changed (line 2): it ran once when the module loaded and is not run again\",\"line\":2},{\"code\":\"EC204\",\"message\":\"cap not patched: it now uses top-level SPARE, which no function of the running code uses, and V8 cannot give a running module's functions access to it (restart, or keep the value in a variable a function already uses)\",\"line\":10}],\"warnings\":[],\"ms\":633,\"afterWaiting\":true}",
].join('\n') + '\n';

describe('edit fuzz reports', () => {
  const headEnd = CI_STDERR.indexOf('\n', CI_STDERR.indexOf('[ec] patched app.ts')) + 1;

  test('a report whose head came without the rest is not complete (and is not judged)', () => {
    const reports = reportsIn(CI_STDERR.slice(0, headEnd), 'app.ts');
    expect(reports.map((r) => [r.status, r.complete])).toEqual([['waiting', true], ['patched', false]]);
    // what the fuzz took for the whole report: nothing refused
    expect([...refusalsOf(reports[1]).refused]).toEqual([]);
  });

  test('every line but the JSON event: still not complete', () => {
    const withoutEvent = CI_STDERR.slice(0, CI_STDERR.lastIndexOf('{"v":1,"type":"patched"'));
    expect(reportsIn(withoutEvent, 'app.ts')[1].complete).toBe(false);
  });

  test('once its JSON event came, the report is complete and says cap was not patched', () => {
    const [waiting, patched] = reportsIn(CI_STDERR, 'app.ts');
    expect(waiting).toMatchObject({ status: 'waiting', codes: ['EC301'], complete: true });
    expect(patched).toMatchObject({ status: 'patched', afterWaiting: true, codes: ['EC201', 'EC204'], complete: true });
    expect(patched.body).not.toContain('{"v":1');
    expect([...refusalsOf(patched).refused]).toEqual(['cap']);
  });

  test('an unchanged report (one line, no event) is complete at its newline; the swap engine names what it did not swap', () => {
    expect(reportsIn('[ec] unchanged app.ts (9 ms)', 'app.ts')[0].complete).toBe(false);
    expect(reportsIn('[ec] unchanged app.ts (9 ms)\n', 'app.ts')[0].complete).toBe(true);
    const swap = '[ec] patched lib.mjs: value\n[ec]   not applied:\n[ec]   EC212 makeNest.(anonymous:18) not patched: it now uses b\n[ec]   EC206 closures that makeNest made before this save keep their old code\n{"v":1,"type":"patched","time":"t","file":"/x/lib.mjs","functions":[]}\n';
    const [r] = reportsIn(swap, 'lib.mjs');
    expect(r.complete).toBe(true);
    expect(refusalsOf(r)).toEqual({ refused: new Set(['makeNest']), stale: new Set(['makeNest']) });
  });
});
