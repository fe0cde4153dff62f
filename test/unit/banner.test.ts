import { createBannerFilter } from '../../src/launch/banner';

const URL = 'ws://127.0.0.1:43121/0f6c5a0e-2b7d-4d1e-9b59-1d1f0c3a9e77';
const LISTENING = `Debugger listening on ${URL}\n`;
const HELP = 'For help, see: https://nodejs.org/en/docs/inspector\n';
const ATTACHED = 'Debugger attached.\n';
const WAITING = 'Waiting for the debugger to disconnect...\n';

/** Feed the chunks one by one; return everything passed on (with flush) and the URLs reported. */
function run(chunks: string[]): { out: string; perChunk: string[]; urls: string[] } {
  const urls: string[] = [];
  const filter = createBannerFilter((u) => urls.push(u));
  const perChunk = chunks.map((c) => filter.push(c));
  const out = perChunk.join('') + filter.flush();
  return { out, perChunk, urls };
}

/** Every way to cut `text` into two chunks. */
function splits(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i <= text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('createBannerFilter', () => {
  test('removes the whole inspector banner and reports the ws URL', () => {
    const { out, urls } = run([LISTENING + HELP + ATTACHED + 'hello from the program\n']);
    expect(out).toBe('hello from the program\n');
    expect(urls).toEqual([URL]);
  });

  test('removes "Waiting for the debugger to disconnect..." and "Debugger ending on"', () => {
    const { out, urls } = run(['bye\n' + WAITING + 'Debugger ending on ' + URL + '\n']);
    expect(out).toBe('bye\n');
    expect(urls).toEqual([]);
  });

  test('passes the program\u2019s output unchanged, chunk by chunk', () => {
    const chunks = ['line one\n', 'partial ', 'line\n', 'Error: boom\n    at x (/a.js:1:1)\n', 'no newline at end'];
    const { perChunk, out } = run(chunks);
    expect(perChunk).toEqual(chunks);
    expect(out).toBe(chunks.join(''));
  });

  test('banner text that does not start a line is kept', () => {
    const { out } = run(['x Debugger attached.\n', 'log: ' + LISTENING]);
    expect(out).toBe('x Debugger attached.\nlog: ' + LISTENING);
  });

  test('a banner after a line that arrived in pieces is removed, the line is kept', () => {
    const { out, perChunk } = run(['hello', ' world\n' + ATTACHED + 'next\n']);
    expect(perChunk[0]).toBe('hello');
    expect(out).toBe('hello world\nnext\n');
  });

  test('lines that only resemble a banner are kept', () => {
    const lines = [
      'Debugger attached. extra\n',
      'Debugger is fun\n',
      'For help, see: https://example.com/\n',
      'Debugger listening on \n',
      'Waiting for the debugger\n',
    ];
    const { out } = run([lines.join('')]);
    expect(out).toBe(lines.join(''));
  });

  test('a banner split across chunks at every position is still removed, and the URL is reported once', () => {
    const text = LISTENING + HELP + 'program output\n';
    for (const [a, b] of splits(text)) {
      const { out, urls } = run([a, b]);
      expect({ at: a.length, out }).toEqual({ at: a.length, out: 'program output\n' });
      expect(urls).toEqual([URL]);
    }
  });

  test('a banner fed one character at a time is removed and the URL reported once', () => {
    const text = LISTENING + HELP + ATTACHED + 'ok\n';
    const { out, urls } = run([...text]);
    expect(out).toBe('ok\n');
    expect(urls).toEqual([URL]);
  });

  test('a possible banner start is held until its line ends, then passed on if it is not a banner', () => {
    const { perChunk, out } = run(['De', 'lta\n']);
    expect(perChunk).toEqual(['', 'Delta\n']);
    expect(out).toBe('Delta\n');
  });

  test('output that cannot be a banner is not held back', () => {
    const { perChunk } = run(['Xyz', ' more']);
    expect(perChunk).toEqual(['Xyz', ' more']);
  });

  test('CRLF banners are removed, and CRLF program lines kept', () => {
    const { out, urls } = run([`Debugger listening on ${URL}\r\nFor help, see: https://nodejs.org/en/docs/inspector\r\nDebugger attached.\r\nok\r\n`]);
    expect(out).toBe('ok\r\n');
    expect(urls).toEqual([URL]);
  });

  test('the URL does not include the CR of a CRLF line', () => {
    const { urls } = run([`Debugger listening on ${URL}\r`, '\n']);
    expect(urls).toEqual([URL]);
  });

  test('text without a trailing newline that could be a banner is returned by flush()', () => {
    const urls: string[] = [];
    const f = createBannerFilter((u) => urls.push(u));
    expect(f.push('Debugger attached')).toBe('');
    expect(f.flush()).toBe('Debugger attached');
    // flush empties what was held
    expect(f.flush()).toBe('');
    expect(urls).toEqual([]);
  });

  test('a complete banner text without its newline is not removed at end of stream', () => {
    const { out } = run(['Debugger attached.']);
    expect(out).toBe('Debugger attached.');
  });

  test('flush() with nothing held is empty', () => {
    const f = createBannerFilter(() => {});
    expect(f.push('all passed\n')).toBe('all passed\n');
    expect(f.flush()).toBe('');
  });

  test('empty chunks pass as empty', () => {
    const { perChunk } = run(['', LISTENING, '']);
    expect(perChunk).toEqual(['', '', '']);
  });

  test('blank lines between banners are kept', () => {
    const { out } = run([LISTENING + '\n' + ATTACHED]);
    expect(out).toBe('\n');
  });
});
