// One definition of a function's own text, asked by the planner (with a function's direct children)
// and by the boundary map (with every function of the text): both ways give the same text.
import { ownText, NESTED_MARK } from '../../src/util/own-text';
import { describeScript } from '../../src/patch/functions';
import { BoundaryMap } from '../../src/session/boundaries';

const text = [
  'function outer(cb = () => 1) {',
  '  const inner = (x) => { return () => x; };',
  '  return inner(cb());',
  '}',
  'function other() { return 2; }',
].join('\n');

describe('ownText', () => {
  test('each function nested directly in it is one placeholder; what is inside them does not count', () => {
    const m = describeScript(text, 'script');
    const outer = m.functions.find((f) => f.name === 'outer')!;
    expect(ownText(text, outer, outer.children)).toBe(`function outer(cb = ${NESTED_MARK}) {\n  const inner = ${NESTED_MARK};\n  return inner(cb());\n}`);
  });

  test("the planner's children and the boundary map's list of every function give the same own texts", () => {
    const m = describeScript(text, 'script');
    const map = new BoundaryMap(text, 'script');
    const planner = new Set(m.functions.map((f) => ownText(text, f, f.children)));
    expect(map.ownTexts()).toEqual(planner);
  });

  test('a function without nested functions is its text', () => {
    expect(ownText('function f() { return 1; }', { start: 0, end: 26 }, [])).toBe('function f() { return 1; }');
  });
});
