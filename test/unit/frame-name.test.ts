// The name a stop gives a frame V8 has no name for: the one the save's reports give that function.
import { addBoundaries } from '../../src/inject/boundary';
import { BoundaryMap } from '../../src/session/boundaries';
import { reportedNameAt } from '../../src/session/frame-name';

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
