// After a save of a loader's output: the line shift from an older .ts text to the latest
// (src/loaders/line-shift.ts), maps read through it (LoaderMap, src/loaders/mapped.ts), and the map a
// swapped-in function carries for node (src/loaders/save-maps.ts unitMap), each checked against
// @jridgewell/trace-mapping on real texts.
import * as vm from 'node:vm';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { decode, encode } from '@jridgewell/sourcemap-codec';
import { backwardLine, forwardLine, lineShift } from '../../src/loaders/line-shift';
import { LoaderMap, followSource } from '../../src/loaders/mapped';
import { forgetSource, latestSource } from '../../src/loaders/latest-source';
import { inlineMapComment, inlineMapOf } from '../../src/loaders/sourcemap';
import { isUnitUrl, keepersExpression, mapChanged, nodeMapExpression, unitMap, unitUrl } from '../../src/loaders/save-maps';
import { delimited } from '../../src/inject/boundary';

describe('lineShift', () => {
  const before = ['a', 'b', 'c', 'd', 'e'].join('\n');
  test('lines added above move the lines below; a line of the later text the earlier has not has no place in it', () => {
    const after = ['a', 'x', 'y', 'b', 'c', 'd', 'e'].join('\n');
    const shift = lineShift(before, after)!;
    expect([0, 1, 2, 3, 4].map((l) => forwardLine(shift, l))).toEqual([0, 3, 4, 5, 6]);
    expect([0, 1, 2, 3, 6].map((l) => backwardLine(shift, l))).toEqual([0, null, null, 1, 4]);
  });
  test('a changed line stands where its replacement does; a removed one at the next shared line', () => {
    const shift = lineShift(before, ['a', 'B', 'c', 'e'].join('\n'))!;
    expect([0, 1, 2, 3, 4].map((l) => forwardLine(shift, l))).toEqual([0, 1, 2, 3, 3]);
    expect(backwardLine(shift, 1)).toBeNull();
    expect(backwardLine(shift, 3)).toBe(4);
  });
  test('the same text needs none', () => {
    expect(lineShift(before, before)).toBeNull();
  });
});

/** A loader's output of `ts` (one JavaScript line per .ts line that is not a comment), with its map. */
function output(ts: string, file = '/src/a.ts'): string {
  const lines = ts.split('\n');
  const js: string[] = [];
  const mappings: [number, number, number, number][][] = [];
  lines.forEach((l, i) => {
    if (l.trim().startsWith('//') || !l.trim()) return;
    js.push(l.trim());
    mappings.push([[0, 0, i, l.length - l.trimStart().length]]);
  });
  return js.join('\n') + '\n' + inlineMapComment({ version: 3, sources: [file], sourcesContent: [ts], names: [], mappings: encode(mappings) });
}

describe('LoaderMap after saves (followSource)', () => {
  test('an older map names the lines of the latest .ts, and a breakpoint line finds its code; a line only the latest has, none', () => {
    const file = '/src/follow-a.ts';
    const v1 = 'function a() {\n  return 1;\n}\nfunction b() {\n  return 2;\n}';
    const loaded = LoaderMap.of(file, output(v1, file))!;
    expect(loaded.original({ line: 4, column: 0 })).toEqual({ line: 4, column: 2 });
    // a comment added at the top: the JavaScript is the same, the .ts lines moved
    const v2 = '// one\n// two\n' + v1;
    expect(output(v2, file).split('\n').slice(0, -1)).toEqual(output(v1, file).split('\n').slice(0, -1));
    expect(followSource(file, output(v2, file))).toBe(v2);
    expect(latestSource(file)).toBe(v2);
    expect(loaded.original({ line: 4, column: 0 })).toEqual({ line: 6, column: 2 });
    expect(loaded.originalAsMade({ line: 4, column: 0 })).toEqual({ line: 4, column: 2 });
    expect(loaded.generated(7)).toEqual({ line: 4, column: 0 });
    expect(loaded.generated(1)).toBeNull();
    expect(loaded.sourceText()).toBe(v2);
    expect(loaded.ownSourceText()).toBe(v1);
    // the latest map itself reads as made
    expect(LoaderMap.of(file, output(v2, file))!.original({ line: 4, column: 0 })).toEqual({ line: 6, column: 2 });
    // the file loaded again (another session): its map is the latest
    forgetSource(file);
    expect(loaded.original({ line: 4, column: 0 })).toEqual({ line: 4, column: 2 });
  });
  test('mapChanged: another .ts text, not another map of the same one', () => {
    const v1 = 'function a() {\n  return 1;\n}';
    expect(mapChanged(output(v1), output(v1))).toBe(false);
    expect(mapChanged(output('// c\n' + v1), output(v1))).toBe(true);
    expect(mapChanged('x();', output(v1))).toBe(false);
  });
});

describe('unitMap: the map of a swapped-in function', () => {
  // tsx's shape: a module on one line, each function somewhere along it
  const ts = 'let n = 0;\nfunction a() {\n  return 1;\n}\nfunction b() {\n  return n + 2;\n}';
  const js = 'let n=0;function a(){return 1}function b(){return n+2}';
  // segments: each function's `return` to its .ts line
  const at = (s: string) => js.indexOf(s);
  const out = js + '\n' + inlineMapComment({ version: 3, sources: ['/src/u.ts'], sourcesContent: [ts], names: ['x'], mappings: encode([[[0, 0, 0, 0], [at('function a'), 0, 1, 0], [at('return 1'), 0, 2, 2], [at('function b'), 0, 4, 0], [at('return n'), 0, 5, 2, 0]]]) });

  test('kept to the function, moved onto its insertions, without names or the .ts text', () => {
    const start = at('function b');
    const end = js.length;
    // the compiled code: the function padded to its column, an insertion of ours inside it
    const body = js.slice(start, end).replace('{return', `{${delimited('void 0;')}return`);
    const code = ' '.repeat(start) + body + '\n//# sourceURL=' + unitUrl('/src/u.ts', 1);
    const map = unitMap(out, code, start, end)!;
    expect(map.sourcesContent).toBeUndefined();
    expect(map.names).toEqual([]);
    const traced = new TraceMap(map as never);
    // only b's segments are kept
    expect(originalPositionFor(traced, { line: 1, column: at('return 1') }).line).toBeNull();
    const ret = code.indexOf('return n');
    expect(originalPositionFor(traced, { line: 1, column: ret })).toMatchObject({ line: 6, column: 2 });
    // exactly there: moved past the insertion (b's own start is before it and stays)
    expect(decode(map.mappings)[0].map((seg) => seg[0])).toEqual([start, ret]);
  });
  test('unit URLs name the file, and tell themselves apart', () => {
    expect(unitUrl('/src/u.ts', 3)).toBe('file:///src/u.ts#ec-swap-3');
    expect(isUnitUrl(unitUrl('/src/u.ts', 3))).toBe(true);
    expect(isUnitUrl('file:///src/u.ts')).toBe(false);
  });
});

describe('nodeMapExpression', () => {
  // run in a context whose `process.getBuiltinModule('module')` is node's own, with a fake cache
  function run(expr: string, held: unknown, globals: object = {}, proc: object = {}): unknown {
    const M = require('node:module') as typeof import('node:module');
    const fakeModule = { SourceMap: M.SourceMap, findSourceMap: (n: string) => (n === 'file:///src/n.ts' ? held : undefined) };
    return vm.runInNewContext(expr, { process: { getBuiltinModule: () => fakeModule, execArgv: [], env: {}, versions: { v8: '13.6.233.17-node.37' }, ...proc }, ...globals });
  }
  test("ts-node's source-map-support forgets the module's map (it reads the save's output again)", () => {
    const key = Symbol.for('source-map-support/sharedData');
    const sms = { sourceMapCache: { 'file:///src/t.ts': {}, 'file:///src/other.ts': {} }, fileContentsCache: { 'file:///src/t.ts': 'x' } };
    expect(run(keepersExpression(['/src/t.ts', 'file:///src/t.ts']), undefined, { [key]: sms })).toEqual({ node: false, evalMaps: false, sms: true });
    const next = { version: 3, sources: ['/src/t.ts'], names: [], mappings: '' };
    expect(run(nodeMapExpression([{ names: ['/src/t.ts', 'file:///src/t.ts'], update: { map: next, shift: null, source: null } }]), undefined, { [key]: sms })).toEqual([false]);
    expect(sms).toEqual({ sourceMapCache: { 'file:///src/other.ts': {} }, fileContentsCache: {} });
  });
  const ts = 'a\nb\nc';
  const payload = { version: 3, sources: ['/src/n.ts'], sourcesContent: [ts], names: [], mappings: encode([[[0, 0, 1, 0]], [[0, 0, 2, 0]]]) };

  test('node\'s map answers with the .ts lines shifted to the latest text, and the latest text for its print', () => {
    const M = require('node:module') as typeof import('node:module');
    const held = new M.SourceMap(payload as never);
    const shift = lineShift(ts, 'x\ny\na\nb\nc');
    expect(run(nodeMapExpression([{ names: ['/src/n.ts', 'file:///src/n.ts'], update: { map: null, shift, source: 'x\ny\na\nb\nc' } }]), held)).toEqual([true]);
    expect(held.findEntry(1, 0)).toMatchObject({ originalLine: 4 });
    expect((held.payload as { sourcesContent: string[] }).sourcesContent).toEqual(['x\ny\na\nb\nc']);
    // again: from the prototype's answer, not the last override's
    run(nodeMapExpression([{ names: ['file:///src/n.ts'], update: { map: null, shift: null, source: null } }]), held);
    expect(held.findEntry(1, 0)).toMatchObject({ originalLine: 2 });
  });
  test('a new map (LiveEdit replaced the code); a module node keeps no map of is left alone', () => {
    const M = require('node:module') as typeof import('node:module');
    const held = new M.SourceMap(payload as never);
    const next = { ...payload, mappings: encode([[[0, 0, 0, 0]], [[0, 0, 0, 0]]]) };
    expect(run(nodeMapExpression([{ names: ['file:///src/n.ts'], update: { map: next, shift: null, source: null } }, { names: ['/elsewhere.ts'], update: { map: next, shift: null, source: null } }]), held)).toEqual([true, false]);
    expect(held.findEntry(1, 0)).toMatchObject({ originalLine: 0 });
    expect(run(keepersExpression(['/x.ts', 'file:///src/n.ts']), held)).toEqual({ node: true, evalMaps: true, sms: false });
    expect(run(keepersExpression(['/x.ts']), held)).toEqual({ node: false, evalMaps: false, sms: false });
    // node keeps eval'd code's maps in a hook that runs regular expressions: not on V8 before 13
    // (node 20, 22: cdp/regexp-guard.ts), nor where the program forbids code from strings
    expect(run(keepersExpression(['file:///src/n.ts']), held, {}, { versions: { v8: '12.4.254.21-node.33' } })).toEqual({ node: true, evalMaps: false, sms: false });
    expect(run(keepersExpression(['file:///src/n.ts']), held, {}, { execArgv: ['--disallow-code-generation-from-strings'] })).toEqual({ node: true, evalMaps: false, sms: false });
    expect(run(keepersExpression(['file:///src/n.ts']), held, {}, { env: { NODE_OPTIONS: '--max-old-space-size=99 --disallow-code-generation-from-strings' } })).toEqual({ node: true, evalMaps: false, sms: false });
  });
});

test('inlineMapOf reads what unitMap makes', () => {
  const comment = inlineMapComment({ version: 3, sources: ['/a.ts'], names: [], mappings: 'AAAA' });
  expect(inlineMapOf('x\n' + comment)!.map.sources).toEqual(['/a.ts']);
});
