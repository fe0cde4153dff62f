import { likeRunning, lineEndingOf } from '../../src/patch/text';

describe('likeRunning: the saved text takes the running text\'s BOM and line endings', () => {
  test('the line ending most lines use', () => {
    expect(lineEndingOf('a\nb\n')).toBe('\n');
    expect(lineEndingOf('a\r\nb\r\nc\n')).toBe('\r\n');
    expect(lineEndingOf('no newline')).toBe('\n');
  });

  test('CRLF saved over an LF script becomes LF, with the same lines', () => {
    const saved = 'function f() {\r\n  return `a\r\nb`;\r\n}\r\n';
    const out = likeRunning(saved, 'function f() {\n  return 1;\n}\n');
    expect(out).toBe('function f() {\n  return `a\nb`;\n}\n');
    expect(out.split('\n')).toHaveLength(saved.split('\r\n').length);
  });

  test('LF saved over a CRLF script becomes CRLF (lone CRs are left alone)', () => {
    expect(likeRunning('a\nb\r\nc\rd', 'x\r\ny\r\n')).toBe('a\r\nb\r\nc\rd');
  });

  test('a byte-order mark follows the running text', () => {
    expect(likeRunning('\ufeffa\n', 'a\n')).toBe('a\n');
    expect(likeRunning('a\n', '\ufeffa\n')).toBe('\ufeffa\n');
    expect(likeRunning('\ufeffa\r\n', '\ufeffb\n')).toBe('\ufeffa\n');
  });
});
