// Where an edit of the script (or removing the function's last breakpoint) followed by a step aborts
// node 24 and 26: a pause on a statement with no code of its own at a function's end (docs/v8.md).
import { atCodelessEnd } from '../../src/session/v8-rules';
import { addBoundaries } from '../../src/inject/boundary';

/** The offset of `needle` in `text` (the n-th one), and the end of the function around it (its last `}`). */
function at(text: string, needle: string, fnEnd = text.lastIndexOf('}') + 1): [string, number, number] {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in ${text}`);
  return [text, i, fnEnd];
}

describe('atCodelessEnd', () => {
  test('the retry boundary\'s void 0xEC at a function\'s end, as the boundary writes it', () => {
    const text = addBoundaries('function weigh(n) {\n  return n * 2;\n}\n', 'script');
    expect(text).toContain('}finally{void 0xEC}}');
    const fnEnd = text.indexOf('}finally{void 0xEC}}') + '}finally{void 0xEC}}'.length;
    expect(atCodelessEnd(text, text.indexOf('void 0xEC'), fnEnd)).toBe(true);
    expect(atCodelessEnd(text, text.indexOf('return'), fnEnd)).toBe(false);
  });

  test('an arrow passed as an argument: what follows the function does not count', () => {
    const text = 'setInterval(() => {try{\n  tick();\n}finally{void 0xEC}}, 20);';
    const fnEnd = text.indexOf(', 20)');
    expect(atCodelessEnd(text, text.indexOf('void 0xEC'), fnEnd)).toBe(true);
  });

  test('other statements V8 emits no code for, last in the function (reproduced: they abort too)', () => {
    expect(atCodelessEnd(...at('function f(n) {\n  total += n;\n  undefined;\n}', 'undefined'))).toBe(true);
    expect(atCodelessEnd(...at('function f(n) {\n  total += n;\n  0xEC;\n}', '0xEC'))).toBe(true);
    expect(atCodelessEnd(...at('function f(n) {\n  try {\n    total += n;\n  } finally {\n    void 0; // end\n  }\n}', 'void 0'))).toBe(true);
  });

  test('a statement with code, or a codeless one with code after it, is not such a place (reproduced: no abort)', () => {
    expect(atCodelessEnd(...at('function f(n) {\n  try {\n    total += n;\n  } finally {\n    total += 1;\n  }\n}', 'total += 1'))).toBe(false);
    expect(atCodelessEnd(...at('function f(n) {\n  try {\n    total += n;\n  } finally {\n    total;\n  }\n}', 'total;'))).toBe(false);
    expect(atCodelessEnd(...at('function f(n) {\n  void 0;\n  total += n;\n}', 'void 0'))).toBe(false);
    expect(atCodelessEnd(...at('function f(n) {\n  undefinedThing;\n}', 'undefinedThing'))).toBe(false);
    expect(atCodelessEnd(...at('function f(n) {\n  return 1;\n}', 'return'))).toBe(false);
  });
});
