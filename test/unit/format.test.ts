import { ansiStyle, displayPath, formatSave, plainStyle, type Verbosity } from '../../src/report/format';
import { saveEventOf } from '../../src/report/events';
import type { UpdateReport, UpdateOutcome } from '../../src/patch/updater';
import { Codes } from '../../src/patch/codes';

const CWD = '/proj';
const FILE = '/proj/src/a.js';

const report = (outcome: UpdateOutcome, extra: Partial<UpdateReport> = {}): UpdateReport => ({
  file: FILE, outcome, ms: 12.6, afterWaiting: false, ...extra,
});

const fn = (name: string) => ({ name, line: 1, async: false, generator: false });

/** An update as the event LiveSession emits for it, formatted: what the terminal shows. */
const fmt = (r: UpdateReport, v: Verbosity) => formatSave(saveEventOf(r), v, CWD);

describe('displayPath', () => {
  test('a file under cwd is shown relative', () => {
    expect(displayPath('/proj/src/a.js', '/proj')).toBe('src/a.js');
  });

  test('a file outside cwd is shown absolute', () => {
    expect(displayPath('/other/a.js', '/proj')).toBe('/other/a.js');
    expect(displayPath('/proj2/a.js', '/proj')).toBe('/proj2/a.js');
  });

  test('cwd itself is shown as given', () => {
    expect(displayPath('/proj', '/proj')).toBe('/proj');
  });
});

describe('formatSave: patched', () => {
  const clean = report({ status: 'patched', functions: [fn('f'), fn('Shop.total')], notApplied: [], warnings: [] });

  test('normal: one line with the file and the function names', () => {
    expect(fmt(clean, 'normal')).toEqual(['patched src/a.js: f, Shop.total']);
  });

  test('verbose: adds the rounded time', () => {
    expect(fmt(clean, 'verbose')).toEqual(['patched src/a.js: f, Shop.total (13 ms)']);
  });

  test('quiet: a clean patch says nothing', () => {
    expect(fmt(clean, 'quiet')).toEqual([]);
  });

  test('no changed function: says it was comments or layout', () => {
    const r = report({ status: 'patched', functions: [], notApplied: [], warnings: [] });
    expect(fmt(r, 'normal')).toEqual(['patched src/a.js: no function changed (comments or layout)']);
  });

  test('after waiting: says so', () => {
    const r = { ...clean, afterWaiting: true };
    expect(fmt(r, 'normal')).toEqual(['patched src/a.js: f, Shop.total (was waiting)']);
    expect(fmt(r, 'verbose')).toEqual(['patched src/a.js: f, Shop.total (was waiting) (13 ms)']);
  });

  test('what was not applied is listed under a heading with its codes, in every verbosity', () => {
    const r = report({
      status: 'patched',
      functions: [fn('handle')],
      notApplied: [
        { code: Codes.TopLevelCode, line: 1, message: 'top-level code changed (line 1): it ran once' },
        { code: Codes.NewDeclaration, line: 4, message: 'new top-level function fresh' },
      ],
      warnings: [],
    });
    const expected = [
      'patched src/a.js: handle',
      '  not applied:',
      '  EC201 top-level code changed (line 1): it ran once',
      '  EC202 new top-level function fresh',
    ];
    expect(fmt(r, 'normal')).toEqual(expected);
    expect(fmt(r, 'quiet')).toEqual(expected);
    expect(fmt(r, 'verbose')).toEqual([expected[0] + ' (13 ms)', ...expected.slice(1)]);
  });

  test('warnings are listed with their codes, also in quiet', () => {
    const r = report({
      status: 'patched',
      functions: [fn('make')],
      notApplied: [],
      warnings: [{ code: Codes.StaleClosures, line: 1, message: 'closures that make created before this save keep their old code' }],
    });
    const expected = ['patched src/a.js: make', '  EC206 closures that make created before this save keep their old code'];
    expect(fmt(r, 'normal')).toEqual(expected);
    expect(fmt(r, 'quiet')).toEqual(expected);
  });

  test('not-applied reasons come before warnings', () => {
    const r = report({
      status: 'patched',
      functions: [fn('make')],
      notApplied: [{ code: Codes.TopLevelCode, message: 'top' }],
      warnings: [{ code: Codes.StaleClosures, message: 'stale' }],
    });
    const lines = fmt(r, 'normal');
    expect(lines[0]).toBe('patched src/a.js: make');
    expect(lines.indexOf('  not applied:')).toBeLessThan(lines.indexOf('  EC201 top'));
    expect(lines.indexOf('  EC201 top')).toBeLessThan(lines.indexOf('  EC206 stale'));
  });
});

describe('formatSave: other outcomes', () => {
  test('unchanged: only in verbose', () => {
    const r = report({ status: 'unchanged' });
    expect(fmt(r, 'quiet')).toEqual([]);
    expect(fmt(r, 'normal')).toEqual([]);
    expect(fmt(r, 'verbose')).toEqual(['unchanged src/a.js (13 ms)']);
  });

  test('not-loaded: only in verbose', () => {
    const r = report({ status: 'not-loaded' });
    expect(fmt(r, 'quiet')).toEqual([]);
    expect(fmt(r, 'normal')).toEqual([]);
    expect(fmt(r, 'verbose')).toEqual(['changed src/a.js: not loaded by the program, nothing to patch']);
  });

  test('waiting: the reason and its code, not in quiet', () => {
    const r = report({ status: 'waiting', reason: { code: Codes.ActiveFunction, message: 'f is running; will apply when it returns' }, functions: [fn('f')] });
    expect(fmt(r, 'quiet')).toEqual([]);
    expect(fmt(r, 'normal')).toEqual(['waiting src/a.js: f is running; will apply when it returns EC301']);
    expect(fmt(r, 'verbose')).toEqual(['waiting src/a.js: f is running; will apply when it returns EC301 (13 ms)']);
  });

  test('not-patched: the first reason on the head line, the others below, in every verbosity', () => {
    const r = report({
      status: 'not-patched',
      reasons: [
        { code: Codes.NewDeclaration, line: 2, message: 'new top-level function fresh' },
        { code: Codes.UsesNewDeclaration, line: 3, message: 'main not patched: it uses fresh' },
      ],
    });
    const expected = ['not patched src/a.js: new top-level function fresh EC202', '  EC204 main not patched: it uses fresh'];
    expect(fmt(r, 'quiet')).toEqual(expected);
    expect(fmt(r, 'normal')).toEqual(expected);
    expect(fmt(r, 'verbose')).toEqual(['not patched src/a.js: new top-level function fresh EC202 (13 ms)', expected[1]]);
  });

  test('not-patched with a syntax error: a code frame with one line of context, indented', () => {
    const r = report({
      status: 'not-patched',
      reasons: [{ code: Codes.SyntaxError, line: 2, message: 'SyntaxError: Unexpected token (2:5)' }],
      syntax: { problem: { message: 'Unexpected token', line: 2, column: 5 }, text: 'a\nb +;\nc\nd' },
    });
    const lines = fmt(r, 'normal');
    expect(lines[0]).toBe('not patched src/a.js: SyntaxError: Unexpected token (2:5) EC101');
    // each line of the frame is a line of its own (the CLI puts [ec] before every one)
    expect(lines.slice(1)).toEqual([
      '    1 | a',
      '  > 2 | b +;',
      '      |     ^',
      '    3 | c',
    ]);
    expect(fmt(r, 'quiet')).toEqual(lines);
  });

  test('a file the program has not loaded is said only with -v', () => {
    expect(fmt(report({ status: 'not-loaded' }), 'normal')).toEqual([]);
  });

  test('not-patched without reasons still says something', () => {
    expect(fmt(report({ status: 'not-patched', reasons: [] }), 'normal')).toEqual(['not patched src/a.js: unknown reason']);
  });

  test('unreadable: always shown, with its code (a not-patched event)', () => {
    const r = report({ status: 'unreadable', reason: { code: Codes.Unreadable, message: 'the file was deleted; the running code stays as it was' } });
    const expected = ['not patched src/a.js: the file was deleted; the running code stays as it was EC102'];
    for (const v of ['quiet', 'normal'] as const) expect(fmt(r, v)).toEqual(expected);
    expect(fmt(r, 'verbose')).toEqual([`${expected[0]} (13 ms)`]);
  });

  test('a file outside cwd is shown with its absolute path', () => {
    const r = { ...report({ status: 'unchanged' }), file: '/elsewhere/x.js' };
    expect(fmt(r, 'verbose')).toEqual(['unchanged /elsewhere/x.js (13 ms)']);
  });
});

describe('formatSave: styles', () => {
  test('plainStyle adds nothing', () => {
    expect(plainStyle.ok('x') + plainStyle.bad('y') + plainStyle.warn('z') + plainStyle.dim('w')).toBe('xyzw');
  });

  test('ansiStyle colours the status words, the heading and the codes', () => {
    const r = report({ status: 'patched', functions: [fn('f')], notApplied: [{ code: Codes.TopLevelCode, message: 'top' }], warnings: [] });
    expect(formatSave(saveEventOf(r), 'verbose', CWD, ansiStyle)).toEqual([
      '\x1b[32mpatched\x1b[39m src/a.js: f\x1b[2m (13 ms)\x1b[22m',
      '  \x1b[33mnot applied:\x1b[39m',
      '  \x1b[2mEC201\x1b[22m top',
    ]);
    const bad = report({ status: 'unreadable', reason: { code: Codes.NotText, message: 'binary' } });
    expect(formatSave(saveEventOf(bad), 'normal', CWD, ansiStyle)).toEqual(['\x1b[31mnot patched\x1b[39m src/a.js: binary \x1b[2mEC103\x1b[22m']);
  });

  test('the plain output has no escape codes', () => {
    const r = report({ status: 'waiting', reason: { code: Codes.ActiveGenerator, message: 'g is suspended' }, functions: [] });
    for (const line of fmt(r, 'verbose')) expect(line).not.toMatch(/\x1b/);
  });
});
