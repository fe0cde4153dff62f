// The name a stop gives a frame V8 has no name for: the one the save's reports give that function.
import { SWAP_MARK, addBoundaries, swapModuleId } from '../../src/inject/boundary';
import { compileUnit, countersFor } from '../../src/patch/swap-compile';
import { planSwap, readLoaded } from '../../src/patch/swap-plan';
import { BoundaryMap } from '../../src/session/boundaries';
import { ScriptRegistry } from '../../src/session/registry';
import { reportedNameAt, reportedNameInSwapped } from '../../src/session/frame-name';

const TEXT = [
  "const app = require('x')();",
  'function main() {',
  '  setInterval(() => {',
  '    tick();',
  '  }, 5);',
  '}',
  "app.get('/users/:id', async (req, res) => {",
  '  res.send(1);',
  '});',
  'const o = { go() { return () => { return 3; }; } };',
  'main();',
  '',
].join('\n');

/** The 0-based line and column of `needle` in the running text. */
function at(text: string, needle: string): [number, number] {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, offset).split('\n');
  return [before.length - 1, before[before.length - 1].length];
}

describe.each([
  { label: 'the text as written', text: TEXT },
  { label: "LiveEdit's boundaries", text: addBoundaries(TEXT, 'script') },
  { label: "the swap engine's text", text: addBoundaries(TEXT, 'script', { swap: { module: 'm1' } }) },
])('reportedNameAt, $label', ({ text }) => {
  const map = new BoundaryMap(text, 'script');
  const name = (needle: string) => reportedNameAt(map, 'script', ...at(text, needle));

  test('an anonymous callback is named by the call it is passed to, inside its function', () => {
    expect(name('tick();')).toBe('main.setInterval() callback');
    expect(name('res.send(1)')).toBe("app.get('/users/:id') callback");
  });

  test('none better than V8 has: an arrow with no context, the top level', () => {
    expect(name('return 3;')).toBeNull(); // o.go.(anonymous:10): its line says as much
    expect(name('main();')).toBeNull();
  });
});

test('a text that does not parse names nothing', () => {
  const map = new BoundaryMap('function (', 'script');
  expect(reportedNameAt(map, 'script', 0, 5)).toBeNull();
});

// Code the swap engine compiled for a save stands at the lines and columns of the saved text: its
// anonymous functions are named by that text, as the save's report named them.
describe('reportedNameInSwapped', () => {
  const swappedIn = (text: string, saved: string) => {
    const state = readLoaded(addBoundaries(text, 'script', { swap: { module: swapModuleId('/t/frame-name.js') } }), 'script')!;
    const plan = planSwap(state, saved);
    if (plan.kind !== 'swap') throw new Error(`plan: ${plan.kind}`);
    const counters = countersFor(state, plan);
    return plan.units.map((u) => compileUnit(state, plan.model, saved, u, 'file:///t.js', counters));
  };
  /** As the registry records the compiled script and frames.ts asks. */
  const nameIn = ({ code, savedStart }: { code: string; savedStart: number }, saved: string, needle: string) => {
    const r = new ScriptRegistry();
    r.expectCompiled('file:///t.js', [{ code, start: savedStart }], saved);
    r.add({ scriptId: '9', url: 'file:///t.js', hasSourceURL: true, startLine: 0, startColumn: 0, endLine: 1, endColumn: 0, executionContextId: 1, hash: '' } as never);
    return reportedNameInSwapped(r.byScriptId('9')!, new BoundaryMap(code + SWAP_MARK, 'script'), 'script', ...at(code, needle));
  };

  test("a callback's new body, and a callback inside it, are named by the saved text", () => {
    const saved = TEXT.replace('res.send(1);', 'res.send(2);\n  [1].forEach((x) => {\n    res.send(x);\n  });');
    const [unit] = swappedIn(TEXT, saved);
    expect(nameIn(unit, saved, 'res.send(2)')).toBe("app.get('/users/:id') callback");
    expect(nameIn(unit, saved, 'res.send(x)')).toBe('app.get(\'/users/:id\') callback.[1].forEach() callback');
  });

  test('on the first line of a one-line output (its wrapper in front)', () => {
    // (a callback that reads its function's locals: its wrapper is the longer one of an environment's)
    const text = 'function f(a) { go((x) => { run(1, a); }); } module.exports = f;\n';
    const saved = text.replace('run(1,', 'run(2,');
    const [unit] = swappedIn(text, saved);
    // (no room for the wrapper in front: the function's columns run on from it)
    expect(unit.code.indexOf('/**/')).toBe(unit.code.indexOf(':') + 1);
    expect(nameIn(unit, saved, 'run(2,')).toBe('f.go() callback');
    // and with room, at its own column
    const roomy = `var pad = '${'-'.repeat(60)}'; ${text}`;
    const [wide] = swappedIn(roomy, roomy.replace('run(1,', 'run(2,'));
    expect(wide.code.indexOf('*/') + 2).toBe(roomy.indexOf('(x)'));
    expect(nameIn(wide, roomy.replace('run(1,', 'run(2,'), 'run(2,')).toBe('f.go() callback');
  });
});
