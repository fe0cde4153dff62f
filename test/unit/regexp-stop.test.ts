// The prompt at a Ctrl+C stop inside a regular expression's match (src/session/regexp-stop.ts): which
// expressions may run one, and whether the code where a frame stands calls a method that matches.
import { atMatchingCall, mayRunRegExp } from '../../src/session/regexp-stop';

describe('mayRunRegExp', () => {
  test.each([
    'name', 'obj.items[0]', 'a + b * 2', '`n=${n}`', '{ a: 1, b: [x, y] }', 'x ? y : z', 'typeof v', 'n = 3', '!done && rounds > 0', 'this.count',
    'a.b ?? c', 'void 0', '"a-b"',
  ])('a read: %s', (e) => expect(mayRunRegExp(e)).toBe(false));
  test.each([
    's.replace("a", "b")', 'f()', 'new Map()', 'tag`x`', '/a+/', 'x.match(/b/) !== null', 'list.map((s) => s.length)', 'import("x")',
    'a?.b()', '(() => 1)()', 'String(x)',
  ])('may run code: %s', (e) => expect(mayRunRegExp(e)).toBe(true));
  test('an expression that does not parse is left to V8 (which says what is wrong)', () => {
    expect(mayRunRegExp('a +')).toBe(false);
  });
});

describe('atMatchingCall', () => {
  const at = (text: string) => atMatchingCall(text.replace('|', ''), text.indexOf('|'));
  test.each([
    'if (re.|test(s)) hits++;', 'const m = line.|match(/x/);', 'out = s.|replace(/a/g, "b");', 'r?.|exec(x)', 'p. |split(",")', 'a.|search (b)', 'x.|matchAll(re)', 's.|replaceAll("a", "b")',
  ])('where a frame stands at a method that runs a match: %s', (t) => expect(at(t)).toBe(true));
  test.each([
    '|test(s);', 'const |test = 1;', 'obj.|tester(s)', 'obj.|run(s)', '|replace(x)', 'a.|test', 'hits|++',
  ])('anything else: %s', (t) => expect(at(t)).toBe(false));
});
