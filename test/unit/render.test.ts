import type { Protocol } from 'devtools-protocol';
import {
  backtrace, distance, errorStackLines, exceptionHeadline, firstProgramPlace, formatPreview, formatValue, frameLine, localsLine, messageLines, stackLines, type FrameView,
} from '../../src/prompt/render';

type RemoteObject = Protocol.Runtime.RemoteObject;
type ObjectPreview = Protocol.Runtime.ObjectPreview;
type PropertyPreview = Protocol.Runtime.PropertyPreview;

// ---------------------------------------------------------------------------------------------------
// builders, following devtools-protocol's shapes

const num = (name: string, value: number | string): PropertyPreview => ({ name, type: 'number', value: String(value) });
const str = (name: string, value: string): PropertyPreview => ({ name, type: 'string', value });

function objPreview(properties: PropertyPreview[], description = 'Object', overflow = false): ObjectPreview {
  return { type: 'object', description, overflow, properties };
}

function arrPreview(properties: PropertyPreview[], overflow = false, description = `Array(${properties.length})`): ObjectPreview {
  return { type: 'object', subtype: 'array', description, overflow, properties };
}

function object(preview: ObjectPreview, className = preview.description ?? 'Object'): RemoteObject {
  return { type: 'object', subtype: preview.subtype, className, description: preview.description, objectId: '1', preview };
}

/** An entry side (key or value) of a Map/Set preview, for a primitive. */
function prim(type: 'string' | 'number' | 'boolean', description: string): ObjectPreview {
  return { type, description, overflow: false, properties: [] };
}

function error(description: string): RemoteObject {
  return { type: 'object', subtype: 'error', className: 'TypeError', description, objectId: '2' };
}

function fn(description: string): RemoteObject {
  return { type: 'function', className: 'Function', description, objectId: '3' };
}

function frame(index: number, over: Partial<FrameView> = {}): FrameView {
  return { index, name: `f${index}`, path: `/proj/src/f${index}.js`, file: `src/f${index}.js`, line: index + 1, column: 3, origin: 'program', ...over };
}
const internal = (index: number): FrameView => frame(index, { name: `internal${index}`, path: null, file: null, origin: 'node', url: 'node:internal/timers' });
const library = (index: number): FrameView => frame(index, { name: `lib${index}`, path: `/proj/node_modules/express/lib/f${index}.js`, file: `node_modules/express/lib/f${index}.js`, origin: 'library' });

// ---------------------------------------------------------------------------------------------------

describe('formatValue', () => {
  describe('primitives', () => {
    test('undefined', () => {
      expect(formatValue({ type: 'undefined' })).toBe('undefined');
    });

    test('a string is single-quoted', () => {
      expect(formatValue({ type: 'string', value: 'hello' })).toBe("'hello'");
    });

    test('the empty string', () => {
      expect(formatValue({ type: 'string', value: '' })).toBe("''");
    });

    test('single quotes and backslashes inside a string are escaped', () => {
      expect(formatValue({ type: 'string', value: "it's a\\b" })).toBe("'it\\'s a\\\\b'");
    });

    test('double quotes are left alone', () => {
      expect(formatValue({ type: 'string', value: 'say "hi"' })).toBe(`'say "hi"'`);
    });

    test('newlines are shown as \\n, so the value stays on one line', () => {
      const s = formatValue({ type: 'string', value: 'a\nb\nc' });
      expect(s).toBe("'a\\nb\\nc'");
      expect(s).not.toContain('\n');
    });

    test('a string of 200 characters is shown whole', () => {
      const v = 'x'.repeat(200);
      expect(formatValue({ type: 'string', value: v })).toBe(`'${v}'`);
    });

    test('a longer string is cut at 200 characters with an ellipsis', () => {
      const v = 'a'.repeat(150) + 'b'.repeat(150);
      expect(formatValue({ type: 'string', value: v })).toBe(`'${'a'.repeat(150)}${'b'.repeat(50)}…'`);
    });

    test.each([
      [0, '0'], [42, '42'], [-1.5, '-1.5'], [1e21, '1e+21'],
    ])('number %p', (value, text) => {
      expect(formatValue({ type: 'number', value, description: String(value) })).toBe(text);
    });

    test.each(['NaN', '-0', 'Infinity', '-Infinity'])('unserializable number %s', (u) => {
      expect(formatValue({ type: 'number', unserializableValue: u, description: u })).toBe(u);
    });

    test.each([[true, 'true'], [false, 'false']])('boolean %p', (value, text) => {
      expect(formatValue({ type: 'boolean', value })).toBe(text);
    });

    test('bigint from its unserializable value', () => {
      expect(formatValue({ type: 'bigint', unserializableValue: '12345678901234567890n', description: '12345678901234567890n' }))
        .toBe('12345678901234567890n');
    });

    test('bigint falls back to its description', () => {
      expect(formatValue({ type: 'bigint', description: '7n' })).toBe('7n');
    });

    test('symbol by its description', () => {
      expect(formatValue({ type: 'symbol', description: 'Symbol(tag)', objectId: '4' })).toBe('Symbol(tag)');
    });

    test('symbol without a description', () => {
      expect(formatValue({ type: 'symbol' })).toBe('Symbol()');
    });

    test('null', () => {
      expect(formatValue({ type: 'object', subtype: 'null', value: null })).toBe('null');
    });
  });

  describe('functions and classes', () => {
    test.each([
      ['function foo(a, b) { return a + b; }', '[Function: foo]'],
      ['function () {}', '[Function: (anonymous)]'],
      ['function* gen() { yield 1; }', '[Function: gen]'],
      ['async function load(url) { await fetch(url); }', '[AsyncFunction: load]'],
      ['async function() {}', '[AsyncFunction: (anonymous)]'],
      ['(a) => a + 1', '[Function: (anonymous)]'],
      ['async () => 1', '[AsyncFunction: (anonymous)]'],
      ['function $helper_1() {}', '[Function: $helper_1]'],
    ])('%s → %s', (description, text) => {
      expect(formatValue(fn(description))).toBe(text);
    });

    test.each([
      ['class Foo { constructor() {} }', '[class Foo]'],
      ['class Foo extends Bar {}', '[class Foo]'],
      ['class {}', '[class (anonymous)]'],
    ])('%s → %s', (description, text) => {
      expect(formatValue(fn(description))).toBe(text);
    });

    // BUG: functionName's `class\s+([\w$]+)` takes the keyword `extends` for a class name, so an anonymous
    // class that extends another (`const X = class extends Base {}`) is shown as '[class extends]'.
    test('an anonymous class extending another is (anonymous), not named "extends"', () => {
      expect(formatValue(fn('class extends Base { run() {} }'))).toBe('[class (anonymous)]');
    });

    test.each([
      ['(a) => a + 1', 'add', '[Function: add]'],
      ['async (x) => x', 'load', '[AsyncFunction: load]'],
      ['area() { return 1; }', 'area', '[Function: area]'],
      ['function foo() {}', 'bar', '[Function: foo]'],
      ['class Foo {}', 'Bar', '[class Foo]'],
    ])('%s with its own name %s → %s (the source text says it first)', (description, name, text) => {
      expect(formatValue({ ...fn(description), functionName: name })).toBe(text);
    });

    test('a function without a description', () => {
      expect(formatValue({ type: 'function', className: 'Function' })).toBe('[Function: (anonymous)]');
    });
  });

  describe('errors', () => {
    test('only the first line of the description (no stack)', () => {
      expect(formatValue(error("TypeError: x is not a function\n    at run (job.js:3:5)\n    at main (job.js:9:1)")))
        .toBe('TypeError: x is not a function');
    });

    test('an error without a description', () => {
      expect(formatValue({ type: 'object', subtype: 'error' })).toBe('Error');
    });

    test('an error with a preview is still its first line, not the preview', () => {
      const preview: ObjectPreview = { type: 'object', subtype: 'error', description: 'Error: boom\n    at x', overflow: false, properties: [str('message', 'boom')] };
      expect(formatValue({ ...error('Error: boom\n    at x'), preview })).toBe('Error: boom');
    });
  });

  describe('objects with a preview', () => {
    test('primitive properties', () => {
      const p = objPreview([num('a', 1), str('b', 'two'), { name: 'c', type: 'boolean', value: 'true' }]);
      expect(formatValue(object(p))).toBe("{ a: 1, b: 'two', c: true }");
    });

    test('undefined, null, function, bigint and symbol properties', () => {
      const p = objPreview([
        { name: 'u', type: 'undefined' },
        { name: 'n', type: 'object', subtype: 'null', value: 'null' },
        { name: 'f', type: 'function', value: '' },
        { name: 'big', type: 'bigint', value: '5n' },
        { name: 'sym', type: 'symbol', value: 'Symbol(s)' },
      ]);
      expect(formatValue(object(p))).toBe('{ u: undefined, n: null, f: [Function], big: 5n, sym: Symbol(s) }');
    });

    test('a nested plain object shows as {…}', () => {
      const p = objPreview([num('id', 4), { name: 'child', type: 'object', value: 'Object' }]);
      expect(formatValue(object(p))).toBe('{ id: 4, child: {…} }');
    });

    test('a nested object of a class shows its class name', () => {
      const p = objPreview([{ name: 'when', type: 'object', value: 'Point' }]);
      expect(formatValue(object(p))).toBe('{ when: Point }');
    });

    test('a nested array shows [Array(3)] from the preview value', () => {
      const p = objPreview([{ name: 'items', type: 'object', subtype: 'array', value: 'Array(3)' }]);
      expect(formatValue(object(p))).toBe('{ items: [Array(3)] }');
    });

    test('a nested value preview is formatted one level deep', () => {
      const p = objPreview([{ name: 'pos', type: 'object', value: 'Object', valuePreview: objPreview([num('x', 1), num('y', 2)]) }]);
      expect(formatValue(object(p))).toBe('{ pos: { x: 1, y: 2 } }');
    });

    test('an empty nested value preview is {} (or "Class {}")', () => {
      const p = objPreview([
        { name: 'a', type: 'object', value: 'Object', valuePreview: objPreview([]) },
        { name: 'b', type: 'object', value: 'Point', valuePreview: objPreview([], 'Point') },
      ]);
      expect(formatValue(object(p))).toBe('{ a: {}, b: Point {} }');
    });

    test('strings in properties are quoted and escaped', () => {
      const p = objPreview([str('s', "it's\nok")]);
      expect(formatValue(object(p))).toBe("{ s: 'it\\'s\\nok' }");
    });

    test('keys that are not identifiers are quoted', () => {
      const p = objPreview([num('content-type', 1), num('$ok', 2), num('2x', 3)]);
      expect(formatValue(object(p))).toBe("{ 'content-type': 1, $ok: 2, '2x': 3 }");
    });

    test('overflow is shown with …', () => {
      const p = objPreview([num('a', 1), num('b', 2)], 'Object', true);
      expect(formatValue(object(p))).toBe('{ a: 1, b: 2, … }');
    });

    test('an object of a class is prefixed with the class name', () => {
      const p = objPreview([num('x', 1), num('y', 2)], 'Point');
      expect(formatValue(object(p, 'Point'))).toBe('Point { x: 1, y: 2 }');
    });

    test('an empty object is {}', () => {
      expect(formatValue(object(objPreview([])))).toBe('{}');
    });

    test('an empty object of a class is "Class {}"', () => {
      expect(formatValue(object(objPreview([], 'Job'), 'Job'))).toBe('Job {}');
    });
  });

  describe('arrays', () => {
    test('items in order', () => {
      expect(formatValue(object(arrPreview([num('0', 1), str('1', 'b'), num('2', 3)])))).toBe("[ 1, 'b', 3 ]");
    });

    test('an empty array is []', () => {
      expect(formatValue(object(arrPreview([])))).toBe('[]');
    });

    test('an array with more items than the preview ends with …', () => {
      const items = [0, 1, 2, 3, 4].map((i) => num(String(i), i * 10));
      expect(formatValue(object(arrPreview(items, true, 'Array(120)')))).toBe('[ 0, 10, 20, 30, 40, … ]');
    });

    test('nested arrays and objects inside an array', () => {
      const p = arrPreview([
        { name: '0', type: 'object', subtype: 'array', value: 'Array(2)' },
        { name: '1', type: 'object', value: 'Object' },
      ]);
      expect(formatValue(object(p))).toBe('[ [Array(2)], {…} ]');
    });

    test('a typed array is prefixed with its description', () => {
      const p: ObjectPreview = { type: 'object', subtype: 'typedarray', description: 'Uint8Array(2)', overflow: false, properties: [num('0', 7), num('1', 8)] };
      expect(formatValue(object(p))).toBe('Uint8Array(2) [ 7, 8 ]');
    });
  });

  describe('Map and Set', () => {
    test('a Map shows its entries as key => value', () => {
      const p: ObjectPreview = {
        type: 'object', subtype: 'map', description: 'Map(2)', overflow: false, properties: [],
        entries: [
          { key: prim('string', 'a'), value: prim('number', '1') },
          { key: prim('string', 'b'), value: objPreview([num('x', 2)]) },
        ],
      };
      expect(formatValue(object(p, 'Map'))).toBe("Map(2) { 'a' => 1, 'b' => { x: 2 } }");
    });

    test('a Set shows its values', () => {
      const p: ObjectPreview = {
        type: 'object', subtype: 'set', description: 'Set(3)', overflow: false, properties: [],
        entries: [{ value: prim('number', '1') }, { value: prim('string', 'two') }, { value: prim('boolean', 'true') }],
      };
      expect(formatValue(object(p, 'Set'))).toBe("Set(3) { 1, 'two', true }");
    });

    test('a Map with more entries than the preview ends with …', () => {
      const p: ObjectPreview = {
        type: 'object', subtype: 'map', description: 'Map(50)', overflow: true, properties: [],
        entries: [{ key: prim('number', '1'), value: prim('number', '2') }],
      };
      expect(formatValue(object(p, 'Map'))).toBe('Map(50) { 1 => 2, … }');
    });

    // BUG: formatPreview's map/set branch always puts spaces inside the braces, so an empty Map or Set
    // reads 'Map(0) {  }' (two spaces); arrays get this right ('[]'), node prints 'Map(0) {}'.
    test('an empty Map is "Map(0) {}"', () => {
      const p: ObjectPreview = { type: 'object', subtype: 'map', description: 'Map(0)', overflow: false, properties: [], entries: [] };
      expect(formatValue(object(p, 'Map'))).toBe('Map(0) {}');
    });

    test('an empty Set is "Set(0) {}"', () => {
      const p: ObjectPreview = { type: 'object', subtype: 'set', description: 'Set(0)', overflow: false, properties: [], entries: [] };
      expect(formatValue(object(p, 'Set'))).toBe('Set(0) {}');
    });
  });

  describe('other object subtypes with a preview', () => {
    test.each([
      ['date', 'Tue Jan 02 2024 10:00:00 GMT+0000 (Coordinated Universal Time)'],
      ['regexp', '/ab+c/gi'],
    ] as const)('%s shows its description', (subtype, description) => {
      const p: ObjectPreview = { type: 'object', subtype, description, overflow: false, properties: [] };
      expect(formatValue(object(p))).toBe(description);
    });
  });

  test('an object without a preview falls back to its description', () => {
    expect(formatValue({ type: 'object', className: 'Promise', description: 'Promise', objectId: '9' })).toBe('Promise');
  });

  test('an object without a preview or description is "Object"', () => {
    expect(formatValue({ type: 'object' })).toBe('Object');
  });
});

describe('formatPreview', () => {
  test('top level: an empty preview is {} even when not plain Object', () => {
    expect(formatPreview(objPreview([]))).toBe('{}');
    expect(formatPreview(objPreview([], 'Foo'))).toBe('Foo {}');
  });

  test('a primitive preview (an entry of a Map) shows like a value', () => {
    expect(formatPreview(prim('string', "o'k"), false)).toBe("'o\\'k'");
    expect(formatPreview(prim('number', '3'), false)).toBe('3');
  });

  test('a null preview', () => {
    expect(formatPreview({ type: 'object', subtype: 'null', description: 'null', overflow: false, properties: [] })).toBe('null');
  });
});

describe('exceptionHeadline', () => {
  test('no exception at all', () => {
    expect(exceptionHeadline(undefined, false)).toBe('exception');
  });

  test('an Error shows the first line of its description', () => {
    expect(exceptionHeadline(error('RangeError: too big\n    at f (a.js:1:1)'), false)).toBe('RangeError: too big');
  });

  test('a rejection with an Error also shows just the first line (no prefix)', () => {
    expect(exceptionHeadline(error('Error: nope\n    at g (b.js:2:2)'), true)).toBe('Error: nope');
  });

  test('a thrown string is "Uncaught \'…\'"', () => {
    expect(exceptionHeadline({ type: 'string', value: 'boom' }, false)).toBe("Uncaught 'boom'");
  });

  test('a rejected string is "Unhandled rejection \'…\'"', () => {
    expect(exceptionHeadline({ type: 'string', value: 'boom' }, true)).toBe("Unhandled rejection 'boom'");
  });

  test('a thrown plain object is formatted from its preview', () => {
    expect(exceptionHeadline(object(objPreview([num('code', 42)])), false)).toBe('Uncaught { code: 42 }');
  });

  test('a thrown number and undefined', () => {
    expect(exceptionHeadline({ type: 'number', value: 7, description: '7' }, false)).toBe('Uncaught 7');
    expect(exceptionHeadline({ type: 'undefined' }, true)).toBe('Unhandled rejection undefined');
  });
});

describe('messageLines and errorStackLines', () => {
  const diff = error([
    'AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:',
    '+ actual - expected',
    '',
    '  {',
    '+   a: 1',
    '-   a: 2',
    '  }',
    '',
    '    at check (as.js:2:28)',
    '    at Timeout._onTimeout (as.js:3:18)',
  ].join('\n'));

  test("a message of many lines: the lines after the headline, up to the stack (a trailing empty line left out)", () => {
    expect(messageLines(diff)).toEqual(['+ actual - expected', '', '  {', '+   a: 1', '-   a: 2', '  }']);
  });

  test('a message of one line, or no error: nothing', () => {
    expect(messageLines(error('RangeError: too big\n    at f (a.js:1:1)'))).toEqual([]);
    expect(messageLines({ type: 'string', value: 'a\nb' })).toEqual([]);
    expect(messageLines(undefined)).toEqual([]);
  });

  test('a long message: the first lines, then how many more', () => {
    const long = error(['Error: many', ...Array.from({ length: 30 }, (_, i) => `line ${i}`), '    at f (a.js:1:1)'].join('\n'));
    const lines = messageLines(long, 20);
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe('line 19');
    expect(lines[20]).toBe("… 10 more lines (p of the error's message shows all)");
  });

  test("an error's own frames, at most the limit, then how many more", () => {
    expect(errorStackLines(diff)).toEqual(['    at check (as.js:2:28)', '    at Timeout._onTimeout (as.js:3:18)']);
    const deep = error(['Error: x', ...Array.from({ length: 8 }, (_, i) => `    at f${i} (a.js:${i + 1}:1)`)].join('\n'));
    expect(errorStackLines(deep, 5)).toEqual([...Array.from({ length: 5 }, (_, i) => `    at f${i} (a.js:${i + 1}:1)`), '    … 3 more']);
    expect(errorStackLines({ type: 'number', value: 1, description: '1' })).toEqual([]);
    // under the working directory: relative, as the prompt says paths
    const abs = error('Error: x\n    at f (/w/app/a.js:1:1)\n    at g (file:///w/app/lib/b.mjs:2:2)\n    at h (/w/other.js:3:3)');
    expect(errorStackLines(abs, 5, '/w/app')).toEqual(['    at f (a.js:1:1)', '    at g (lib/b.mjs:2:2)', '    at h (/w/other.js:3:3)']);
  });
});

describe('frameLine', () => {
  test('own frame with file, line and column', () => {
    expect(frameLine(frame(2, { name: 'run', file: 'job.js', line: 12, column: 5 }))).toBe(' #2 run (job.js:12:5)');
  });

  test('the selected frame is marked with >', () => {
    expect(frameLine(frame(0, { name: 'run', file: 'job.js', line: 1, column: 1 }), true)).toBe('>#0 run (job.js:1:1)');
  });

  test('a frame without a file', () => {
    // where node's own stack traces put it: the script's URL, or <anonymous> for code with none
    expect(frameLine(internal(3))).toBe(' #3 internal3 (node:internal/timers:4:3)');
    expect(frameLine(frame(4, { path: null, file: null, origin: 'node' }))).toBe(' #4 f4 (<anonymous>:5:3)');
  });

  test("the no-op that stopped an idle program is said as the program being idle", () => {
    expect(frameLine({ ...internal(0), name: '(idle)', idle: true }, true)).toBe(">#0 (the program was idle: edit-continue's no-op stopped it)");
  });
});

describe('backtrace', () => {
  test("the swap engine's dispatch frame is left out (V8's numbers are kept), unless it is the selected one", () => {
    const frames = [frame(0), frame(1, { dispatch: true }), frame(2)];
    expect(backtrace(frames, 0)).toEqual(['>#0 f0 (src/f0.js:1:3)', ' #2 f2 (src/f2.js:3:3)']);
    expect(backtrace(frames, 1)).toEqual([' #0 f0 (src/f0.js:1:3)', '>#1 f1 (src/f1.js:2:3)', ' #2 f2 (src/f2.js:3:3)']);
  });

  test('own frames only: one line each, the selected one marked', () => {
    const frames = [frame(0), frame(1), frame(2)];
    expect(backtrace(frames, 1)).toEqual([
      ' #0 f0 (src/f0.js:1:3)',
      '>#1 f1 (src/f1.js:2:3)',
      ' #2 f2 (src/f2.js:3:3)',
    ]);
  });

  test('exactly one line is marked as selected', () => {
    const frames = [frame(0), internal(1), frame(2), frame(3)];
    const out = backtrace(frames, 2);
    expect(out.filter((l) => l.startsWith('>'))).toEqual(['>#2 f2 (src/f2.js:3:3)']);
  });

  test('a run of internal frames folds into one line', () => {
    const frames = [frame(0), internal(1), internal(2), internal(3), frame(4)];
    expect(backtrace(frames, 0)).toEqual([
      '>#0 f0 (src/f0.js:1:3)',
      "   … 3 frames of node's own code",
      ' #4 f4 (src/f4.js:5:3)',
    ]);
  });

  test('library frames (node_modules) fold as library code, not as node\'s own code', () => {
    const frames = [frame(0), library(1), library(2), frame(3), internal(4), library(5), frame(6)];
    expect(backtrace(frames, 0)).toEqual([
      '>#0 f0 (src/f0.js:1:3)',
      '   … 2 frames of library code (node_modules)',
      ' #3 f3 (src/f3.js:4:3)',
      "   … 2 frames of node's own code and library code (node_modules)",
      ' #6 f6 (src/f6.js:7:3)',
    ]);
  });

  test('a single internal frame says "1 frame"', () => {
    expect(backtrace([frame(0), internal(1), frame(2)], 0)[1]).toBe("   … 1 frame of node's own code");
  });

  test('separate runs fold separately, and a trailing run is kept', () => {
    const frames = [internal(0), internal(1), frame(2), internal(3), frame(4), internal(5), internal(6)];
    expect(backtrace(frames, 2)).toEqual([
      "   … 2 frames of node's own code",
      '>#2 f2 (src/f2.js:3:3)',
      "   … 1 frame of node's own code",
      ' #4 f4 (src/f4.js:5:3)',
      "   … 2 frames of node's own code",
    ]);
  });

  test('the selected frame is kept even if internal, splitting the run around it', () => {
    const frames = [frame(0), internal(1), internal(2), internal(3), frame(4)];
    expect(backtrace(frames, 2)).toEqual([
      ' #0 f0 (src/f0.js:1:3)',
      "   … 1 frame of node's own code",
      '>#2 internal2 (node:internal/timers:3:3)',
      "   … 1 frame of node's own code",
      ' #4 f4 (src/f4.js:5:3)',
    ]);
  });

  test('an empty stack', () => {
    expect(backtrace([], 0)).toEqual([]);
  });
});

describe('stackLines', () => {
  test("the swap engine's dispatch (the original function calling its swapped-in body) is left out", () => {
    const frames = [frame(0, { name: 'work', file: 'job.js', line: 7, column: 15 }), frame(1, { name: 'work', file: 'job.js', line: 5, column: 22, dispatch: true }), frame(2, { name: 'main', file: 'job.js', line: 13, column: 14 })];
    expect(stackLines(frames)).toEqual([
      '    at work (job.js:7:15)',
      '    at main (job.js:13:14)',
    ]);
  });

  test('only the program\'s own frames, as "at name (file:line:col)"', () => {
    const frames = [frame(0, { name: 'run', file: 'job.js', line: 3, column: 9 }), internal(1), frame(2, { name: 'main', file: 'main.js', line: 20, column: 1 })];
    expect(stackLines(frames)).toEqual([
      '    at run (job.js:3:9)',
      '    at main (main.js:20:1)',
    ]);
  });

  test('at most 8 own frames by default, then "… N more"', () => {
    const frames = Array.from({ length: 11 }, (_, i) => frame(i));
    const lines = stackLines(frames);
    expect(lines).toHaveLength(9);
    expect(lines[7]).toBe('    at f7 (src/f7.js:8:3)');
    expect(lines[8]).toBe('    … 3 more');
  });

  test('a custom limit; internal frames do not count toward "more"', () => {
    const frames = [frame(0), internal(1), frame(2), internal(3), frame(4), frame(5)];
    expect(stackLines(frames, 2)).toEqual([
      '    at f0 (src/f0.js:1:3)',
      '    at f2 (src/f2.js:3:3)',
      '    … 2 more',
    ]);
  });

  test('exactly the limit: no "more" line', () => {
    const frames = [frame(0), frame(1), frame(2)];
    expect(stackLines(frames, 3)).toHaveLength(3);
    expect(stackLines(frames, 3).some((l) => l.includes('more'))).toBe(false);
  });

  test('only internal frames: nothing', () => {
    expect(stackLines([internal(0), internal(1)])).toEqual([]);
  });
});

describe('localsLine', () => {
  const v = (name: string, value: RemoteObject) => ({ name, value });

  test('no variables', () => {
    expect(localsLine([])).toBe('locals: (none)');
  });

  test('variables as name = value, comma-separated', () => {
    expect(localsLine([v('a', { type: 'number', value: 1, description: '1' }), v('s', { type: 'string', value: 'x' }), v('u', { type: 'undefined' })]))
      .toBe("locals: a = 1, s = 'x', u = undefined");
  });

  test('a value of exactly 80 characters is kept whole', () => {
    const value = 'y'.repeat(78); // 80 with its quotes
    expect(localsLine([v('s', { type: 'string', value })])).toBe(`locals: s = '${value}'`);
  });

  test('a value longer than 80 characters is cut to 80 with an ellipsis', () => {
    const line = localsLine([v('s', { type: 'string', value: 'z'.repeat(150) }), v('n', { type: 'number', value: 2, description: '2' })]);
    expect(line).toBe(`locals: s = '${'z'.repeat(78)}…, n = 2`);
    const shown = line.slice('locals: s = '.length, line.indexOf(', n = 2'));
    expect(shown).toHaveLength(80);
  });

  test('the whole line is cut at twice the width with an ellipsis', () => {
    const vars = Array.from({ length: 10 }, (_, i) => v(`v${i}`, { type: 'string', value: 'q'.repeat(20) }));
    const line = localsLine(vars, 30);
    expect(line).toHaveLength(60);
    expect(line.endsWith('…')).toBe(true);
    expect(line.startsWith("locals: v0 = 'qqqq")).toBe(true);
  });

  test('a line within twice the width is not cut', () => {
    const line = localsLine([v('a', { type: 'number', value: 1, description: '1' })], 10);
    expect(line).toBe('locals: a = 1');
  });

  test('the default width allows 400 characters', () => {
    const vars = Array.from({ length: 20 }, (_, i) => v(`v${i}`, { type: 'string', value: 'w'.repeat(40) }));
    const line = localsLine(vars);
    expect(line).toHaveLength(400);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('distance', () => {
  test.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['cont', 'contt', 1],
    ['cat', 'cut', 1],
    ['cat', 'at', 1],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['abc', 'xyz', 3],
  ])('distance(%j, %j) = %d', (a, b, d) => {
    expect(distance(a, b)).toBe(d);
  });

  test('is symmetric', () => {
    for (const [a, b] of [['backtrace', 'bakctrace'], ['breakpoints', 'brk'], ['quit', 'exit']]) {
      expect(distance(a, b)).toBe(distance(b, a));
    }
  });
});

describe('firstProgramPlace', () => {
  const err = (stack: string) => ({ type: 'object', subtype: 'error', description: stack }) as Protocol.Runtime.RemoteObject;
  const loaded = new Set(['/proj/job.js', '/proj/tla.mjs', '/proj/node_modules/lib/index.js']);
  const own = (f: string) => loaded.has(f);

  test("the first place in a file the program loaded, past node's and a library's frames (a path, a file URL)", () => {
    expect(firstProgramPlace(err("Error: ENOENT: no such file or directory, open 'x'\n    at async open (node:internal/fs/promises:637:25)\n    at async load (/proj/job.js:4:16)\n    at async main (/proj/job.js:10:20)"), own)).toEqual({ file: '/proj/job.js', line: 4, column: 16 });
    expect(firstProgramPlace(err('SyntaxError: bad\n    at JSON.parse (<anonymous>)\n    at file:///proj/tla.mjs:4:6'), own)).toEqual({ file: '/proj/tla.mjs', line: 4, column: 6 });
    expect(firstProgramPlace(err('Error: lib\n    at f (/proj/node_modules/lib/index.js:1:1)\n    at g (/proj/job.js:2:3)'), own)).toEqual({ file: '/proj/job.js', line: 2, column: 3 });
  });

  test('none: no file the program loaded, no stack, not an error', () => {
    expect(firstProgramPlace(err('Error: x\n    at f (/elsewhere/a.js:1:1)\n    at node:internal/x:1:1'), own)).toBeNull();
    expect(firstProgramPlace(err('Error: x'), own)).toBeNull();
    expect(firstProgramPlace({ type: 'string', value: 'x' }, own)).toBeNull();
    expect(firstProgramPlace(undefined, own)).toBeNull();
  });
});
