import {
  capturedNames, describeScript, parseScript, tryParse, withNestedBodiesBlanked,
  type FunctionRecord, type ScriptModel,
} from '../../src/patch/functions';
import { LineIndex } from '../../src/util/line-index';

const src = (...lines: string[]): string => lines.join('\n') + '\n';

function byName(model: ScriptModel, name: string): FunctionRecord {
  const found = model.functions.filter((f) => f.name === name);
  if (found.length !== 1) throw new Error(`expected one function named ${name}, found ${found.length}: ${model.functions.map((f) => f.name).join(', ')}`);
  return found[0];
}

describe('tryParse / parseScript', () => {
  test('valid script parses', () => {
    const r = tryParse('const a = 1;', 'script');
    expect(r.ok).toBe(true);
  });

  test('a problem has a 1-based line and column and no "(l:c)" suffix', () => {
    expect(tryParse('let x = ;', 'script')).toEqual({ ok: false, problem: { message: 'Unexpected token', line: 1, column: 9 } });
    expect(tryParse('\n\n  foo bar', 'script')).toEqual({ ok: false, problem: { message: 'Unexpected token', line: 3, column: 7 } });
  });

  test('module syntax depends on the kind', () => {
    expect(tryParse("import x from 'y';", 'module').ok).toBe(true);
    const r = tryParse("import x from 'y';", 'script');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatchObject({ line: 1, column: 1 });
  });

  test('top-level return only in scripts, top-level await only in modules', () => {
    expect(tryParse('return 1;', 'script').ok).toBe(true);
    expect(tryParse('return 1;', 'module').ok).toBe(false);
    expect(tryParse('await 1;', 'module').ok).toBe(true);
    expect(tryParse('await 1;', 'script').ok).toBe(false);
  });

  test('a hashbang is allowed', () => {
    expect(tryParse('#!/usr/bin/env node\nf();\n', 'script').ok).toBe(true);
    expect(tryParse('#!/usr/bin/env node\nf();\n', 'module').ok).toBe(true);
  });

  test('modern syntax parses (class fields, private members, optional chaining, ??=)', () => {
    expect(() => parseScript('class A { #x = 1; static { this.y = 2; } m() { return this.#x ?? a?.b; } }\nlet q; q ??= 1;', 'script')).not.toThrow();
  });

  test('describeScript throws on text that does not parse', () => {
    expect(() => describeScript('function (', 'script')).toThrow();
  });
});

describe('LineIndex.lineOf', () => {
  const lines = new LineIndex('abcd\nefgh\nij');
  test.each([
    [0, 1], [4, 1], [5, 2], [9, 2], [10, 3], [999, 3],
  ])('offset %i is on line %i', (offset, line) => {
    expect(lines.lineOf(offset)).toBe(line);
  });
});

describe('describeScript: names, keys, lines and nesting', () => {
  const text = src(
    'const base = 10;',                                        // 1
    'class Server {',                                          // 2
    '  #secret() { return 1; }',                               // 3
    '  static create() { return new Server(); }',              // 4
    '  [Symbol.iterator]() {}',                                // 5
    '  handler = (req) => req;',                               // 6
    '  get port() { return base; }',                           // 7
    '  set port(v) {}',                                        // 8
    '}',                                                       // 9
    'function makeCounter(start = 0, cb = () => 1) {',         // 10
    '  let n = start;',                                        // 11
    '  function step() { return n++; }',                       // 12
    "  return { next() { return step(); }, 'str-key': function () {}, 42: () => n };", // 13
    '}',                                                       // 14
    'setTimeout(() => {}, 1);',                                // 15
    'setTimeout(function () {}, 2);',                          // 16
    'module.exports.run = function named() { return arguments; };', // 17
    'exports.stop = async () => {};',                          // 18
    'module.exports.go = function* () {};',                    // 19
  );
  const model = describeScript(text, 'script');

  test('every function literal is found, in source order, with user-facing names', () => {
    expect(model.functions.map((f) => f.name)).toEqual([
      'Server.#secret', 'Server.create', 'Server.[Symbol.iterator]', 'Server.handler', 'Server.get port', 'Server.set port',
      'makeCounter', 'makeCounter.cb', 'makeCounter.step', 'makeCounter.next', 'makeCounter.str-key', 'makeCounter.42',
      'setTimeout() callback', 'setTimeout() callback', 'named', 'stop', 'go',
    ]);
  });

  test('lines are 1-based lines of the function start', () => {
    expect(model.functions.map((f) => [f.name, f.line])).toEqual(expect.arrayContaining([
      ['Server.#secret', 3], ['Server.get port', 7], ['makeCounter', 10], ['makeCounter.cb', 10],
      ['makeCounter.step', 12], ['makeCounter.next', 13], ['setTimeout() callback', 15], ['go', 19],
    ]));
  });

  test('keys are parent key + name + ordinal, so they do not depend on lines', () => {
    expect(byName(model, 'makeCounter').key).toBe('/makeCounter#0');
    expect(byName(model, 'makeCounter.step').key).toBe('/makeCounter#0/step#0');
    expect(byName(model, 'Server.get port').key).toBe('/Server.get port#0');
    const callbacks = model.functions.filter((f) => f.name === 'setTimeout() callback');
    expect(callbacks.map((f) => f.key)).toEqual(['/setTimeout() callback#0', '/setTimeout() callback#1']);
  });

  test('keys of all functions are unique', () => {
    const keys = model.functions.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('same-named functions in different parents both get ordinal 0', () => {
    const m = describeScript(src('function a() { function h() {} }', 'function b() { function h() {} }'), 'script');
    expect(m.functions.map((f) => f.key)).toEqual(['/a#0', '/a#0/h#0', '/b#0', '/b#0/h#0']);
  });

  test('async and generator flags', () => {
    expect(byName(model, 'stop')).toMatchObject({ async: true, generator: false });
    expect(byName(model, 'go')).toMatchObject({ async: false, generator: true });
    expect(byName(model, 'makeCounter')).toMatchObject({ async: false, generator: false });
  });

  test('parents, children and outermost', () => {
    const mc = byName(model, 'makeCounter');
    expect(mc.parent).toBeNull();
    expect(mc.children.map((c) => c.name)).toEqual(['makeCounter.cb', 'makeCounter.step', 'makeCounter.next', 'makeCounter.str-key', 'makeCounter.42']);
    for (const c of mc.children) expect(c.parent).toBe(mc);
    expect(model.outermost.map((f) => f.name)).toEqual([
      'Server.#secret', 'Server.create', 'Server.[Symbol.iterator]', 'Server.handler', 'Server.get port', 'Server.set port',
      'makeCounter', 'setTimeout() callback', 'setTimeout() callback', 'named', 'stop', 'go',
    ]);
    // class members have no parent function: the class body is top level
    expect(byName(model, 'Server.create').parent).toBeNull();
  });

  test('ranges: start/end cover the function, bodyStart/bodyEnd its body', () => {
    const step = byName(model, 'makeCounter.step');
    expect(text.slice(step.start, step.end)).toBe('function step() { return n++; }');
    expect(text.slice(step.bodyStart, step.bodyEnd)).toBe('{ return n++; }');
    const handler = byName(model, 'Server.handler');
    expect(text.slice(handler.start, handler.end)).toBe('(req) => req');
    // a concise arrow's body is its expression
    expect(text.slice(handler.bodyStart, handler.bodyEnd)).toBe('req');
  });

  test('top-level declarations with their kinds', () => {
    expect([...model.topDeclared].map(([n, d]) => [n, d.kind])).toEqual([['base', 'const'], ['Server', 'class'], ['makeCounter', 'function']]);
    expect(model.topDeclared.get('makeCounter')!.line).toBe(10);
  });

  test('module declarations: imports, destructuring, exports', () => {
    const m = describeScript(src(
      "import a, { b as c } from 'x';",
      "import * as ns from 'y';",
      'export const z = 1;',
      'let { p, q: [r, ...s] } = {};',
      'export default class K {}',
      'export function fn() {}',
    ), 'module');
    expect([...m.topDeclared].map(([n, d]) => [n, d.kind])).toEqual([
      ['a', 'import'], ['c', 'import'], ['ns', 'import'], ['z', 'const'],
      ['p', 'let'], ['r', 'let'], ['s', 'let'], ['K', 'class'], ['fn', 'function'],
    ]);
  });

  test('names declared inside functions are not top-level declarations', () => {
    const m = describeScript('function f() { var inner = 1; function g() {} class C {} }\n', 'script');
    expect([...m.topDeclared.keys()]).toEqual(['f']);
    expect(byName(m, 'f').declared).toEqual(new Set(['arguments', 'inner', 'g', 'C']));
  });

  test('declared: parameters (default, rest, destructured), arguments for non-arrows, a named expression\u2019s own name', () => {
    const m = describeScript(src(
      'function f(a, b = 1, { c, d: [e] }, ...rest) {}',
      'const g = (x, y) => x;',
      'const h = function self(z) {};',
    ), 'script');
    expect(byName(m, 'f').declared).toEqual(new Set(['a', 'b', 'c', 'e', 'rest', 'arguments']));
    expect(byName(m, 'g').declared).toEqual(new Set(['x', 'y']));
    expect(byName(m, 'self').declared).toEqual(new Set(['self', 'z', 'arguments']));
  });

  test('referenced: property names and object keys are not references; computed members and shorthands are', () => {
    const m = describeScript('function f() { return [obj.prop, obj[key], { k: v, short }, other]; }\n', 'script');
    const refs = byName(m, 'f').referenced;
    for (const n of ['obj', 'key', 'v', 'short', 'other']) expect(refs).toContain(n);
    for (const n of ['prop', 'k']) expect(refs).not.toContain(n);
  });

  test('referenced includes names used by nested functions (they propagate to the parents)', () => {
    const m = describeScript('function outer() { return () => deepName; }\n', 'script');
    expect(byName(m, 'outer').referenced).toContain('deepName');
    expect(byName(m, 'outer.(anonymous:1)').referenced).toContain('deepName');
  });

  test('labels are not references', () => {
    const m = describeScript('function f() { loop: for (;;) { break loop; } }\n', 'script');
    expect(byName(m, 'f').referenced).not.toContain('loop');
  });
});

describe('describeScript: contextual names', () => {
  const names = (text: string, kind: 'script' | 'module' = 'script') => describeScript(text, kind).functions.map((f) => f.name);

  test('variables, assignments, default values and export default', () => {
    expect(names('const a = () => 1; let b = function () {}; var c = async () => {};')).toEqual(['a', 'b', 'c']);
    expect(names('obj.handler = () => 1; x = function () {};')).toEqual(['obj.handler', 'x']);
    expect(names('export default function () {}', 'module')).toEqual(['default']);
    expect(names('export default () => 1;', 'module')).toEqual(['default']);
  });

  test('module.exports. and exports. prefixes are dropped', () => {
    expect(names('module.exports.a = () => 1; exports.b = () => 2; module.exports = function () {};')).toEqual(['a', 'b', 'module.exports']);
  });

  test('a function expression\u2019s own name wins over where it stands', () => {
    expect(names('const a = function inner() {};')).toEqual(['inner']);
  });

  test('callbacks are named after the call they are passed to, with its string arguments', () => {
    expect(names('\n\nlist.map(function () {});\n[].forEach((x) => x);')).toEqual(['list.map() callback', '[].forEach() callback']);
    expect(names("app.get('/a', (req, res) => {});")).toEqual(["app.get('/a') callback"]);
    // a callee too long to read well: its calls without their arguments
    expect(names("readline.createInterface({ input: process.stdin }).on('line', (l) => {});\nmakeTheLongestFactoryNameThereIsInThisFile(1, 2, 3, 4)(() => {});"))
      .toEqual(["readline.createInterface(…).on('line') callback", '(anonymous:2)']);
  });

  test("a callback passed to an imported function is named as written, not as the compiler's call of it (tsx, tsc, Babel)", () => {
    // esbuild's CommonJS output (tsx), tsc's and Babel's, of `schedule('tick', () => …)`, `def(() => …)`
    expect(names("(0, import_s.schedule)('tick', () => 1);\n(0, import_s2.default)(() => 2);")).toEqual(["schedule('tick') callback", 's2() callback']);
    expect(names("(0, s_1.schedule)('tick', () => 1);\n(0, s_2.default)(() => 2);")).toEqual(["schedule('tick') callback", 's() callback']);
    expect(names("(0, _s.schedule)('tick', () => 1);\n(0, _s.default)(() => 2);")).toEqual(["schedule('tick') callback", 's() callback']);
    // a namespace import keeps its written form; other sequences are text as before
    expect(names('ns.every(1e3, () => 1);\n(a, b.c)(() => 2);')).toEqual(['ns.every() callback', '(a,b.c)() callback']);
  });

  test("an anonymous function called where it stands is no part of the names inside it (tsx's module wrapper)", () => {
    expect(names('__filename="/a.ts";(()=>{\nfunction decorate(s) { return () => s; }\nclass A { m() {} }\n})()')).toEqual(['(anonymous:1)', 'decorate', 'decorate.(anonymous:2)', 'A.m']);
  });

  test('functions with no name and no call around them are anonymous with their line', () => {
    expect(names('\n(function () {})();\nconst list = [() => 1];')).toEqual(['(anonymous:2)', '(anonymous:3)']);
  });

  test('class expressions: named after the variable, or their own name', () => {
    expect(names('const A = class { m() {} };')).toEqual(['A.m']);
    expect(names('const A = class B { m() {} };')).toEqual(['B.m']);
  });

  test('a class inside a function keeps its own qualifier for members', () => {
    expect(names('function factory() { return class Widget { render() { return () => 1; } }; }')).toEqual([
      'factory', 'Widget.render', 'Widget.render.(anonymous:1)',
    ]);
  });

  test('setters and getters are distinct functions with distinct keys', () => {
    const m = describeScript('class T { get v() { return 1; } set v(x) {} }', 'script');
    expect(m.functions.map((f) => f.name)).toEqual(['T.get v', 'T.set v']);
    expect(new Set(m.functions.map((f) => f.key)).size).toBe(2);
  });
});

describe('withNestedBodiesBlanked, capturedNames', () => {
  test('withNestedBodiesBlanked blanks nested function bodies but keeps their heads', () => {
    const text = 'function outer(cb = () => 1) { const inner = (x) => { return x; }; return inner(cb()); }';
    const m = describeScript(text, 'script');
    expect(withNestedBodiesBlanked(text, byName(m, 'outer'))).toBe('function outer(cb = () => {…}) { const inner = (x) => {…}; return inner(cb()); }');
  });

  test('withNestedBodiesBlanked of a function without nested functions is its text', () => {
    const text = 'function f() { return 1; }';
    const m = describeScript(text, 'script');
    expect(withNestedBodiesBlanked(text, byName(m, 'f'))).toBe(text);
  });

  test('capturedNames: names of the scope that nested functions use', () => {
    const m = describeScript(src(
      'function make(p) {',
      '  let a = 1, b = 2, unused = 3;',
      '  const get = () => a + p;',
      '  const shadow = (b) => b;',
      '  return [get, shadow, () => globalThing];',
      '}',
    ), 'script');
    const captured = capturedNames(byName(m, 'make'));
    expect(captured).toContain('a');
    expect(captured).toContain('p');
    // `b` in `shadow` is its own parameter; globals are not in make's scope
    expect(captured).not.toContain('b');
    expect(captured).not.toContain('globalThing');
    expect(captured).not.toContain('unused');
  });

  test('capturedNames of a function without nested functions is empty', () => {
    const m = describeScript('function f() { let a = 1; return a; }', 'script');
    expect(capturedNames(byName(m, 'f')).size).toBe(0);
  });
});
