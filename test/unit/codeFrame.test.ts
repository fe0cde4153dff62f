import { codeFrame } from '../../src/report/codeFrame';

describe('codeFrame', () => {
  const text = ['a', 'b', 'c', 'd', 'e', 'f'].join('\n');

  test('two lines of context by default, a > marker on the line and a caret under the column', () => {
    expect(codeFrame(text, 3, 2)).toBe([
      '  1 | a',
      '  2 | b',
      '> 3 | c',
      '    |  ^',
      '  4 | d',
      '  5 | e',
    ].join('\n'));
  });

  test('column 1 puts the caret under the first character', () => {
    expect(codeFrame('x', 1, 1)).toBe('> 1 | x\n    | ^');
  });

  test('the caret stands exactly under the column-th character', () => {
    const line = 'const total = price * ;';
    const column = line.indexOf(';') + 1;
    const frame = codeFrame(line, 1, column).split('\n');
    const caretAt = frame[1].indexOf('^');
    expect(frame[0].charAt(caretAt)).toBe(';');
  });

  test('the context is clipped at the start and end of the text', () => {
    expect(codeFrame(text, 1, undefined)).toBe(['> 1 | a', '  2 | b', '  3 | c'].join('\n'));
    expect(codeFrame(text, 6, undefined)).toBe(['  4 | d', '  5 | e', '> 6 | f'].join('\n'));
  });

  test('the context option sets how many lines are shown around', () => {
    expect(codeFrame(text, 3, undefined, { context: 0 })).toBe('> 3 | c');
    expect(codeFrame(text, 3, undefined, { context: 1 })).toBe(['  2 | b', '> 3 | c', '  4 | d'].join('\n'));
  });

  test('line numbers are right-aligned to the widest shown, and the caret follows the gutter', () => {
    const t = Array.from({ length: 11 }, (_, i) => `l${i + 1}`).join('\n');
    expect(codeFrame(t, 9, 3, { context: 1 })).toBe([
      '   8 | l8',
      '>  9 | l9',
      '     |   ^',
      '  10 | l10',
    ].join('\n'));
  });

  test('without a column, or with column 0, there is no caret line', () => {
    expect(codeFrame('a\nb', 2)).toBe('  1 | a\n> 2 | b');
    expect(codeFrame('a\nb', 2, 0)).toBe('  1 | a\n> 2 | b');
  });

  test('tabs are shown as two spaces, and the caret accounts for them', () => {
    expect(codeFrame('\tfoo(;', 1, 6)).toBe('> 1 |   foo(;\n    |       ^');
    const frame = codeFrame('\t\tx = ;', 1, 7).split('\n');
    expect(frame[0].charAt(frame[1].indexOf('^'))).toBe(';');
  });

  test('CRLF text: no CR in the output', () => {
    const frame = codeFrame('a\r\nb +;\r\nc', 2, 4);
    expect(frame).not.toContain('\r');
    expect(frame).toBe(['  1 | a', '> 2 | b +;', '    |    ^', '  3 | c'].join('\n'));
  });

  test('an empty marked line has no trailing spaces', () => {
    expect(codeFrame('a\n\nc', 2, 1)).toBe(['  1 | a', '> 2 |', '    | ^', '  3 | c'].join('\n'));
  });

  test('trailing whitespace of source lines is trimmed', () => {
    expect(codeFrame('a   \nb', 1)).toBe('> 1 | a\n  2 | b');
  });
});
