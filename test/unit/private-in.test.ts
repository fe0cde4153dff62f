import { isUnresolvedPrivate, privateInsOf, withAnswers } from '../../src/session/private-in';

describe('`#x in o` at the prompt (src/session/private-in.ts)', () => {
  test('finds each outermost `#name in E`, with its right side', () => {
    const e = '#a in this && !(#b in o.p) || #c in (x, y)';
    const parts = privateInsOf(e)!;
    expect(parts.map((p) => [p.name, e.slice(p.start, p.end), e.slice(p.right.start, p.right.end)])).toEqual([
      ['a', '#a in this', 'this'],
      ['b', '#b in o.p', 'o.p'],
      ['c', '#c in (x, y)', 'x, y'],
    ]);
  });

  test('the right side is all that `in` takes: `#x in a + b` asks a + b', () => {
    const parts = privateInsOf('#x in a + b')!;
    expect(parts).toHaveLength(1);
    expect('#x in a + b'.slice(parts[0].right.start, parts[0].right.end)).toBe('a + b');
  });

  test('one inside another is left to the right side\'s own evaluation; one inside a function of the expression is left to V8', () => {
    expect(privateInsOf('#a in (#b in o ? p : q)')!.map((p) => p.name)).toEqual(['a']);
    expect(privateInsOf('[1].map(() => #a in o)')).toBeNull();
    expect(privateInsOf('o.#a')).toBeNull();
  });

  test('no answer to give: not an expression, or none in it', () => {
    expect(privateInsOf('a + b')).toBeNull();
    expect(privateInsOf('#a in')).toBeNull();
    expect(privateInsOf('#a in o; x')).toBeNull();
    expect(privateInsOf('"#a in o"')).toBeNull();
  });

  test('the answers stand in their places, last first', () => {
    const e = '[#a in this, #b in {}, 1]';
    expect(withAnswers(e, privateInsOf(e)!, [true, false])).toBe('[(true), (false), 1]');
  });

  test("V8's messages for a private name it cannot resolve", () => {
    expect(isUnresolvedPrivate("SyntaxError: Private field '#x' must be declared in an enclosing class")).toBe(true);
    expect(isUnresolvedPrivate('ReferenceError: #x is not defined')).toBe(true);
    expect(isUnresolvedPrivate('ReferenceError: x is not defined')).toBe(false);
    expect(isUnresolvedPrivate('TypeError: Cannot read private member #x from an object whose class did not declare it')).toBe(false);
  });
});
