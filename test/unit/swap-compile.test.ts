// The swap engine's transform, planner and compiler, run for real: a text is loaded with the swap
// transform in a fresh V8 context (CommonJS) or a child node (ES modules, TypeScript), a save is
// planned and compiled as the engine does, the install expression runs in the same realm, and the
// program's own references, closures and instances must show the new behaviour.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { QUIET_LINE, SWAP_MARK, addBoundaries, keptNamesOf, moduleWrapper, parseSource, swapCuts, swapModuleId, uncut } from '../../src/inject/boundary';
import { BoundaryMap } from '../../src/session/boundaries';
import { swapModuleIdOf } from '../../src/inject/hooks';
import { defineSwapHelper } from '../../src/inject/swap-runtime';
import { SWAP_PICKER_NAME, SWAP_PROLOGUE_HELPER } from '../../src/inject/mark';
import { planSwap, planWhole, readLoaded, type SwapPlan, type SwapState } from '../../src/patch/swap-plan';
import { compileUnit, countersFor, hiddenFrames, installExpression, recordInstalled, type CompiledUnit } from '../../src/patch/swap-compile';
import { Codes } from '../../src/patch/codes';
import { planPatch, type NotApplied } from '../../src/patch/plan';
import { ROOT_DIR } from '../helpers/nodes';
import { ScriptRegistry, inCompiledWrapper } from '../../src/session/registry';

const src = (...lines: string[]): string => lines.join('\n') + '\n';

/** Plan and compile a save; the install expression to run in the program's realm, or the plan when there is nothing to install. */
function prepare(state: SwapState, saved: string): { plan: SwapPlan; expression: string | null; compiled: CompiledUnit[]; commit(): void } {
  const plan = planSwap(state, saved);
  if (plan.kind !== 'swap') return { plan, expression: null, compiled: [], commit: () => { if (plan.kind === 'unchanged' && plan.next) state.last = plan.next; } };
  const counters = countersFor(state, plan);
  const compiled = plan.units.map((u) => compileUnit(state, plan.model, saved, u, 'file:///t.js', counters));
  // (the program's traces told what the engine tells them: src/patch/swap-engine.ts install)
  return { plan, expression: installExpression(compiled, hiddenFrames(state, 'file:///t.js', compiled)), compiled, commit: () => recordInstalled(state, compiled, saved, counters, plan) };
}

/** The first unit of a save planned against `state`, compiled as the engine compiles it under the name /t.js. */
function firstUnit(state: SwapState, saved: string): CompiledUnit {
  const plan = planSwap(state, saved);
  if (plan.kind !== 'swap') throw new Error(`planned ${plan.kind}, not a swap`);
  return compileUnit(state, plan.model, saved, plan.units[0], '/t.js', { nextSlot: state.nextSlot, nextClass: state.nextClass });
}

interface Loaded {
  exports: any;
  ctx: vm.Context;
  state: SwapState;
  transformed: string;
  /** Apply a save; throws when the install failed. */
  save(text: string): SwapPlan;
}

let counter = 0;

/** Load CommonJS text with the swap transform in a fresh context. */
function load(text: string, globals: Record<string, unknown> = {}, setup = ''): Loaded {
  const module = swapModuleId(`/t/${counter++}.js`);
  const transformed = addBoundaries(text, 'script', { swap: { module } });
  expect(transformed).toMatch(/\/\*edit-continue:swap\*\/$/);
  const ctx = vm.createContext({ console, ...globals });
  if (setup) vm.runInContext(setup, ctx); // the program's own code that ran before this module
  defineSwapHelper(vm.runInContext('globalThis', ctx)); // as the load hooks do in every thread
  const m = { exports: {} as any };
  vm.runInContext(`(function (module, exports) {${transformed}\n})`, ctx, { filename: 'file:///t.js' })(m, m.exports); // (the name prepare compiles with)
  const state = readLoaded(transformed, 'script')!;
  expect(state).not.toBeNull();
  return {
    exports: m.exports, ctx, state, transformed,
    save(saved) {
      const p = prepare(state, saved);
      if (p.expression) {
        const failure = vm.runInContext(p.expression, ctx);
        if (failure) throw new Error(`install failed: ${failure}\n${p.compiled.map((c) => c.code).join('\n---\n')}`);
      }
      p.commit();
      return p.plan;
    },
  };
}

const names = (plan: SwapPlan) => (plan.kind === 'swap' ? plan.changed.map((c) => c.name) : []);
/** What a plan of either planner (planSwap, LiveEdit's planPatch) says it does not apply. */
const notAppliedOf = (plan: object): NotApplied[] => ('notApplied' in plan ? (plan.notApplied as NotApplied[] | undefined) : undefined) ?? [];
const codes = (plan: SwapPlan) => notAppliedOf(plan).map((n) => n.code);

describe('swapped-in code on the file\'s first line (a one-line output, as tsx writes ES modules)', () => {
  test('stands at the function\'s column, its wrapper in front padded out by a comment that tells the two apart', () => {
    const text = "var x = 1, y = 2, z = 3; var long = 'a string to stand between'; function f(a) { return a + 1; } module.exports = { f };\n";
    const saved = text.replace('a + 1', 'a + 2');
    const loaded = load(text);
    const unit = firstUnit(loaded.state, saved);
    const column = saved.indexOf('function f');
    expect(unit.code.split('\n')[0].slice(column)).toMatch(/^function {2}\(a\) \{(\/\*ec\{node-do-not-add-exception-line\*\/\/\*\}ec\*\/)?\/\*ec\{\*\/try\{\/\*\}ec\*\/ return a \+ 2;/);
    const r = new ScriptRegistry();
    r.expectCompiled('/t.js', [{ code: unit.code }]);
    r.add({ scriptId: '9', url: '/t.js', hasSourceURL: true, startLine: 0, startColumn: 0, endLine: 1, endColumn: 0, executionContextId: 1, hash: '' } as never);
    const lines = r.byScriptId('9')!.compiledLines!;
    expect(lines.from).toBe(column);
    expect([inCompiledWrapper(lines, 0, 0), inCompiledWrapper(lines, 0, column - 1), inCompiledWrapper(lines, 0, column)]).toEqual([true, true, false]);
    loaded.save(saved);
    expect(loaded.exports.f(1)).toBe(3);
  });

  test('without room for the padding the comment is still there (the columns then run on from the wrapper)', () => {
    const text = 'function f(a) { return a + 1; } module.exports = { f };\n';
    const loaded = load(text);
    loaded.save(text.replace('a + 1', 'a + 2'));
    expect(loaded.exports.f(1)).toBe(3);
    const saved = text.replace('a + 1', 'a + 3');
    const unit = firstUnit(loaded.state, saved);
    expect(unit.code).toMatch(/^\(\{"f":\/\*\*\/function {2}\(a\)/);
  });
});

describe("a module in tsx's CommonJS wrapper (`(()=>{ … })()`)", () => {
  test('a save names the function changed, not the wrapper around it', () => {
    const text = src('__filename="/t.ts";(()=>{', 'function decorate(s) { return `[${s}]`; }', 'class A { m() { return 1; } }', 'module.exports = { decorate, A };', '})()');
    const loaded = load(text);
    expect(names(loaded.save(text.replace('`[${s}]`', '`<${s}>`')))).toEqual(['decorate']);
    expect(loaded.exports.decorate('x')).toBe('<x>');
    expect(names(loaded.save(text.replace('return 1;', 'return 2;')))).toEqual(['decorate', 'A.m']);
  });

  test("a change of the wrapper's own code is the file's top level (EC201), never the wrapper patched", () => {
    const text = src('__filename="/t.ts";(()=>{', 'let rate = 2;', 'function price(q) { return q * rate; }', 'module.exports = { price };', '})()');
    const loaded = load(text);
    const top = loaded.save(text.replace('let rate = 2;', 'let rate = 3;'));
    expect([top.kind, codes(top)]).toEqual(['nothing', ['EC201']]);
    expect(loaded.exports.price(1)).toBe(2);
    // a function changed beside it is swapped; the top level is still not applied
    const both = loaded.save(text.replace('let rate = 2;', 'let rate = 3;').replace('q * rate', 'q * rate * 10'));
    expect([names(both), codes(both)]).toEqual([['price'], ['EC201']]);
    expect(loaded.exports.price(1)).toBe(20);
    // a change of a function's head inside the wrapper is that function's, not the top level's
    const head = loaded.save(text.replace('q * rate', 'q * rate * 10').replace('price(q)', 'price(q, unused)'));
    expect(codes(head)).not.toContain('EC201');
  });

  test('a function that uses a name the save declares in the wrapper (not a function it can add) is refused (EC204), not swapped to throw ReferenceError', () => {
    const text = src('__filename="/t.ts";(()=>{', 'function work(n) { return n * 2; }', 'module.exports = { work };', '})()');
    const loaded = load(text);
    const plan = loaded.save(text.replace('function work(n) { return n * 2; }', 'let limit = 3;\nfunction work(n) { return Math.min(limit, n * 2); }'));
    expect(names(plan)).toEqual([]);
    expect(codes(plan)).toEqual(expect.arrayContaining([Codes.NewDeclaration, Codes.UsesNewDeclaration]));
    expect(loaded.exports.work(1)).toBe(2);
  });

  test("the module's scope stands inside the wrapper: a function reads and writes the top-level names the file's functions use; one none used is refused (EC216)", () => {
    const text = src('__filename="/t.ts";(()=>{', 'let rate = 2;', 'let bonus = 5;', 'let unused = 9;', 'function price(q) { return q * rate; }', 'function setBonus(b) { return bonus; }', 'module.exports = { price, setBonus };', '})()');
    const loaded = load(text);
    expect(loaded.transformed.indexOf(`${SWAP_PROLOGUE_HELPER}(`)).toBeGreaterThan(loaded.transformed.indexOf('(()=>{'));
    expect([...loaded.state.scope.kept].filter((n) => /^(rate|bonus|unused|price)$/.test(n)).sort()).toEqual(['bonus', 'price', 'rate']);
    const plan = loaded.save(text.replace('q * rate', 'q * rate + bonus').replace('{ return bonus; }', '{ bonus = b; return bonus; }'));
    expect([names(plan), codes(plan)]).toEqual([['price', 'setBonus'], []]);
    expect(loaded.exports.price(1)).toBe(7);
    loaded.exports.setBonus(10);
    expect(loaded.exports.price(1)).toBe(12);
    const freed = planSwap(loaded.state, text.replace('q * rate', 'q * rate + unused').replace('{ return bonus; }', '{ bonus = b; return bonus; }'));
    expect([names(freed), codes(freed)]).toEqual([[], [Codes.SwapFreed]]);
  });

  test('moduleWrapper recognises the shape tsx writes and nothing wider', () => {
    const wrapped = (t: string) => moduleWrapper(parseSource(t, 'script')) !== null;
    expect(wrapped('__filename="/t.ts";(()=>{\nlet a = 1;\n})()\n')).toBe(true);
    expect(wrapped('"use strict";(()=>{ f(); })();')).toBe(true);
    expect(wrapped('(()=>{ f(); })(); g();')).toBe(false);
    expect(wrapped('((x)=>{ f(x); })(1);')).toBe(false);
    expect(wrapped('(function () { f(); })();')).toBe(false);
    expect(wrapped('(async ()=>{ await f(); })();')).toBe(false);
    expect(wrapped('let a = 1; (()=>{ f(); })();')).toBe(false);
    // code of the module's own before it would compile in the arrow's scope once the eval is there
    expect(wrapped('exports.f = function () { return helper; }; (()=>{ const helper = 1; })();')).toBe(false);
  });
});

describe('swap transform: the program runs as before', () => {
  test('every kind of function behaves the same with the indirection in place', () => {
    const text = src(
      "'use strict'",
      'const k = 2;',
      'function mk(a) { let c = 0; return (x) => { c += x; return c * a * k; }; }',
      'class A extends Object { #p = 1; constructor() { super(); this.q = 2; } get p() { return this.#p; } set p(v) { this.#p = v; } static s(x, ...r) { return r.length + x; } m({ a, b = 2 }, [c]) { return a + b + c + this.#p; } }',
      'function* g() { yield 1; yield 2; }',
      'async function af(y) { return y + 1; }',
      'const arrow = (z) => z * 3;',
      'function F(v) { this.v = v; }',
      'function va() { return arguments.length; }',
      'module.exports = { mk, A, g, af, arrow, F, va };',
    );
    const { exports: e } = load(text);
    const a = new e.A();
    a.p = 5;
    expect([e.mk(3)(1), a.p, e.A.s(1, 2, 3), a.m({ a: 1 }, [3]), [...e.g()], e.arrow(2), new e.F(4).v, e.va(1, 2, 3)]).toEqual([6, 5, 3, 11, [1, 2], 6, 4, 3]);
    return expect(e.af(1)).resolves.toBe(2);
  });

  test('no line is added, and the slots are defined before any user code runs', () => {
    const text = src('#!/usr/bin/env node', "'use strict'", 'function f() {', '  return 1;', '}', 'module.exports = f;');
    const out = addBoundaries(text, 'script', { swap: { module: 'mabc' } });
    expect(out.split('\n').length).toBe(text.split('\n').length + 1); // the mark's own line
    expect(out.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const ctx = vm.createContext({});
    defineSwapHelper(vm.runInContext('globalThis', ctx));
    const m = { exports: {} as any };
    vm.runInContext(`(function (module, exports) {${out.replace(/^#!.*/, '')}\n})`, ctx)(m, m.exports);
    expect(vm.runInContext("Object.getOwnPropertyDescriptor(globalThis, '__ec$mabc$0')", ctx)).toMatchObject({ value: undefined, configurable: true, enumerable: false });
    expect(m.exports()).toBe(1);
  });

  test("the helper's stack filter: told a dispatch's place, it leaves that frame (and the picker's) out of the program's traces; Error.prepareStackTrace wrapped once, again when replaced", () => {
    const ctx = vm.createContext({});
    defineSwapHelper(vm.runInContext('globalThis', ctx));
    // a vm context has no formatter of node's: one of the program's own, listing name:line:column
    vm.runInContext("Error.prepareStackTrace = (e, sites) => sites.filter((s) => s.getFileName() === '/t/stack.js').map((s) => `${s.getFunctionName()}:${s.getLineNumber()}:${s.getColumnNumber()}`).join(' ')", ctx);
    const code = src(
      'function f() { return g(); }',
      'function g() { return __ec$pick(); }',
      'function __ec$pick() { return h(); }',
      'function h() { return new Error("x").stack; }',
    );
    vm.runInContext(code, ctx, { filename: '/t/stack.js' });
    const trace = () => vm.runInContext('f()', ctx) as string;
    expect(trace()).toBe('h:4:23 __ec$pick:3:31 g:2:23 f:1:23');
    const formatter = vm.runInContext('Error.prepareStackTrace', ctx);
    const track = (file: string, places: number[]) => vm.runInContext('__ec$s.t', ctx)(file, places);
    // f's "dispatch": `return g();` on line 1 (0-based line 0, columns 15 to 26)
    track('/t/stack.js', [0, 15, 26]);
    expect(trace()).toBe('h:4:23 g:2:23');
    const wrapper = vm.runInContext('Error.prepareStackTrace', ctx);
    expect(wrapper).not.toBe(formatter);
    track('/t/other.js', [1, 0, 40]); // another file's place: g stays
    expect(vm.runInContext('Error.prepareStackTrace', ctx)).toBe(wrapper);
    expect(trace()).toBe('h:4:23 g:2:23');
    // the program puts its own formatter in: the next swap wraps it too
    vm.runInContext("Error.prepareStackTrace = (e, sites) => sites.filter((s) => s.getFileName() === '/t/stack.js').length + ' frames'", ctx);
    expect(trace()).toBe('4 frames');
    track('/t/stack.js', []);
    expect(trace()).toBe('2 frames');
    // no formatter at all: V8's own format, without our frames
    vm.runInContext('Error.prepareStackTrace = undefined', ctx);
    track('/t/stack.js', []);
    expect(trace()).toMatch(/^Error: x\n {4}at h \(\/t\/stack\.js:4:23\)\n {4}at g \(\/t\/stack\.js:2:23\)\n {4}at (?!f )/);
  });

  test('the prologue calls the helper the hooks define; a thread without it runs the loaded code, with no slots', () => {
    const text = src('function f() { return 1; }', 'const g = () => 2;', 'module.exports = [f, g];');
    const out = addBoundaries(text, 'script', { swap: { module: 'mabc' } });
    const slots = (ctx: vm.Context) => vm.runInContext("Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('__ec$mabc$')).sort().join()", ctx);
    const run = (ctx: vm.Context) => { const m = { exports: {} as any }; vm.runInContext(`(function (module, exports) {${out}\n})`, ctx)(m, m.exports); return m.exports.map((fn: () => number) => fn()); };
    const bare = vm.createContext({});
    expect(run(bare)).toEqual([1, 2]);
    expect(slots(bare)).toBe('');
    const withHelper = vm.createContext({});
    defineSwapHelper(vm.runInContext('globalThis', withHelper));
    const calls: unknown[][] = [];
    const helper = vm.runInContext('__ec$s', withHelper);
    Object.defineProperty(vm.runInContext('globalThis', withHelper), '__ec$s', { value: (...a: unknown[]) => { calls.push(a.slice(0, 2)); return helper(...a); } });
    expect(run(withHelper)).toEqual([1, 2]);
    expect(calls).toEqual([['__ec$mabc$', 2]]);
    expect(slots(withHelper)).toBe('__ec$mabc$0,__ec$mabc$1,__ec$mabc$e');
  });

  test('a program that put get/set/value on Object.prototype still loads, and its saves still install', () => {
    // Object.defineProperty reads inherited descriptor fields: with a plain object literal as the
    // descriptor, the prologue, the class eval and the install would all throw
    const text = src(
      'class Base { hi() { return "base"; } }',
      'class Kid extends Base { hi() { return "kid " + super.hi(); } }',
      'function f(a) { return a + 1; }',
      'module.exports = { f, kid: new Kid() };',
    );
    const loaded = load(text, {}, 'Object.prototype.get = function () { return 1; }; Object.prototype.set = function () {}; Object.prototype.value = 7;');
    expect(loaded.exports.f(1)).toBe(2);
    expect(loaded.exports.kid.hi()).toBe('kid base');
    loaded.save(text.replace('a + 1', 'a + 2').replace('"kid "', '"KID "'));
    expect(loaded.exports.f(1)).toBe(3);
    expect(loaded.exports.kid.hi()).toBe('KID base');
  });

  test('the load hook and the controller name a module alike', () => {
    expect(swapModuleIdOf('/a/b.js')).toBe(swapModuleId('/a/b.js'));
    expect(swapModuleId('/a/b.js')).toMatch(/^m[0-9a-f]{10}$/);
    expect(swapModuleId('/a/b.js')).not.toBe(swapModuleId('/a/c.js'));
  });

  test('without { swap } the output is exactly the boundary transform', () => {
    const text = src('function f(a) {', '  return a;', '}');
    expect(addBoundaries(text, 'script')).not.toContain('__ec$m');
  });

  test('the loaded text reads back: the original, and each function its slot and environment', () => {
    const text = src('function outer(a) {', '  let b = 1;', '  return function inner(c) { return a + b + c; };', '}');
    const { state } = load(text);
    expect(state.original).toBe(text);
    const shapes = Object.fromEntries(state.shapes);
    expect(shapes['/outer#0']).toEqual({ n: 0, env: [], mode: 'p' });
    expect(shapes['/outer#0/inner#0']).toEqual({ n: 1, env: ['a', 'b'], mode: 'p' });
  });
});

describe('swap: references, closures, instances and state', () => {
  test('a reference taken before the save runs the new code and shares module state (reads and writes)', () => {
    const v1 = src('let total = 0;', 'function add(x) { total += x; return total; }', 'module.exports = { add, get total() { return total; } };');
    const h = load(v1);
    const add = h.exports.add;
    expect(add(1)).toBe(1);
    const plan = h.save(v1.replace('total += x; return total;', 'total += 2 * x; return total + 1000;'));
    expect(names(plan)).toEqual(['add']);
    expect(add(1)).toBe(1003);
    expect(h.exports.total).toBe(3);
  });

  test('a closure made before the save runs the new code on the same captured variables', () => {
    const v1 = src('function mk(a) {', '  let c = 0;', '  return (x) => { c += x; return c * a; };', '}', 'module.exports = mk;');
    const h = load(v1);
    const f = h.exports(10);
    const g = h.exports(100);
    expect(f(1)).toBe(10);
    h.save(v1.replace('c += x; return c * a;', 'c += 2 * x; return c * a + 0.5;'));
    expect(f(1)).toBe(30.5);
    expect(g(1)).toBe(200.5);
    expect(f(0)).toBe(30.5); // c was written through the environment object
  });

  test('an arrow that only makes a function (`(k) => (x) => …`) has no dispatch of its own: what it makes is swapped, closures made before and after; a change of its own code is refused (EC210)', () => {
    const v1 = src('const mk = (k) => (x) => x * k;', 'const add3 = (a) => (b) => (c) => a + b + c;', 'module.exports = { mk, add3 };');
    const h = load(v1);
    // one dispatch for each function that does more than make one: the two innermost arrows
    expect(h.transformed.match(/typeof __ec\$\w+\$\d+==="function"/g)).toHaveLength(2);
    const { mk, add3 } = h.exports;
    const double = mk(2);
    const addTo3 = add3(1)(2);
    expect([double(5), mk(3)(5), addTo3(3)]).toEqual([10, 15, 6]);
    const v2 = v1.replace('(x) => x * k;', '(x) => x * k + 1;').replace('(c) => a + b + c;', '(c) => a * 100 + b * 10 + c;');
    const plan = h.save(v2);
    expect(names(plan)).toEqual(['mk.(anonymous:1)', 'add3.(anonymous:2).(anonymous:2)']);
    expect(codes(plan)).toEqual([]);
    expect([double(5), mk(3)(5), addTo3(3), add3(4)(5)(6)]).toEqual([11, 16, 123, 456]);
    // the arrow's own code: refused, and what runs stays right
    const v3 = v2.replace('const mk = (k) => (x) => x * k + 1;', 'const mk = (k, j = 0) => (x) => x * k + 1 + j;');
    const refused = h.save(v3);
    expect(codes(refused)).toEqual([Codes.SwapConstructor, 'EC212']); // (and the arrow it makes would capture j, new in its enclosing function)
    expect(refused.kind === 'nothing' && refused.notApplied[0].message).toMatch(/mk not patched: an arrow that only makes a function has no dispatch of its own/);
    expect([double(5), mk(3)(5)]).toEqual([11, 16]);
  });

  test('shadowing: only the names that resolve to the enclosing function go through its environment', () => {
    const v1 = src('const x = "module";', 'function mk(x) {', '  const y = "outer";', '  return (z) => [x, y, z].join();', '}', 'module.exports = mk;');
    const h = load(v1);
    const f = h.exports('param');
    h.save(v1.replace('return (z) => [x, y, z].join();', 'return (z) => { const y = "inner"; { let x = "block"; z += x; } return [x, y, z, typeof x].join(); };'));
    expect(f('z')).toBe('param,inner,zblock,string');
  });

  test('a swapped function swaps again; a closure it makes with new captures gets a slot of its own', () => {
    const v1 = src('function mk() {', '  return function inner() { return 1; };', '}', 'module.exports = mk;');
    const h = load(v1);
    const before = h.exports();
    const v2 = v1.replace('return function inner() { return 1; };', 'let n = 5; return function inner() { return n; };');
    const plan2 = h.save(v2);
    // inner now captures n: closures made before keep their code (EC206), new ones have the new code
    expect(names(plan2)).toEqual(['mk']);
    expect(plan2.kind === 'swap' && plan2.warnings.map((w) => w.code)).toEqual([Codes.StaleClosures]);
    const after = h.exports();
    expect([before(), after()]).toEqual([1, 5]);
    const v3 = v2.replace('return n;', 'return n * 10;');
    const plan3 = h.save(v3);
    expect(names(plan3)).toEqual(['mk.inner']);
    expect([before(), after()]).toEqual([1, 50]);
  });

  test('per-iteration let bindings: each closure keeps its own', () => {
    const v1 = src('function make() {', '  const fns = [];', '  for (let i = 0; i < 3; i++) fns.push(() => i);', '  return fns;', '}', 'module.exports = make;');
    const h = load(v1);
    const fns = h.exports();
    h.save(v1.replace('fns.push(() => i);', 'fns.push(() => i * 10);'));
    expect(fns.map((f: () => number) => f())).toEqual([0, 10, 20]);
  });

  test('this, super and #private in methods; getters, setters and static methods', () => {
    const v1 = src(
      'class Base { hello() { return "base"; } static kind() { return "B"; } }',
      'class C extends Base {',
      '  #n = 1;',
      '  get n() { return this.#n; }',
      '  set n(v) { this.#n = v; }',
      '  greet() { return super.hello() + this.#n; }',
      '  static kind() { return super.kind() + "C"; }',
      '}',
      'module.exports = C;',
    );
    const h = load(v1);
    const C = h.exports;
    const c = new C();
    const v2 = v1
      .replace('get n() { return this.#n; }', 'get n() { return this.#n * 100; }')
      .replace('set n(v) { this.#n = v; }', 'set n(v) { this.#n = v + 1; }')
      .replace('greet() { return super.hello() + this.#n; }', 'greet() { return super.hello() + "!" + this.#n; }')
      .replace('static kind() { return super.kind() + "C"; }', 'static kind() { return super.kind() + "CC"; }');
    const plan = h.save(v2);
    expect(names(plan).sort()).toEqual(['C.get n', 'C.greet', 'C.kind', 'C.set n'].sort());
    c.n = 2;
    expect([c.n, c.greet(), C.kind()]).toEqual([300, 'base!3', 'BCC']);
  });


  test('a class with no #private, no parent and no inner name gets no eval of its own; its methods (super, this, static, getters) swap in the module\'s scope', () => {
    const v1 = src(
      'const k = 3;',
      'class P { get v() { return k; } m(x) { return this.v + x; } t() { return super.toString === Object.prototype.toString; } static s() { return typeof super.call; } }',
      'module.exports = P;',
    );
    const h = load(v1);
    expect(h.transformed).not.toContain('static{');
    expect(h.state.nextClass).toBe(0);
    const p = new h.exports();
    const v2 = v1
      .replace('get v() { return k; }', 'get v() { return k * 10; }')
      .replace('m(x) { return this.v + x; }', 'm(x) { return this.v + x + 1; }')
      .replace('t() { return super.toString === Object.prototype.toString; }', 't() { return super.toString === Object.prototype.toString && "yes"; }')
      .replace('static s() { return typeof super.call; }', 'static s() { return typeof super.call + "!"; }');
    expect(names(h.save(v2)).sort()).toEqual(['P.get v', 'P.m', 'P.s', 'P.t'].sort());
    expect([p.v, p.m(1), p.t(), h.exports.s()]).toEqual([30, 32, 'yes', 'function!']);
    // the ones that need it keep a reference to the class: a parent, a named class expression, and
    // #private names (with their accessors); none an eval, not even a class that names an enclosing
    // class's #private name (it reaches that class's accessors); a class in a block of the top level
    // needs nothing (its methods' dispatch passes the block's names through their environment)
    const kept = addBoundaries(src('class A extends Object { m() {} }', 'class B { #x = 1; m() { return this.#x; } }', 'const C = class D { m() { return D; } };', 'const E = class { m() {} };', '{ const k = 1; class F { m() { return k; } } }', 'function g() { class G { m() {} } }', 'class H { #h = 1; m(o) { return class { n() { return o.#h; } }; } }'), 'script', { swap: { module: 'mabc' } });
    expect(kept.match(/static\{/g)?.length).toBe(4);
    expect(kept).not.toContain('eval(c)');
    expect(kept.match(/value:this/g)?.length).toBe(4);
    expect(kept.match(/x:\{g:o=>o\.#x,/g)?.length).toBe(1);
    const inBlock = src('let out;', 'if (true) {', '  const k = 2;', '  class F { m() { return k; } }', '  out = new F();', '}', 'module.exports = out;');
    const hb = load(inBlock);
    expect(hb.exports.m()).toBe(2);
    hb.save(inBlock.replace('m() { return k; }', 'm() { return k * 21; }'));
    expect(hb.exports.m()).toBe(42);
  });
  test('lexical this, arguments and new.target: arrows get the caller\'s this; functions keep new.target and arguments', () => {
    const v1 = src(
      'function Counter() { this.n = 1; this.inc = () => { this.n += 1; return this.n; }; }',
      'function Point(x) { if (!new.target) return "call"; this.x = x; }',
      'function count() { return arguments.length; }',
      'module.exports = { Counter, Point, count };',
    );
    const h = load(v1);
    const c = new h.exports.Counter();
    h.save(v1
      .replace('this.n += 1; return this.n;', 'this.n += 10; return this.n;')
      .replace('if (!new.target) return "call"; this.x = x;', 'if (!new.target) return "CALL"; this.x = x * 2;')
      .replace('return arguments.length;', 'return arguments.length * 100;'));
    expect(c.inc()).toBe(11);
    const p = new h.exports.Point(2);
    expect([p.x, p instanceof h.exports.Point, h.exports.Point(1), h.exports.count(1, 2, 3)]).toEqual([4, true, 'CALL', 300]);
  });

  test('a constructor function that does not read new.target: `new` still makes an instance of it, with the new body', () => {
    const v1 = src('function Box(v) { this.v = v; }', 'Box.prototype.get = function () { return this.v; };', 'module.exports = Box;');
    const h = load(v1);
    expect(h.transformed).not.toContain('Reflect.construct'); // the short dispatch
    h.save(v1.replace('this.v = v;', 'this.v = v * 2;'));
    const b = new h.exports(4);
    expect([b instanceof h.exports, b.get(), b.v]).toEqual([true, 8, 8]);
    const plan = planSwap(h.state, v1.replace('this.v = v;', 'this.v = new.target ? v : 0;'));
    expect(codes(plan)).toEqual([Codes.SwapUnsupported]);
  });

  test('default and destructuring parameters: the body is swapped, the values come from the running version', () => {
    const v1 = src('function f({ a, b = 2 }, [c] = [3], ...rest) { return a + b + c + rest.length; }', 'function g(x, y = 10) { return x + y; }', 'module.exports = { f, g };');
    const h = load(v1);
    h.save(v1.replace('return a + b + c + rest.length;', 'return (a + b + c + rest.length) * 10;').replace('return x + y;', 'return x * y;'));
    expect([h.exports.f({ a: 1 }), h.exports.f({ a: 1, b: 1 }, [1], 0, 0), h.exports.g(2), h.exports.g(2, 3)]).toEqual([60, 50, 20, 6]);
  });

  test('async functions, and generators created before the save (started and not)', async () => {
    const v1 = src('async function af(x) { await null; return x + 1; }', 'function* gen() { yield 1; yield 2; }', 'module.exports = { af, gen };');
    const h = load(v1);
    const started = h.exports.gen();
    expect(started.next().value).toBe(1);
    const fresh = h.exports.gen();
    const pending = h.exports.af(1); // suspended at its await across the save
    h.save(v1.replace('return x + 1;', 'return x + 100;').replace('yield 1; yield 2;', 'yield 10; yield 20;'));
    expect(await pending).toBe(2); // the activation that was running finishes its own code
    expect(await h.exports.af(1)).toBe(101);
    expect(started.next().value).toBe(2); // started: finishes the old body
    expect([...fresh]).toEqual([10, 20]); // not started: runs the new body
  });
});

describe("swap: a class's #private names and own name, without an eval (accessors from its static block)", () => {
  const v1 = src(
    'class Counter {',
    '  #n = 1;',
    '  #big = 1n;',
    '  static #made = 0;',
    '  #twice(v) { return v * 2; }',
    '  get #g() { return this.#n; }',
    '  set #g(v) { this.#n = v; }',
    '  constructor() { Counter.#made++; }',
    '  read() { return this.#n; }',
    '  write(v) { this.#n = v; return this.#n; }',
    '  calls(v) { return this.#twice(v); }',
    '  has(o) { return #n in o; }',
    '  static made() { return Counter.#made; }',
    '  bump() { return this.#n; }',
    '  viaAccessor() { return this.#g; }',
    '  later() { return [1, 2].map((k) => this.#n + k); }',
    '  addTo(o, v) { o.#n += v; return o.#n; }',
    '  async addLater(p) { this.#n += await p; return this.#n; }',
    '  lines() { return this',
    '    .#n; }',
    '}',
    'module.exports = Counter;',
  );

  test('reads, writes, calls, `in`, compound and update forms, getters and setters, static ones, in closures; existing instances see the new code', async () => {
    const h = load(v1);
    expect(h.transformed).not.toContain('eval(c)');
    const C = h.exports;
    const c = new C();
    const other = new C();
    const v2 = v1
      .replace('read() { return this.#n; }', 'read() { return this.#n * 10 + (this.#big += 2n, Number(this.#big)); }')
      .replace('write(v) { this.#n = v; return this.#n; }', 'write(v) { const r = this.#n = v + 1; this.#n *= 2; return [r, this.#n]; }')
      .replace('calls(v) { return this.#twice(v); }', 'calls(v) { return this.#twice(v) + this.#twice(1) + this.#twice.call(this, 100); }')
      .replace('has(o) { return #n in o; }', 'has(o) { return !(#n in o); }')
      .replace('static made() { return Counter.#made; }', 'static made() { return Counter.#made * 100; }')
      .replace('bump() { return this.#n; }', 'bump() { const a = this.#n++; const b = ++this.#n; const d = this.#n--; return [a, b, d, --this.#n]; }')
      .replace('viaAccessor() { return this.#g; }', 'viaAccessor() { this.#g = 7; this.#g += 1; const seen = [this.#g ||= 100, this.#g &&= 9, this.#g ??= 50]; this.#g = 0; seen.push(this.#g ||= 3); return seen.concat(this.#g); }')
      .replace('later() { return [1, 2].map((k) => this.#n + k); }', 'later() { return [1, 2].map((k) => this.#n - k); }')
      .replace('addTo(o, v) { o.#n += v; return o.#n; }', 'addTo(o, v) { [o][0].#n **= v; return o.#n; }')
      .replace('this.#n += await p; return this.#n;', 'this.#n -= await p; return this.#n;')
      .replace('    .#n; }', '    .#n * 3; }');
    expect(names(h.save(v2)).sort()).toEqual(['Counter.addLater', 'Counter.addTo', 'Counter.bump', 'Counter.calls', 'Counter.has', 'Counter.later.[1,2].map() callback', 'Counter.lines', 'Counter.made', 'Counter.read', 'Counter.viaAccessor', 'Counter.write'].sort());
    expect(c.read()).toBe(10 + 3);
    expect(c.write(4)).toEqual([5, 10]);
    expect(c.calls(3)).toBe(6 + 2 + 200);
    expect([c.has(other), c.has({})]).toEqual([false, true]);
    expect(C.made()).toBe(200);
    expect(other.bump()).toEqual([1, 3, 3, 1]);
    expect(other.viaAccessor()).toEqual([8, 9, 9, 3, 3]);
    expect(other.later()).toEqual([2, 1]);
    expect(other.lines()).toBe(9);
    const third = new C();
    expect([third.addTo(third, 3), third.addTo(third, 2)]).toEqual([1, 1]);
    expect(await third.addLater(Promise.resolve(5))).toBe(-4);
    // what the class's own code would throw, it throws
    expect(() => C.prototype.read.call({})).toThrow(/Cannot read private member #n from an object whose class did not declare it/);
  });

  test('the new code keeps its lines: a stop or a stack in it is at the line written', () => {
    const h = load(v1);
    const saved = v1.replace("'    .#n; }'", '').replace('  lines() { return this\n    .#n; }', '  lines() { return this\n    .#n + new Error("here").stack; }');
    h.save(saved);
    const line = saved.split('\n').findIndex((l) => l.includes('new Error')) + 1;
    expect(new h.exports().lines()).toMatch(new RegExp(`^1Error: here\\n\\s+at Counter\\.lines \\(file:///t\\.js:${line}:`));
  });

  test("what has no form outside the class is refused with a reason, and the save's other functions are swapped", () => {
    const h = load(v1);
    const c = new h.exports();
    const cases: [string, string, RegExp][] = [
      ['read() { return this.#n; }', 'read() { return this?.#n; }', /read not patched: it uses #n in an optional chain/],
      ['read() { return this.#n; }', 'read() { [this.#n] = [5]; return 1; }', /read not patched: it destructures into #n/],
      ['read() { return this.#n; }', 'read() { [this][0].#n ||= 5; return 1; }', /read not patched: it assigns #n of another object than this with \|\|=/],
      ['async addLater(p) { this.#n += await p;', 'async addLater(p) { [this][0].#n += await p;', /addLater not patched: its `#n \+=` on another object than this takes a value that awaits or yields/],
      ['read() { return this.#n; }', '#y = 5; read() { return this.#y; }', /read not patched: it uses #y, which the running class does not have/],
    ];
    const got: string[] = [];
    for (const [i, [from, to, why]] of cases.entries()) {
      const plan = h.save(v1.replace(from, to).replace('return Counter.#made;', `return Counter.#made + ${i + 1};`));
      expect(names(plan)).toEqual(['Counter.made']);
      expect(plan.kind === 'swap' && plan.notApplied.map((n) => n.message).join('\n')).toMatch(why);
      expect([c.read(), h.exports.made()]).toEqual([1, 1 + i + 1]);
      got.push(codes(plan).join(' '));
    }
    // (the field itself: a new field, which the running class makes its instances without: EC205)
    expect(got).toEqual(['EC214', 'EC214', 'EC214', 'EC214', 'EC205 EC205']);
  });

  test('a class made inside a swapped function: its methods swap later with the globals of the class the new code made (#private, super, own name)', () => {
    const text = src(
      'class Base { hi() { return "base"; } }',
      'class Outer {',
      '  make() { return class Inner extends Base { #y = 1; get() { return this.#y + super.hi() + typeof Inner; } }; }',
      '}',
      'module.exports = new Outer();',
    );
    const h = load(text);
    const o = h.exports;
    expect(new (o.make())().get()).toBe('1basefunction');
    const v2 = text.replace('#y = 1;', '#y = 2;');
    expect(names(h.save(v2))).toEqual(['Outer.make']);
    const C2 = o.make();
    expect(new C2().get()).toBe('2basefunction');
    const v3 = v2.replace('return this.#y + super.hi() + typeof Inner;', 'return this.#y * 10 + super.hi() + (Inner === this.constructor);');
    expect(names(h.save(v3))).toEqual(['Inner.get']);
    expect(new C2().get()).toBe('20basetrue');
  });

  test('a mixin applied to two parents: a swapped method with `super` reaches each class\'s own parent, for classes made before and after the save, statics and subclasses too', () => {
    const v1 = src(
      'class A { hi() { return "a"; } static s() { return "A"; } }',
      'class B { hi() { return "b"; } static s() { return "B"; } }',
      'class C { hi() { return "c"; } static s() { return "C"; } }',
      'const Counted = (Base) => class extends Base { #n = 1; get() { return this.#n + super.hi(); } static s() { return super.s() + 1; } };',
      'const CA = Counted(A), CB = Counted(B);',
      'module.exports = { a: new CA(), b: new CB(), CA, CB, make: () => Counted(C) };',
    );
    const h = load(v1);
    const { a, b, CA, CB, make } = h.exports;
    expect(names(h.save(v1.replace('return this.#n + super.hi();', 'return this.#n * 10 + super.hi();').replace('return super.s() + 1;', 'return super.s() + 2;')))).toEqual(['class.get', 'class.s']);
    expect([a.get(), b.get(), CA.s(), CB.s()]).toEqual(['10a', '10b', 'A2', 'B2']);
    const CC = make();
    class Sub extends CB {}
    expect([new CC().get(), CC.s(), new Sub().get(), Sub.s(), a.get()]).toEqual(['10c', 'C2', '10b', 'B2', '10a']);
    // saved again: every class's method is made anew, each with its parent
    h.save(v1.replace('return this.#n + super.hi();', 'return this.#n * 100 + super.hi();').replace('return super.s() + 1;', 'return super.s() + 2;'));
    expect([a.get(), b.get(), new CC().get()]).toEqual(['100a', '100b', '100c']);
  });

  test('a mixin made for one parent, then for another after the save: the swapped method turns to each class\'s own parent', () => {
    const v1 = src(
      'class A { hi() { return "a"; } }',
      'class B { hi() { return "b"; } }',
      'const Loud = (Base) => class extends Base { hi() { return super.hi() + "!"; } };',
      'module.exports = { a: new (Loud(A))(), a2: new (Loud(A))(), make: () => new (Loud(B))() };',
    );
    const h = load(v1);
    expect(names(h.save(v1.replace('return super.hi() + "!";', 'return super.hi() + "?";')))).toEqual(['class.hi']);
    expect([h.exports.a.hi(), h.exports.a2.hi()]).toEqual(['a?', 'a?']);
    const b = h.exports.make();
    // (the first of the two classes made for A is not the one made just before B: it is picked too)
    expect([b.hi(), h.exports.a.hi(), h.exports.a2.hi()]).toEqual(['b?', 'a?', 'a?']);
  });

  test('a mixin applied twice in one chain (over itself): the outer class\'s method calls the inner one\'s through `super`, each once', () => {
    const v1 = src(
      'class A { hi() { return "a"; } }',
      'const Loud = (Base) => class extends Base { hi() { return super.hi() + "!"; } };',
      'const Inner = Loud(A), Outer = Loud(Inner);',
      'module.exports = { i: new Inner(), o: new Outer(), make: () => new (Loud(Outer))() };',
    );
    const h = load(v1);
    expect([h.exports.i.hi(), h.exports.o.hi()]).toEqual(['a!', 'a!!']);
    expect(names(h.save(v1.replace('return super.hi() + "!";', 'return super.hi() + "?";')))).toEqual(['class.hi']);
    expect([h.exports.i.hi(), h.exports.o.hi(), h.exports.make().hi(), h.exports.o.hi()]).toEqual(['a?', 'a??', 'a???', 'a??']);
  });

  test('a method that had `super` and is saved without it, then its class made with another parent: what runs is the last save', () => {
    const v1 = src(
      'class A { hi() { return "a"; } }',
      'class B { hi() { return "b"; } }',
      'const Loud = (Base) => class extends Base { hi() { return super.hi() + "!"; } };',
      'module.exports = { a: new (Loud(A))(), make: () => new (Loud(B))() };',
    );
    const h = load(v1);
    h.save(v1.replace('return super.hi() + "!";', 'return super.hi() + "?";'));
    expect(names(h.save(v1.replace('return super.hi() + "!";', 'return "plain";')))).toEqual(['class.hi']);
    const b = h.exports.make();
    expect([b.hi(), h.exports.a.hi()]).toEqual(['plain', 'plain']);
  });

  test('a mixin method that uses `super` and a local of the function making its class: each class\'s own parent and own local, made before the save and after', () => {
    const v1 = src(
      'class A { hi() { return "a"; } }',
      'class B { hi() { return "b"; } }',
      'class C { hi() { return "c"; } }',
      'const Loud = (Base) => class extends Base { hi() { return super.hi() + Base.name; } };',
      'module.exports = { a: new (Loud(A))(), b: new (Loud(B))(), make: () => new (Loud(C))() };',
    );
    const h = load(v1);
    expect(names(h.save(v1.replace('return super.hi() + Base.name;', 'return super.hi() + Base.name + "!";')))).toEqual(['class.hi']);
    expect([h.exports.a.hi(), h.exports.b.hi(), h.exports.make().hi()]).toEqual(['aA!', 'bB!', 'cC!']);
    // made for one parent at the save, then for another
    const once = src(
      'class A { hi() { return "a"; } }',
      'class B { hi() { return "b"; } }',
      'const Loud = (Base) => class extends Base { hi() { return super.hi() + Base.name; } };',
      'module.exports = { a: new (Loud(A))(), make: () => new (Loud(B))() };',
    );
    const h1 = load(once);
    h1.save(once.replace('return super.hi() + Base.name;', 'return super.hi() + Base.name + "?";'));
    expect([h1.exports.a.hi(), h1.exports.make().hi(), h1.exports.a.hi()]).toEqual(['aA?', 'bB?', 'aA?']);
  });

  test("the runtime's picker has the name the debugger side knows its frame by", () => {
    expect(defineSwapHelper.toString()).toContain(`function ${SWAP_PICKER_NAME}(`);
  });

  test('a named class expression a factory makes twice: its own name, held with the factory\'s locals, is each class\'s own', () => {
    const v1 = src(
      'const make = (k) => class Own { static k = k; who() { return Own.k; } };',
      'const X = make(1), Y = make(2);',
      'module.exports = { x: new X(), y: new Y() };',
    );
    const h = load(v1);
    expect(names(h.save(v1.replace('return Own.k;', 'return Own.k * 10;')))).toEqual(['Own.who']);
    expect([h.exports.x.who(), h.exports.y.who()]).toEqual([10, 20]);
  });

  test('a class a factory makes more than once (one parent): a swapped method serves the instances of every class made, each with its own #private names', () => {
    const v1 = src(
      'class Base { hi() { return "b"; } }',
      'function make(start) { return class extends Base { #n = start; get() { return this.#n + super.hi(); } static has(o) { return #n in o; } }; }',
      'const C1 = make(1), C2 = make(2);',
      'module.exports = { a: new C1(), b: new C2(), C1, C2, make };',
    );
    const h = load(v1);
    const { a, b, C1, C2, make } = h.exports;
    expect(names(h.save(v1.replace('return this.#n + super.hi();', 'return this.#n * 10 + super.hi();')))).toEqual(['class.get']);
    expect([a.get(), b.get()]).toEqual(['10b', '20b']);
    // made again after the save: its instances, and the earlier ones, run the new code
    const C3 = make(3);
    expect([new C3().get(), a.get(), b.get()]).toEqual(['30b', '10b', '20b']);
    // what the class's own (unswapped) code does is unchanged: a brand check sees its own class only
    expect([C1.has(a), C1.has(b), C2.has(b)]).toEqual([true, false, true]);
    // a read the class's code could not make throws as it would have
    const v2 = v1.replace('return this.#n + super.hi();', 'return this.#n * 100 + super.hi();');
    expect(names(h.save(v2))).toEqual(['class.get']);
    expect(() => C1.prototype.get.call({})).toThrow(/Cannot read private member #n/);
    expect(new C3().get()).toBe('300b');
  });

  test('a class made once, swapped, then made again: the new code serves both classes\' instances', () => {
    const v1 = src(
      'function make(start) { return class { #n = start; get() { return this.#n; } bump() { this.#n++; return this; } }; }',
      'module.exports = { a: new (make(1))(), make };',
    );
    const h = load(v1);
    const { a, make } = h.exports;
    const v2 = v1.replace('get() { return this.#n; }', 'get() { return this.#n * 10; }');
    expect(names(h.save(v2))).toEqual(['class.get']);
    expect(a.get()).toBe(10);
    const b = new (make(2))();
    expect([a.get(), b.get(), b.bump().get(), a.get()]).toEqual([10, 20, 30, 10]);
    expect(names(h.save(v2.replace('this.#n++;', 'this.#n += 5;')))).toEqual(['class.bump']);
    expect([a.bump().get(), b.bump().get()]).toEqual([60, 80]);
  });

  test('a mixin applied to two parents: a method that uses neither super nor the class\'s own name swaps, for both', () => {
    const v1 = src(
      'class A { hi() { return "a"; } }',
      'class B { hi() { return "b"; } }',
      'const Counted = (Base) => class extends Base { #n = 1; get() { return this.#n + super.hi(); } count() { return this.#n; } };',
      'module.exports = { a: new (Counted(A))(), b: new (Counted(B))() };',
    );
    const h = load(v1);
    expect(names(h.save(v1.replace('count() { return this.#n; }', 'count() { return this.#n * 100; }')))).toEqual(['class.count']);
    expect([h.exports.a.count(), h.exports.b.count(), h.exports.a.get(), h.exports.b.get()]).toEqual([100, 100, '1a', '1b']);
  });

  test("a named class expression's own name is read through the class, from its methods and from a class inside it; an enclosing class's #private name from a class inside it", () => {
    const text = src(
      'const C = class Dog {',
      '  static make() { return new Dog(); }',
      '  name() { return Dog.name; }',
      '  inner() { return class { n() { return typeof Dog; } }; }',
      '};',
      'module.exports = C;',
    );
    const h = load(text);
    const d = h.exports.make();
    const Inner = d.inner();
    const saved = text.replace('return Dog.name;', 'return Dog.name + "!" + (new Dog() instanceof Dog);').replace('return typeof Dog;', 'return typeof Dog + "?" + (Dog.make() instanceof Dog);');
    const plan = h.save(saved);
    expect(names(plan)).toEqual(['Dog.name', 'class.n']);
    expect(codes(plan)).toEqual([]);
    expect(d.name()).toBe('Dog!true');
    expect(new Inner().n()).toBe('function?true');
    // a class inside a method that reads the enclosing class's #private name
    const v1 = src(
      'class Vault {',
      '  #secret = 41;',
      '  opener() { const v = this; return new (class { open() { return v.#secret; } })(); }',
      '}',
      'module.exports = new Vault().opener();',
    );
    const hv = load(v1);
    expect(hv.transformed).not.toContain('eval(c)');
    expect(names(hv.save(v1.replace('return v.#secret;', 'return v.#secret + 1;')))).toEqual(['class.open']);
    expect(hv.exports.open()).toBe(42);
  });
});

describe('swap: class constructors', () => {
  test("a base class's constructor: new instances run the new one (fields, #private, default and destructured parameters); instances made before keep what theirs did", () => {
    const v1 = src(
      'class Base { hello() { return "h"; } }',
      'class Point {',
      '  #id;',
      '  tag = "t";',
      '  constructor(x, { y = 2 } = {}) { this.x = x; this.y = y; this.#id = 1; }',
      '  id() { return this.#id; }',
      '}',
      'module.exports = { Point };',
    );
    const h = load(v1);
    const before = new h.exports.Point(1);
    const v2 = v1.replace('this.x = x; this.y = y; this.#id = 1;', 'this.x = x * 10; this.y = y; this.#id = this.tag + 2;');
    expect(names(h.save(v2))).toEqual(['Point.constructor']);
    const after = new h.exports.Point(1, { y: 5 });
    expect([after.x, after.y, after.id(), before.x, before.id()]).toEqual([10, 5, 't2', 1, 1]);
    expect(after instanceof h.exports.Point).toBe(true);
  });

  test("a derived class's constructor swaps the code after its super(…) call, which runs once, as written; changing that call is refused (EC210)", () => {
    const v1 = src(
      'let supers = 0;',
      'class Animal { constructor(name) { supers++; this.name = name; } kind() { return "animal"; } }',
      'class Dog extends Animal {',
      '  #good = true;',
      '  constructor(name, age) {',
      '    super(name)',
      '    this.age = age;',
      '  }',
      '  good() { return this.#good; }',
      '}',
      'class Odd extends Animal { constructor() { const n = "odd"; super(n); } }',
      'module.exports = { Dog, Odd, supers: () => supers };',
    );
    const h = load(v1);
    const v2 = v1.replace('    this.age = age;', '    this.age = age + 1; this.k = super.kind(); this.#good = "yes";');
    expect(names(h.save(v2))).toEqual(['Dog.constructor']);
    const d = new h.exports.Dog('rex', 3);
    expect([d.name, d.age, d.k, d.good(), h.exports.supers()]).toEqual(['rex', 4, 'animal', 'yes', 1]);
    const refused = (text: string) => { const p = planSwap(h.state, text); return [codes(p), names(p), p.kind !== 'unchanged' && 'notApplied' in p ? p.notApplied.map((n) => n.message).join('\n') : ''] as const; };
    const [c1, n1, m1] = refused(v2.replace('super(name)', 'super(name + "!")'));
    expect([c1, n1]).toEqual([[Codes.SwapConstructor], []]);
    expect(m1).toMatch(/runs after its super\(…\) call, which must stay its first statement, as it is/);
    expect(refused(v2.replace('this.k = super.kind();', 'this.k = super.kind(); if (!age) super(name);')).slice(0, 2)).toEqual([[Codes.SwapConstructor], []]);
    // a derived constructor that does not start with super(…) has no dispatch: refused, saying why
    const [c3, , m3] = refused(v2.replace('const n = "odd";', 'const n = "odd!";'));
    expect(c3).toEqual([Codes.SwapConstructor]);
    expect(m3).toMatch(/a derived class's constructor that does not start with its super\(…\) call cannot be swapped/);
  });
  test("a base class's constructor that returns no value runs the new code in place of its body (no `return` in it: V8 removes `new`'s allocation in hot code); one that returns a value keeps the dispatch that returns", () => {
    const v1 = src(
      'class Vec { constructor(x, y) { this.x = x; this.y = y; } }',
      'class Empty { constructor() {} }',
      'class Pooled { constructor(k) { if (Pooled.one) return Pooled.one; this.k = k; Pooled.one = this; } }',
      'class Later { constructor(f) { this.f = () => { return f(); }; function g() { return 1; } this.g = g; } }',
      'module.exports = { Vec, Empty, Pooled, Later };',
    );
    const h = load(v1);
    const ctor = (name: string) => h.transformed.slice(h.transformed.indexOf(`class ${name}`), h.transformed.indexOf('\n', h.transformed.indexOf(`class ${name}`)));
    // the constructor's own code holds no `return` with the dispatch in it; the body is the else branch
    for (const name of ['Vec', 'Empty', 'Later']) expect(ctor(name)).toMatch(/constructor\([a-z, ]*\) \{(\/\*ec\{node-do-not-add-exception-line\*\/\/\*\}ec\*\/)?(\/\*ec\{\*\/try\{\/\*\}ec\*\/)?\/\*ec\{\d+;;pv\*\/if\(typeof __ec\$m[0-9a-f]+\$\d+==="function"\)\{/);
    expect(ctor('Vec')).toMatch(/\{[^{}]*\.call\(this,x,y\)\}else\{\/\*\}ec\*\/ this\.x = x; this\.y = y; \/\*ec\{\*\/\}\/\*\}ec\*\/\/\*ec\{\*\/\}finally/);
    expect(ctor('Pooled')).toMatch(/\)return __ec\$m[0-9a-f]+\$\d+\.call\(this,k\)/);
    // loaded as before: the original bodies run, and what the constructor returned is what `new` gives
    const p1 = new h.exports.Pooled(1);
    expect([new h.exports.Vec(1, 2).y, new h.exports.Pooled(2) === p1, new h.exports.Later(() => 7).f()]).toEqual([2, true, 7]);
    const v2 = v1
      .replace('this.x = x; this.y = y;', 'this.x = x * 10; this.y = y;')
      .replace('constructor() {}', 'constructor() { this.tag = "e"; }')
      .replace('this.k = k;', 'this.k = k * 2;')
      .replace('return f();', 'return f() + 1;');
    expect(names(h.save(v2))).toEqual(['Vec.constructor', 'Empty.constructor', 'Pooled.constructor', 'Later.constructor.this.f']);
    const v = new h.exports.Vec(1, 2);
    expect([v.x, v.y, v instanceof h.exports.Vec, new h.exports.Empty().tag, new h.exports.Pooled(3) === p1, new h.exports.Later(() => 7).f()]).toEqual([10, 2, true, 'e', true, 8]);
    // a save that makes a returnless constructor return a value is refused, saying why; Pooled may
    const v3 = v2.replace('this.x = x * 10; this.y = y;', 'return { x, y };').replace('return Pooled.one;', 'return { pooled: Pooled.one };');
    const plan = planSwap(h.state, v3);
    expect([codes(plan), names(plan)]).toEqual([[Codes.SwapConstructor], ['Pooled.constructor']]);
    expect(plan.kind === 'swap' ? plan.notApplied[0].message : '').toMatch(/^Vec\.constructor not patched: it now returns a value, which `new` would not see/);
    expect(h.save(v3).kind).toBe('swap');
    expect([new h.exports.Vec(4, 5).x, new h.exports.Pooled(3).pooled === p1]).toEqual([40, true]);
  });

  test("a class made by swapped-in code gets the same constructor dispatch, and its constructor swaps later", () => {
    const v1 = src(
      'function make() { class P { constructor(a) { this.a = a; } } return P; }',
      'module.exports = { make };',
    );
    const h = load(v1);
    const v2 = v1.replace('this.a = a;', 'this.a = a + 1;').replace('return P;', 'P.made = 1; return P;');
    expect(names(h.save(v2))).toEqual(['make', 'P.constructor']);
    expect(new (h.exports.make())(1).a).toBe(2);
    // (the class's text is the code swapped in: its constructor's dispatch has the returnless form)
    expect(String(h.exports.make())).toMatch(/\/\*ec\{\d+;;pv\*\/if\(typeof __ec\$m[0-9a-f]+\$\d+==="function"\)\{[^{}]*\}else\{/);
    const v3 = v2.replace('this.a = a + 1;', 'this.a = a + 2;');
    expect(names(h.save(v3))).toEqual(['P.constructor']);
    expect(new (h.exports.make())(1).a).toBe(3);
    expect(codes(planSwap(h.state, v3.replace('this.a = a + 2;', 'return [a];')))).toEqual([Codes.SwapConstructor]);
  });
});

describe('swap: what it refuses, with a code', () => {
  test("a class's fields: a changed initializer, a new field, a removed one, each with its own reason (not EC201's 'ran once'); a method beside them is swapped", () => {
    const v1 = src('const LIMIT = 5;', 'class Bot {', '  extra = 1;', '  static count = 0;', '  get() { return this.extra; }', '}', 'module.exports = () => new Bot().get();');
    const h = load(v1);
    const changed = h.save(v1.replace('extra = 1', 'extra = 2'));
    expect([changed.kind, changed.kind === 'nothing' && changed.notApplied]).toEqual(['nothing', [{ code: Codes.ClassShape, line: 3, message: expect.stringMatching(/^the initializer of field Bot\.extra changed: the running class still gives new instances the old value/) }]]);
    expect(h.exports()).toBe(1); // as said: not applied
    const stat = h.save(v1.replace('count = 0', 'count = 10'));
    expect(stat.kind === 'nothing' && stat.notApplied).toEqual([expect.objectContaining({ code: Codes.TopLevelCode, message: expect.stringMatching(/^the initializer of static field Bot\.count changed: it ran once/) })]);
    const shape = h.save(v1.replace('  extra = 1;\n', '').replace('  static count = 0;', '  static count = 0;\n  more = 3;').replace('return this.extra;', 'return this.extra + 1;'));
    expect(names(shape)).toEqual(['Bot.get']);
    expect(shape.kind === 'swap' && shape.notApplied).toEqual([
      expect.objectContaining({ code: Codes.ClassShape, message: expect.stringMatching(/^new field Bot\.more: the running class makes its instances without it/) }),
      expect.objectContaining({ code: Codes.ClassShape, message: expect.stringMatching(/^field Bot\.extra was removed/) }),
    ]);
    expect(h.exports()).toBe(2);
    const both = h.save(v1.replace('extra = 1', 'extra = 2').replace('LIMIT = 5', 'LIMIT = 6'));
    expect(codes(both)).toEqual([Codes.ClassShape, Codes.TopLevelCode]); // (the order LiveEdit's planner says them in)
  });

  test('a changed top level: EC201 names its lines as the LiveEdit planner does', () => {
    const v1 = src('const LIMIT = 5;', 'let n = 0;', 'function f() {', '  return LIMIT + n;', '}', '// a comment', 'module.exports = f;');
    const v2 = v1.replace('LIMIT = 5', 'LIMIT = 6').replace('n = 0', 'n = 1').replace('a comment', 'another comment').replace('return LIMIT + n;', 'return LIMIT + n + 1;');
    const swap = load(v1).save(v2);
    const liveEdit = planPatch(v1, v2, 'script');
    const ec201 = (reasons: NotApplied[]) => reasons.filter((r) => r.code === Codes.TopLevelCode);
    expect(swap.kind === 'swap' && ec201(swap.notApplied)).toEqual([{ code: Codes.TopLevelCode, line: 1, lines: [1, 2], message: 'top-level code changed (line 1-2): it ran once when the module loaded and is not run again' }]);
    expect(liveEdit.kind === 'patch' && ec201(liveEdit.notApplied)).toEqual(swap.kind === 'swap' && ec201(swap.notApplied));
    expect(names(swap)).toEqual(['f']);
  });

  test("a class's field in tsx's CommonJS wrapper: its own reason, not the wrapper's EC201", () => {
    const text = src('__filename="/t.ts";(()=>{', 'class Bot {', '  extra = 1;', '  get() { return this.extra; }', '}', 'module.exports = () => new Bot().get();', '})()');
    const h = load(text);
    expect(codes(h.save(text.replace('extra = 1', 'extra = 2')))).toEqual([Codes.ClassShape]);
    // a field whose value is an arrow: its body edit is the arrow's, swapped, and no field's change (beside
    // another change of the wrapper's own code, which asks what the fields did)
    const arrow = text.replace('  extra = 1;', '  extra = 1;\n  onTick = () => { return 1; };');
    const h2 = load(arrow);
    const edited = h2.save(arrow.replace('return 1;', 'return 2;').replace('(()=>{\n', '(()=>{\nvoid 0;\n'));
    expect([names(edited), codes(edited)]).toEqual([['Bot.onTick'], [Codes.TopLevelCode]]);
    expect(codes(h.save(text.replace('extra = 1', 'extra = 2').replace('(()=>{\n', '(()=>{\nvoid 0;\n')))).toEqual([Codes.ClassShape, Codes.TopLevelCode]);
  });

  test('a new outer local captured, a changed kind, more parameters, arguments in an arrow', () => {
    const v1 = src(
      'function mk(a, b) { return (x) => x + a; }',
      'function plain(x) { return x; }',
      'class K { constructor() { this.v = 1; } m() { return 1; } }',
      'function two(a) { return a; }',
      'function outer() { return () => 1; }',
      'module.exports = { mk, plain, K, two, outer };',
    );
    const h = load(v1);
    const expectCode = (from: string, to: string, code: string) => {
      const plan = planSwap(h.state, v1.replace(from, to));
      expect(codes(plan)).toContain(code);
      expect(names(plan)).toEqual([]);
    };
    expectCode('(x) => x + a', '(x) => x + a + b', Codes.SwapCapture);
    expectCode('function plain(x) { return x; }', 'async function plain(x) { return x; }', Codes.SwapKind);
    expectCode('function two(a) { return a; }', 'function two(a, b) { return a + b; }', Codes.SwapParameters);
    expectCode('return () => 1;', 'return () => arguments.length;', Codes.SwapUnsupported);
  });

  test("a changed kind is said in the LiveEdit planner's words, with what else tells the kinds apart", () => {
    const v1 = src(
      'function plain(x) { return x; }',
      'class K { static m() { return 1; } label() { return 3; } }',
      'module.exports = { plain, K };',
    );
    const h = load(v1);
    const kindReason = (plan: object) => notAppliedOf(plan).find((n) => n.code === Codes.SwapKind)?.message;
    const reason = (from: string, to: string) => kindReason(planSwap(h.state, v1.replace(from, to)));
    expect(reason('function plain(x) { return x; }', 'async function plain(x) { return x; }')).toBe('plain not patched: it changed from a function to an async function (restart to use it)');
    expect(reason('static m() { return 1; }', 'static async *m() { yield 1; }')).toBe('K.m not patched: it changed from a static method to a static async generator method (restart to use it)');
    // the same words as LiveEdit's planner (skeleton.ts formChange) for a method turned into an arrow field
    const arrow = v1.replace('label() { return 3; }', 'label = () => { return 4; };');
    const liveReason = kindReason(planPatch(v1, arrow, 'script'));
    expect(liveReason).toBe('K.label not patched: it changed from a method to an arrow function (restart to use it)');
    expect(reason('label() { return 3; }', 'label = () => { return 4; };')).toBe(liveReason);
  });

  test('a function whose form changed is said once, by its own reason (no EC201 for its lines), by both planners', () => {
    const v1 = src(
      'class Bot {',
      "  label() { return 'v1'; }",
      '  other() { return 1; }',
      '}',
      'const o = { m() { return 1; }, n: () => 2 };',
      'function a() { return 1; }',
      'module.exports = { Bot, o, a };',
    );
    const cases: [string, string][] = [
      ["  label() { return 'v1'; }", "  label = () => { return 'v2'; };"],
      ['  other() { return 1; }', '  other = function () { return 2; };'],
      ['function a() { return 1; }', 'const a = () => { return 2; };'],
      // an object literal's (LiveEdit said its end could not be matched, and to end it as before)
      ['m() { return 1; }', 'm: () => 2'],
      ['n: () => 2', 'n() { return 3; }'],
    ];
    const reasons = (plan: object) => notAppliedOf(plan).map((n) => `${n.code} ${n.message}`);
    for (const [from, to] of cases) {
      const saved = v1.replace(from, to);
      const live = reasons(planPatch(v1, saved, 'script'));
      const swap = reasons(planSwap(load(v1).state, saved));
      expect({ to, live }).toEqual({ to, live: [expect.stringMatching(/^EC211 \S+ not patched: it changed from /)] });
      expect({ to, swap }).toEqual({ to, swap: live });
    }
    // beside a changed field, each has its own reason, and no EC201 (the field's old line is said by its reason)
    const withField = v1.replace('class Bot {', 'class Bot {\n  extra = 1;');
    const fieldAndForm = withField.replace('extra = 1;', 'extra = 2;').replace("  label() { return 'v1'; }", "  label = () => { return 'v2'; };");
    for (const p of [planPatch(withField, fieldAndForm, 'script'), planSwap(load(withField).state, fieldAndForm)]) {
      expect(notAppliedOf(p).map((n) => n.code).sort()).toEqual([Codes.ClassShape, Codes.SwapKind]);
    }
    // a form change beside another top-level change: that one is still EC201, on its own line
    const both = v1.replace("  label() { return 'v1'; }", "  label = () => { return 'v2'; };").replace('const o = {', 'const o = globalThis.o || {');
    for (const p of [planPatch(v1, both, 'script'), planSwap(load(v1).state, both)]) {
      expect(notAppliedOf(p).map((n) => [n.code, n.line])).toEqual(expect.arrayContaining([[Codes.TopLevelCode, 5], [Codes.SwapKind, 2]]));
    }
  });

  test("import() in swapped-in code goes through the module's own importer; a file that loaded without one, or options passed, is refused", () => {
    const v1 = src('function load(name) { return import(name); }', 'function other(x) { return x; }', 'module.exports = { load, other };');
    const h = load(v1);
    expect(h.state.scope.importer).toBe(true);
    h.save(v1.replace('return import(name);', "return import('./lib/' + name);"));
    // the module's importer, taken over: the swapped-in call reaches it with the specifier
    const scope = vm.runInContext(`globalThis[${JSON.stringify(`__ec$${h.state.module}$v`)}]`, h.ctx);
    const seen: string[] = [];
    scope.__ec$import = (s: string) => { seen.push(s); return 'module ' + s; };
    expect(h.exports.load('x.mjs')).toBe('module ./lib/x.mjs');
    expect(seen).toEqual(['./lib/x.mjs']);
    // options (import attributes) cannot be passed on
    const withOptions = planSwap(h.state, v1.replace('return import(name);', "return import(name, { with: { type: 'json' } });"));
    expect(codes(withOptions)).toEqual([Codes.SwapUnsupported]);
    expect(withOptions.kind === 'nothing' && withOptions.notApplied[0].message).toMatch(/load not patched: its import\(…\) passes options/);
    // a file with no import() as it loaded has no importer: a save that starts using one is refused
    const v2 = src('function load(name) { return name; }', 'module.exports = { load };');
    const h2 = load(v2);
    expect(h2.state.scope.importer).toBe(false);
    const refused = planSwap(h2.state, v2.replace('return name;', 'return import(name);'));
    expect(refused.kind === 'nothing' && refused.notApplied[0]).toMatchObject({ code: Codes.SwapUnsupported, message: expect.stringMatching(/load not patched: it uses import\(\), which this file did not when it loaded/) });
  });

  test('top-level changes are reported as with LiveEdit, and the function changes beside them still swap', () => {
    const v1 = src('const a = 1;', 'function f() { return a; }', 'module.exports = f;');
    const h = load(v1);
    const plan = h.save(v1.replace('const a = 1;', 'const a = 1;\nconst b = 2;').replace('return a;', 'return a + 1;'));
    expect(codes(plan)).toEqual([Codes.NewDeclaration]);
    expect(names(plan)).toEqual(['f']);
    expect(h.exports()).toBe(2);
    const uses = planSwap(h.state, v1.replace('const a = 1;', 'const a = 1;\nconst b = 2;').replace('return a;', 'return b;'));
    expect(codes(uses)).toContain(Codes.UsesNewDeclaration);
  });

  test('a changed method that calls a member its class gains in the same save is refused (EC204), not swapped to fail at the call', () => {
    const v1 = src('class World {', '  step() { return 1; }', '  #tick() { return 1; }', '  run() { return this.step() + this.#tick(); }', '}', 'module.exports = () => new World().run();');
    const h = load(v1);
    const saved = v1.replace('  run() {', '  extra() { return 10; }\n  #more() { return 5; }\n  run() {').replace('this.step() + this.#tick()', 'this.step() + this.extra() + this?.#more()');
    const plan = h.save(saved);
    expect(codes(plan)).toEqual(expect.arrayContaining([Codes.ClassShape, Codes.UsesNewDeclaration]));
    const refused = plan.kind === 'swap' || plan.kind === 'nothing' ? plan.notApplied.find((n) => n.code === Codes.UsesNewDeclaration) : undefined;
    expect(refused?.message).toMatch(/^World\.run not patched: it uses World\.extra, World\.#more, which are new/);
    expect(names(plan)).toEqual([]);
    expect(h.exports()).toBe(2); // the running run(), which works
    // a member of the same name on something else (a string's .length) is no use of a gained member
    const h2 = load(src('class A {', '  f(s) { return s.size; }', '}', 'module.exports = (s) => new A().f(s);'));
    const plan2 = h2.save(src('class A {', '  get count() { return 1; }', '  f(s) { return s.size + 1; }', '  #hidden() { return 0; }', '}', 'module.exports = (s) => new A().f(s);'));
    expect(codes(plan2)).toEqual([Codes.ClassShape]); // (#hidden: a private member is never added, so neither is count)
    expect(names(plan2)).toEqual(['A.f']);
  });

  test('a swapped generator, or async function that awaits in a loop, carries a note (EC215): a call under way keeps its code', () => {
    const v1 = src(
      'function* gen() { yield 1; }',
      'async function* agen() { yield 1; }',
      'async function loop(q) { for (;;) { await q(); } }',
      'async function forAwait(s) { for await (const x of s) {} }',
      'async function handler(q) { await q(); return 1; }',
      'async function spawnsLoop(q) { const run = async () => { while (true) await q(); }; return run; }',
      'module.exports = { gen, agen, loop, forAwait, handler, spawnsLoop };',
    );
    const h = load(v1);
    const plan = h.save(v1.replace(/yield 1/g, 'yield 2').replace('await q(); } }', 'await q(); q(); } }').replace('{} }', '{ x; } }').replace('return 1;', 'return 2;').replace('return run;', 'return run /* x */;'));
    expect(plan.kind === 'swap' ? plan.notApplied : plan).toEqual([]);
    expect(names(plan)).toEqual(['gen', 'agen', 'loop', 'forAwait', 'handler', 'spawnsLoop']);
    const notes = plan.kind === 'swap' ? plan.warnings.filter((w) => w.code === Codes.SwapRunningCall) : [];
    expect(notes.map((w) => w.message.split(':')[0])).toEqual(['gen is a generator', 'agen is an async generator', 'loop is an async function that awaits in a loop', 'forAwait is an async function that awaits in a loop']);
  });

  test('a text loaded without the indirection is not readable as a swap text', () => {
    expect(readLoaded(addBoundaries('function f() { return 1; }\n', 'script'), 'script')).toBeNull();
  });

  test('an unchanged save and a comment-only top-level change that moves no function are unchanged (one that moves them places them again)', () => {
    const v1 = src('function f() { return 1; }');
    const h = load(v1);
    expect(planSwap(h.state, v1).kind).toBe('unchanged');
    expect(planSwap(h.state, v1 + '// a comment\n').kind).toBe('unchanged');
    const moved = planSwap(h.state, '// a comment\n' + v1);
    expect(moved.kind === 'swap' && [moved.changed, moved.units.map((u) => [u.record.name, u.moved])]).toEqual([[], [['f', true]]]);
  });
});

describe("swap: the module's scope keeps what the file's functions use, no more (docs/swap.md)", () => {
  const prologueOf = (t: string) => /\/\*ec\{\*\/typeof __ec\$s[^\n]*?\/\*\}ec\*\//.exec(t)?.[0] ?? '';

  test('kept: names a function uses, functions, classes, imports and required modules; not a value only the top level used', () => {
    const cjs = src(
      "const fs = require('node:fs');",
      "const { join } = require('node:path');",
      "const util = __toESM(require('node:util'));",
      'const rows = JSON.parse("[1,2,3]");',
      'let total = rows.length;',
      'var cache = new Map();',
      'if (total) { var fromBlock = 1; }',
      'function helper() { return 1; }',
      'class Shape {}',
      'function get(k) { return cache.get(k) ?? total; }',
      'module.exports = { get };',
    );
    const kept = keptNamesOf(prologueOf(addBoundaries(cjs, 'script', { swap: { module: 'm1' } })));
    // (node's wrapper's names when the file names them: not __dirname, __filename, exports here)
    expect(kept).toEqual(['Shape', 'cache', 'fs', 'get', 'helper', 'join', 'module', 'require', 'total', 'util']);
    const esm = src("import { basename } from 'node:path';", 'import * as os from "node:os";', 'const big = [1, 2];', 'let n = big.length;', 'export function f() { return n; }');
    expect(keptNamesOf(prologueOf(addBoundaries(esm, 'module', { swap: { module: 'm2' } })))).toEqual(['basename', 'f', 'n', 'os']);
    // a direct eval of the program's own, or a class eval of ours, keeps every one anyway: all are kept
    expect(keptNamesOf(prologueOf(addBoundaries(esm + 'export const run = (c) => eval(c);\n', 'module', { swap: { module: 'm3' } })))).toContain('big');
    // a class with #private names needs no eval either (its names are reached through accessors), nor
    // one that names an enclosing class's (it reaches that class's)
    expect(keptNamesOf(prologueOf(addBoundaries(esm + 'export class K { #p = 1; m() { return this.#p; } }\n', 'module', { swap: { module: 'm4' } })))).not.toContain('big');
    expect(keptNamesOf(prologueOf(addBoundaries(esm + 'export class K { #p = 1; m(o) { return class { n() { return o.#p; } }; } }\n', 'module', { swap: { module: 'm5' } })))).not.toContain('big');
    // a class that extends another needs no eval (its swapped methods read the parent from the class)
    expect(keptNamesOf(prologueOf(addBoundaries(esm + 'export class K extends Object { m() { return 1; } }\n', 'module', { swap: { module: 'm6' } })))).not.toContain('big');
    // a name a function declares for itself is not the top level's
    expect(keptNamesOf(prologueOf(addBoundaries(src('const x = [];', 'function f() { const x = 1; return x; }'), 'script', { swap: { module: 'm5' } })))).not.toContain('x');
  });

  test('a swapped body reads and writes kept names, calls a kept function with the this it had, and a freed name is refused (EC216)', () => {
    const v1 = src(
      'const rows = [1, 2, 3];',
      'let count = rows.length;',
      'function who() { return this === undefined ? "undefined" : this === globalThis ? "global" : "other"; }',
      'function bump() { count += 1; return count; }',
      'function ask() { return who(); }',
      'module.exports = { bump, ask, read: () => count };',
    );
    const h = load(v1);
    expect(h.exports.ask()).toBe('global'); // sloppy: a plain call's this is the global object
    const p = h.save(v1.replace('count += 1;', 'count += 10;').replace('return who();', 'return who() + "/" + typeof count;'));
    expect(names(p)).toEqual(['bump', 'ask']);
    expect(h.exports.bump()).toBe(13);
    expect(h.exports.read()).toBe(13); // the same variable the rest of the program reads
    expect(h.exports.ask()).toBe('global/number'); // not the scope object as its this
    const v2 = v1.replace('count += 1;', 'count += 10;').replace('return who();', 'return who() + "/" + typeof count;');
    const freed = planSwap(h.state, v2.replace('count += 10;', 'count += rows.length;'));
    expect([names(freed), codes(freed)]).toEqual([[], [Codes.SwapFreed]]);
    expect(freed.kind === 'nothing' ? freed.notApplied[0].message : '').toMatch(/uses rows, a top-level variable no function used when the file loaded/);
  });

  test('strictness: a sloppy file\'s function stays sloppy, a "use strict" file\'s and a class\'s methods stay strict', () => {
    const body = (extra: string) => src(extra, 'function t() { return this === undefined; }', 'class C { m() { return (function () { return this === undefined; })(); } }', 'const c = new C();', 'module.exports = { t, m: () => c.m() };');
    for (const [head, strict] of [['', false], ['"use strict";', true]] as const) {
      const h = load(body(head));
      h.save(body(head).replace('return this === undefined; }', 'return this === undefined || false; }').replace('})(); }', '})() || false; }'));
      const t = h.exports.t;
      expect([t(), h.exports.m()]).toEqual([strict, true]);
    }
  });

  test("a sloppy file's names that strict code cannot name (`var package`, `var yield`) load, and are not kept", () => {
    const v1 = src('var package = 1, yield = 2, interface = 3;', 'function f() { return package + yield + interface; }', 'module.exports = { f };');
    const h = load(v1);
    expect(h.exports.f()).toBe(6);
    expect([...h.state.scope.kept].filter((n) => /^(package|yield|interface|f)$/.test(n))).toEqual(['f']);
    const p = planSwap(h.state, v1.replace('package + yield + interface', 'package * 10'));
    expect(codes(p)).toEqual([Codes.SwapFreed]);
    // (f used it when the file loaded: the reason is the name, not a value freed)
    expect(p.kind === 'nothing' && p.notApplied[0].message).toMatch(/^f not patched: it uses package, a top-level variable whose name strict code cannot write/);
  });

  test("a function in a block of the top level reads and writes the block's names through its environment; a new use of one is refused", () => {
    // (the block's names are in no function's scope and not the module's: swapped-in code once threw
    // ReferenceError there after a save reported as patched)
    const v1 = src(
      '{ const cache = new Map([[1, 2]]); let hits = 0; module.exports.get = (k) => cache.get(k); module.exports.hit = () => hits; }',
      'for (let i = 0; i < 2; i++) { (module.exports.at ??= []).push(() => i); }',
      'if (true) { const a = 1, b = 2; module.exports.sum = () => a; }',
    );
    const h = load(v1);
    const v2 = v1.replace('cache.get(k)', 'cache.get(k) + 10').replace('() => hits;', '() => (hits += 1);').replace('() => i)', '() => i * 100)');
    const p = h.save(v2);
    expect(codes(p)).toEqual([]);
    expect(h.exports.get(1)).toBe(12);
    expect([h.exports.hit(), h.exports.hit()]).toEqual([1, 2]); // written through the environment: the block's own `hits`
    expect(h.exports.at.map((f: () => number) => f())).toEqual([0, 100]); // each iteration's own i
    const fresh = planSwap(h.state, v2.replace('=> a;', '=> a + b;'));
    expect([names(fresh), codes(fresh)]).toEqual([[], [Codes.SwapCapture]]);
  });

  test('a class that extends another: a swapped method reaches super through the class, and the module through its scope object', () => {
    const v1 = src(
      'const big = [1, 2, 3];',
      'let calls = 0;',
      'class Base { greet() { return "base"; } static kind() { return "B"; } }',
      'class Kid extends Base { greet() { calls++; return super.greet() + "/kid"; } static kind() { return super.kind() + "k"; } }',
      'const kid = new Kid();',
      'module.exports = { greet: () => kid.greet(), kind: () => Kid.kind(), calls: () => calls };',
    );
    const h = load(v1);
    expect(h.transformed).not.toMatch(/\(c\)=>eval\(c\)/);
    expect(h.state.scope.kept.has('big')).toBe(false);
    const v2 = v1.replace('return super.greet() + "/kid";', 'return super.greet() + "/KID" + calls;').replace('return super.kind() + "k";', 'return super.kind() + "K";');
    const p = h.save(v2);
    expect([names(p), codes(p)]).toEqual([['Kid.greet', 'Kid.kind'], []]);
    expect([h.exports.greet(), h.exports.kind(), h.exports.calls()]).toEqual(['base/KID1', 'BK', 1]);
    const freed = planSwap(h.state, v2.replace('"/KID" + calls', '"/KID" + big.length'));
    expect(codes(freed)).toEqual([Codes.SwapFreed]);
  });

  test('a direct eval in a new body is refused (EC214): it would not see the module from code compiled apart', () => {
    const v1 = src('const base = 1;', 'function f() { return base; }', 'module.exports = { f };');
    const h = load(v1);
    const p = planSwap(h.state, v1.replace('return base;', "return eval('base');"));
    expect([names(p), codes(p)]).toEqual([[], [Codes.SwapUnsupported]]);
  });

  test('a const written by a swapped body throws as its own assignment would', () => {
    const v1 = src('const limit = 3;', 'function f() { return limit; }', 'module.exports = { f };');
    const h = load(v1);
    h.save(v1.replace('return limit;', 'limit = 4; return limit;'));
    expect(() => h.exports.f()).toThrow(/Assignment to constant variable/);
  });
});

describe('swap: the compiled code keeps the file\'s lines', () => {
  test.each([
    ['(a) => a.b.c + 1', 'a.b.c'],
    ['async x => x.b.c + 1', 'x.b.c'],
    ['(a, { k } = {}) => a.b.c + k', 'a.b.c'],
  ])('a one-line concise arrow %s: its body reads back at the column written', (arrow, marker) => {
    const v1 = src('let base = 0;', `const f = ${arrow};`, 'module.exports = f;');
    const h = load(v1);
    const saved = v1.replace('.c +', '.c * 2 +');
    const unit = firstUnit(h.state, saved);
    const running = unit.code + SWAP_MARK;
    const map = new BoundaryMap(running, 'script');
    const pos = map.lines.position(running.indexOf(marker));
    const line = saved.split('\n')[pos.line];
    expect(map.original(pos.line, pos.column)).toEqual({ line: 1, column: line.indexOf(marker) });
    h.save(saved);
  });

  test("node's marker for a line it must not quote under an uncaught error: on each line that has a cut of ours and code, inside a cut of its own", () => {
    const v1 = src(
      'const k = 2;',
      'function one(o) { return o.a.b * k; }',
      'function many(n) {',
      '  const list = [n];',
      '  return list.map((x) => x * k);',
      '}',
      'module.exports = { one, many };',
    );
    const out = addBoundaries(v1, 'script', { swap: { module: 'mabc' } });
    const lines = out.split('\n');
    // the prologue's line, the one-line function's and the arrow's; not a function's head alone (nothing
    // there can throw), a `}` or a line we left alone
    expect(lines.map((l) => l.includes(QUIET_LINE))).toEqual([true, true, false, false, true, false, false, false, false]);
    for (const l of lines) expect(l.split(QUIET_LINE).length).toBeLessThanOrEqual(2);
    // none in a loader's output with its map: node quotes the line as written through it (tsx turns that on)
    expect(addBoundaries(v1 + '//# sourceMappingURL=data:application/json;base64,e30=\n', 'script', { swap: { module: 'mabc' } })).not.toContain(QUIET_LINE);
    expect(uncut(out.slice(0, -SWAP_MARK.length), swapCuts(out)).text).toBe(v1);
    const h = load(v1);
    const saved = v1.replace('x * k', 'x * k + 1');
    h.save(saved);
    expect(h.exports.many(3)).toEqual([7]);
    // swapped-in code: its line, where the module's `k` is read through ours
    const unit = firstUnit(load(v1).state, saved);
    const arrowLine = unit.code.split('\n').find((l) => l.includes('x * '))!;
    expect(arrowLine).toContain(QUIET_LINE);
    expect(arrowLine.indexOf(QUIET_LINE)).toBeLessThan(arrowLine.indexOf('/*ec{*/'));
  });

  test('a swapped function reports its file and line in stack traces', () => {
    const v1 = src('function a() {', '  return 1;', '}', '', 'function b() {', '  return new Error("x").stack;', '}', 'module.exports = b;');
    const h = load(v1);
    h.save(v1.replace('return new Error("x").stack;', 'const s = new Error("y").stack; return s;'));
    const stack: string = h.exports();
    // the line and column of the saved file (jest shortens file:/// to file:/)
    expect(stack).toMatch(/Error: y\n\s+at (Object\.)?b( \[as exports\])? \(file:\/+t\.js:6:13\)/); // (called as m.exports(): named so, as plain code would be)
  });
});

// ---------------------------------------------------------------------------------------------------
// ES modules and TypeScript run in a child node: the program, then the saves as the engine makes them.

/** src/inject/swap-runtime.ts's helper, as this build compiled it, for a child node: (globalThis, name) => void. */
const defineSwapHelperSource = defineSwapHelper.toString();

const NODE22 = path.join(ROOT_DIR, 'nodes', 'node_modules', 'node22', 'bin', 'node');

/** Run `program` (already transformed) as an ES module in node, apply each install expression, print what `probe` returns after each. */
function runModule(node: string, transformed: string, installs: string[], probe: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-swap-unit-'));
  try {
    fs.writeFileSync(path.join(dir, 'mod.mjs'), transformed);
    fs.writeFileSync(path.join(dir, 'installs.json'), JSON.stringify(installs));
    // the helper the load hooks define in every thread (src/inject/swap-runtime.ts), before the module
    fs.writeFileSync(path.join(dir, 'helper.mjs'), `(${defineSwapHelperSource})(globalThis, ${JSON.stringify(SWAP_PROLOGUE_HELPER)});\n`);
    fs.writeFileSync(path.join(dir, 'main.mjs'), `import './helper.mjs';
import * as m from './mod.mjs';
import { readFileSync } from 'node:fs';
const probe = ${probe};
const out = [await probe(m)];
for (const ex of JSON.parse(readFileSync(new URL('./installs.json', import.meta.url), 'utf8'))) {
  const failure = (0, eval)(ex);
  if (failure) { out.push('FAILED ' + failure); break; }
  out.push(await probe(m));
}
console.log(JSON.stringify(out));
`);
    return JSON.parse(execFileSync(node, [path.join(dir, 'main.mjs')], { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('swap in an ES module and in TypeScript (child node)', () => {
  test('ES module: imports, module state, class with super and #private, swapped twice', () => {
    const v1 = src(
      "import { basename } from 'node:path';",
      'let seen = 0;',
      'class Base { greet() { return "base"; } }',
      'export class G extends Base { #t = 0; greet() { this.#t += 1; return super.greet() + this.#t; } }',
      'const g = new G();',
      'export function hello(p) { seen += 1; return `${g.greet()} ${basename(p)} ${seen}`; }',
    );
    const transformed = addBoundaries(v1, 'module', { swap: { module: swapModuleId('/esm.mjs') } });
    const state = readLoaded(transformed, 'module')!;
    const v2 = v1.replace('return super.greet() + this.#t;', 'return super.greet() + "!" + this.#t * 10;');
    const p2 = prepare(state, v2); p2.commit();
    const v3 = v2.replace('${basename(p)} ${seen}', '${basename(p).toUpperCase()} ${seen}');
    const p3 = prepare(state, v3); p3.commit();
    expect(names(p2.plan)).toEqual(['G.greet']);
    expect(names(p3.plan)).toEqual(['hello']);
    const out = runModule(process.execPath, transformed, [p2.expression!, p3.expression!], '(m) => m.hello("/x/y.js")');
    expect(out).toEqual(['base1 y.js 1', 'base!20 y.js 2', 'base!30 Y.JS 3']);
  });

  test('TypeScript: the type-stripped text (same positions) swaps like JavaScript', () => {
    const strip = (t: string) => execFileSync(NODE22, ['--no-warnings', '-e', `process.stdout.write(require('node:module').stripTypeScriptTypes(require('node:fs').readFileSync(0, 'utf8'), { mode: 'strip' }))`], { input: t, encoding: 'utf8' });
    const v1 = src('interface Item { qty: number }', 'export function price(item: Item): number {', '  return item.qty * 10;', '}');
    const js1 = strip(v1);
    expect(js1.split('\n').length).toBe(v1.split('\n').length);
    const transformed = addBoundaries(js1, 'module', { swap: { module: swapModuleId('/t.mts') } });
    const state = readLoaded(transformed, 'module')!;
    const p = prepare(state, strip(v1.replace('item.qty * 10', 'item.qty * 7 as number')));
    expect(names(p.plan)).toEqual(['price']);
    expect(runModule(NODE22, transformed, [p.expression!], '(m) => m.price({ qty: 2 })')).toEqual([20, 14]);
  });
});

describe('swap: a save inside one function is planned from that function alone', () => {
  const v1 = src(
    "'use strict';",
    'let hits = 0;',
    'class Shop {',
    '  #stock = 3;',
    '  take() { this.#stock -= 1; return this.#stock; }',
    '  static make() { return new Shop(); }',
    '}',
    'const api = { price(q) { return q * 2; } };',
    'function f() { return 1; }',
    'function g() { return 1; }',
    'const arrow = () => { hits += 1; return hits; };',
    'module.exports = { Shop, api, f, g, arrow };',
  );
  const edits: [string, string][] = [
    ['this.#stock -= 1;', 'this.#stock -= 2;'], // a method: its class is parsed
    ['return q * 2;', 'return q * 3;'], // an object literal's method: the whole text
    ['hits += 1;', 'hits += 10;'], // an arrow in a const
    ['function f() { return 1; }', 'function f() { return 2; }'],
  ];

  test.each(edits)('%s → %s: the same plan as from the whole text', (from, to) => {
    const a = load(v1);
    const b = load(v1);
    const saved = v1.replace(from, to);
    const fast = planSwap(a.state, saved);
    const whole = planWhole(b.state, saved);
    expect(names(fast)).toEqual(names(whole));
    expect(codes(fast)).toEqual(codes(whole));
    expect(fast.kind === 'swap' && fast.units.map((u) => [u.record.key, u.record.name, u.record.line])).toEqual(whole.kind === 'swap' && whole.units.map((u) => [u.record.key, u.record.name, u.record.line]));
  });

  test('saves in a row: each from the last; the program follows', () => {
    const h = load(v1);
    const shop = new h.exports.Shop();
    let text = v1.replace('this.#stock -= 1;', 'this.#stock -= 2;');
    h.save(text);
    expect(shop.take()).toBe(1);
    text = text.replace('hits += 1;', 'hits += 10;');
    h.save(text);
    expect(h.exports.arrow()).toBe(10);
    text = text.replace('hits += 10;', 'hits += 100; /* more */');
    h.save(text);
    expect(h.exports.arrow()).toBe(110);
    expect(h.state.last?.text).toBe(text);
  });

  test('after a save applied in part, the next one is planned from the whole text (nothing is left behind)', () => {
    const h = load(v1);
    // f and g change, and a new top-level declaration is refused: f and g run the new code
    const t1 = v1.replace('function f() { return 1; }', 'function f() { return 2; }').replace('function g() { return 1; }', 'function g() { return 2; }').replace('let hits = 0;', 'let hits = 0;\nconst extra = 1;');
    const p1 = h.save(t1);
    expect(codes(p1)).toEqual([Codes.NewDeclaration]);
    expect([h.exports.f(), h.exports.g()]).toEqual([2, 2]);
    expect(h.state.last).toBeNull();
    // back to the loaded text except f: g must be swapped back too
    const t2 = v1.replace('function f() { return 1; }', 'function f() { return 3; }');
    const p2 = h.save(t2);
    expect(names(p2).sort()).toEqual(['f', 'g']);
    expect([h.exports.f(), h.exports.g()]).toEqual([3, 1]);
  });
});

describe('swap: functions that moved without changing', () => {
  /** The line of the first frame of `stack` in the module (load and prepare name it file:///t.js), 0 when none. */
  const lineIn = (stack: string) => Number(/file:\/\/\/t\.js:(\d+):/.exec(stack)?.[1] ?? 0);

  test("the program's own trace through functions that moved reads as plain code's: the columns written, callers named as the program called them, no dispatch frame", () => {
    const v1 = src(
      'const scale = 2;',
      'function inner(n) {',
      '  return check(n) * scale;',
      '}',
      'function check(n) {',
      '  if (n > 1) throw new Error("big");',
      '  return n;',
      '}',
      'const box = {',
      '  run(n) {',
      '    return [n].map((x) => inner(x))[0];',
      '  },',
      '};',
      'module.exports = { box };',
    );
    const format = "Error.prepareStackTrace = (e, sites) => sites.filter((s) => (s.getFileName() ?? s.getScriptNameOrSourceURL()) === 'file:///t.js').map(String).join('\\n')";
    const h = load(v1, {}, format);
    const trace = (exports: any) => { try { exports.box.run(2); return 'no error'; } catch (err) { return (err as Error).stack; } };
    const saved = v1.replace('function inner(n) {', '// a line above: inner, check and box.run move\nfunction inner(n) {').replace('if (n > 1)', 'if (n > 0)');
    h.save(saved);
    // plain code of the saved text, in a context of its own
    const plainCtx = vm.createContext({});
    vm.runInContext(format, plainCtx);
    const m = { exports: {} as any };
    vm.runInContext(`(function (module, exports) {${saved}\n})`, plainCtx, { filename: 'file:///t.js' })(m, m.exports);
    const expected = trace(m.exports);
    expect(expected).toMatch(/^at check \(file:\/\/\/t\.js:7:\d+\)\nat inner \(file:\/\/\/t\.js:4:10\)\nat file:\/\/\/t\.js:10:\d+\nat Array\.map|^check \(/);
    expect(trace(h.exports)).toBe(expected);
  });

  test('lines added above unchanged functions: they are placed again at their lines (stack traces right, not reported as patched)', () => {
    const v1 = src('function f() {', '  return 1;', '}', 'function g() {', '  return new Error("g").stack;', '}', 'const h = () => new Error("h").stack;', 'module.exports = { f, g, h };');
    const h = load(v1);
    expect([lineIn(h.exports.g()), lineIn(h.exports.h())]).toEqual([5, 7]);
    const t1 = v1.replace('  return 1;', '  const x = 1;\n  return x;');
    const p1 = h.save(t1);
    expect(names(p1)).toEqual(['f']);
    expect(p1.kind === 'swap' && p1.units.filter((u) => u.moved).map((u) => u.record.name).sort()).toEqual(['g', 'h']);
    expect(p1.kind === 'swap' && p1.warnings).toEqual([]);
    expect([h.exports.f(), lineIn(h.exports.g()), lineIn(h.exports.h())]).toEqual([1, 6, 8]);
    // a comment line above everything: every function moved, none changed ("comments or layout")
    const p2 = h.save('// a note\n' + t1);
    expect(p2.kind).toBe('swap');
    expect(names(p2)).toEqual([]);
    expect(p2.kind === 'swap' && p2.units.map((u) => u.record.name).sort()).toEqual(['f', 'g', 'h']);
    expect([h.exports.f(), lineIn(h.exports.g()), lineIn(h.exports.h())]).toEqual([1, 7, 9]);
    // nothing moved since: nothing to do
    expect(h.save('// a note\n' + t1).kind).toBe('unchanged');
    // back to the loaded text: placed back where they were
    const p3 = h.save(v1.replace('return 1;', 'return 100;'));
    expect(names(p3)).toEqual(['f']);
    expect([h.exports.f(), lineIn(h.exports.g()), lineIn(h.exports.h())]).toEqual([100, 5, 7]);
  });

  test('a closure made before the save, inside a function that moved, is placed again too (its line, its captured variable)', () => {
    const v1 = src('let n = 0;', 'function make(k) {', '  return function inner() { n += k; return [n, new Error("i").stack]; };', '}', 'module.exports = { make };');
    const h = load(v1);
    const inner = h.exports.make(2);
    expect(inner()[0]).toBe(2);
    h.save('\n\n' + v1);
    const [n, stack] = inner();
    expect([n, lineIn(stack)]).toEqual([4, 5]);
    expect(h.exports.make(1)()[0]).toBe(5);
  });

  test('a function that cannot be swapped (an arrow that only makes one) drifts, and the save says so once; more moved functions than the budget drift too', () => {
    const v1 = src('function f() { return 1; }', 'class A {', '  get() { return new Error("m").stack; }', '}', 'const mk = (k) => (x) => x + k;', 'module.exports = { f, A, mk };');
    const h = load(v1);
    const warningsOf = (p: SwapPlan) => (p.kind === 'swap' ? p.warnings : []);
    const p1 = h.save(v1.replace('function f() { return 1; }', 'function f() {\n  return 2;\n}'));
    expect(names(p1)).toEqual(['f']);
    expect(warningsOf(p1).map((w) => [w.code, w.message.replace(/:.*/s, '')])).toEqual([[Codes.TopLevelCode, 'mk did not change but moved 2 lines down']]);
    // the method was placed again, the arrow its maker returns too
    expect(lineIn(new h.exports.A().get())).toBe(5);
    expect(h.exports.mk(1)(2)).toBe(3);
    expect(warningsOf(h.save(v1.replace('function f() { return 1; }', 'function f() {\n  return 3;\n}')))).toEqual([]); // said once
    // many functions, a line added above them all: over the budget, they stay where they run, and the save says so
    const many = Array.from({ length: 500 }, (_, i) => `function f${i}() { return ${i}; }`).join('\n');
    const m = load(`${many}\nmodule.exports = { f499 };\n`);
    const p2 = m.save(`// a note\n${many}\nmodule.exports = { f499 };\n`);
    expect(p2.kind).toBe('swap');
    expect(p2.kind === 'swap' && p2.units).toEqual([]);
    expect(warningsOf(p2).map((w) => w.message)).toEqual([expect.stringMatching(/^f0, f1, f2 and 497 more did not change but moved 1 line down/)]);
    expect(m.exports.f499()).toBe(499);
  });
});

describe('swap: top-level functions a save adds, in the shapes tsx writes', () => {
  // esbuild keeps names: each function declaration is followed by `__name(f,"f");`
  const head = 'var __defProp=Object.defineProperty;var __name=(target,value)=>__defProp(target,"name",{value,configurable:true});';
  test("in tsx's CommonJS wrapper: a helper and its __name call are added, its caller calls it, later saves change both", () => {
    const body = 'let done=0;function work(n){return n*2}__name(work,"work");module.exports={work,done:()=>done};';
    const text = src('__filename="/t.ts";(()=>{', head + body, '})()');
    const h = load(text);
    const before = h.exports.work;
    const v2 = text.replace('function work(n){return n*2}', 'function fmt(n){return`<${n}>`}__name(fmt,"fmt");function work(n){done++;return fmt(n*2)}');
    const p2 = h.save(v2);
    expect([names(p2), codes(p2)]).toEqual([['work', 'fmt (new)'], []]);
    expect([before(3), h.exports.done()]).toEqual(['<6>', 1]);
    const p3 = h.save(v2.replace('`<${n}>`', '`[${n}]`'));
    expect([names(p3), codes(p3)]).toEqual([['fmt'], []]);
    expect(before(3)).toBe('[6]');
    // the wrapper's own code changing beside it is still the top level's
    const p4 = h.save(v2.replace('`<${n}>`', '`[${n}]`').replace('let done=0;', 'let done=1;'));
    expect(codes(p4)).toEqual(['EC201']);
  });
  test("in tsx's CommonJS wrapper: a method added to a class and the method calling it are patched, and the new method changed later", () => {
    const body = 'class Counter{n=0;static{__name(this,"Counter")}bump(){this.n+=1;return this.n}}const c=new Counter();module.exports={bump:()=>c.bump()};';
    const text = src('__filename="/t.ts";(()=>{', head + body, '})()');
    const h = load(text);
    const v2 = text.replace('bump(){this.n+=1;return this.n}', 'bump(){this.n+=this.step();return this.n}step(){return 10}');
    const p2 = h.save(v2);
    expect([names(p2).sort(), codes(p2)]).toEqual([['Counter.bump', 'Counter.step (new)'], []]);
    expect(h.exports.bump()).toBe(10);
    // a later change of the added method goes to its slot
    const p3 = h.save(v2.replace('step(){return 10}', 'step(){return 100}'));
    expect([names(p3), codes(p3)]).toEqual([['Counter.step'], []]);
    expect(h.exports.bump()).toBe(110);
  });
  test("in tsx's CommonJS wrapper: a `const` holding an arrow, written `const f=__name(…)`, is added, and changed later", () => {
    const body = 'let done=0;function work(n){return n*2}__name(work,"work");module.exports={work};';
    const text = src('__filename="/t.ts";(()=>{', head + body, '})()');
    const h = load(text);
    const v2 = text.replace('function work(n){return n*2}', 'const fmt=__name(n=>`<${n}>`,"fmt");function work(n){return fmt(n*2)}');
    const p2 = h.save(v2);
    expect([names(p2), codes(p2)]).toEqual([['work', 'fmt (new)'], []]);
    expect(h.exports.work(3)).toBe('<6>');
    const p3 = h.save(v2.replace('`<${n}>`', '`[${n}]`'));
    expect([names(p3), codes(p3)]).toEqual([['fmt'], []]);
    expect(h.exports.work(3)).toBe('[6]');
  });
  test('in an ES module: the __name call after a new declaration is part of it', () => {
    const body = 'let done=0;function work(n){return n*2}__name(work,"work");export function run(n){return work(n)}';
    const text = head + body + '\n';
    const v2 = text.replace('function work(n){return n*2}', 'function fmt(n){return`<${n}>`}__name(fmt,"fmt");function work(n){return fmt(n*2)}');
    const loaded = readLoaded(addBoundaries(text, 'module', { swap: { module: 'm1' } }), 'module')!;
    const plan = planSwap(loaded, v2);
    expect([names(plan), codes(plan)]).toEqual([['work', 'fmt (new)'], []]);
  });
});

describe('swap: top-level functions a save adds', () => {
  test('a new helper, called by a changed function, is added; later saves change it, move it, and add one that calls it', () => {
    const v1 = src('let hits = 0;', 'function total(xs) {', '  hits++;', '  let s = 0;', '  for (const x of xs) s += x;', '  return s;', '}', 'module.exports = { total, count: () => hits };');
    const h = load(v1);
    const before = h.exports.total;
    const v2 = v1.replace('s += x;', 's += scale(x);') + 'function scale(x) {\n  return x * 10;\n}\n';
    const p2 = h.save(v2);
    expect([names(p2), codes(p2)]).toEqual([['total', 'scale (new)'], []]);
    // a reference taken before the save runs the new code, which calls the new function; the state is the same
    expect([before([1, 2]), h.exports.count()]).toEqual([30, 1]);
    // a change of the added function is swapped into its slot
    const v3 = v2.replace('return x * 10;', 'return x * 100;');
    const p3 = h.save(v3);
    expect([names(p3), codes(p3)]).toEqual([['scale'], []]);
    expect(before([1, 2])).toBe(300);
    // a second one that calls the first, recursively too, and reads a kept top-level name
    const v4 = v3.replace('s += scale(x);', 's += twice(x);') + 'function twice(x, n = 2) {\n  return n === 0 ? x + hits * 0 : twice(scale(x), n - 1) / 100;\n}\n';
    const p4 = h.save(v4);
    expect([names(p4), codes(p4)]).toEqual([['total', 'twice (new)'], []]);
    expect(before([1, 2])).toBe(3);
    // lines added above them: placed again (nothing reported as changed)
    const p5 = h.save('// a note\n' + v4);
    expect(p5.kind === 'swap' && [p5.changed, p5.units.filter((u) => u.added).map((u) => [u.record.name, u.moved])]).toEqual([[], [['scale', true], ['twice', true]]]);
    expect(before([1, 2])).toBe(3);
    // an edit inside the added function alone (planned from that function)
    const p6 = h.save('// a note\n' + v4.replace('return x * 100;', 'return x * 1000;'));
    expect([names(p6), codes(p6)]).toEqual([['scale'], []]);
    expect(before([1, 2])).toBe(300); // (1 + 2) · 1000² / 100²
  });

  test('a `const` that holds an arrow or a function expression is added as a declaration is; a `let` one is not', () => {
    const v1 = src('const RATE = 3;', 'function f(x) {', '  return x * RATE;', '}', 'module.exports = { f };');
    const h = load(v1);
    const v2 = v1.replace('return x * RATE;', 'return twice(x) * RATE + one();') + 'const twice = (n) => n * 2;\nconst one = function () { return 1; };\n';
    const p2 = h.save(v2);
    expect([names(p2), codes(p2)]).toEqual([['f', 'twice (new)', 'one (new)'], []]);
    expect(h.exports.f(5)).toBe(31);
    const p3 = h.save(v2.replace('n * 2', 'n * 20'));
    expect([names(p3), codes(p3)]).toEqual([['twice'], []]);
    expect(h.exports.f(5)).toBe(301);
    const h2 = load(v1);
    const p4 = h2.save(v1.replace('return x * RATE;', 'return twice(x);') + 'let twice = (n) => n * 2;\n');
    expect(codes(p4)).toEqual([Codes.NewDeclaration, Codes.UsesNewDeclaration]);
  });

  test('one that uses a top-level name the module did not keep, or a new variable, is not added (EC202, with why), and the function calling it waits on it (EC204)', () => {
    const v1 = src('const LIMIT = 5;', 'const unused = 7;', 'function f() { return LIMIT; }', 'module.exports = { f };');
    const h = load(v1);
    const p1 = h.save(v1.replace('return LIMIT;', 'return g();') + 'function g() { return unused; }\n');
    expect(codes(p1)).toEqual([Codes.NewDeclaration, Codes.UsesNewDeclaration]);
    expect(p1.kind === 'nothing' && p1.notApplied[0].message).toMatch(/^new top-level function g not added: it uses unused, which is not in the running module's scope/);
    expect(h.exports.f()).toBe(5);
    // with another top-level change beside it (a new const): not added either, as before
    const p2 = h.save(v1.replace('return LIMIT;', 'return g();') + 'const K = 1;\nfunction g() { return LIMIT; }\n');
    expect(codes(p2).sort()).toEqual([Codes.NewDeclaration, Codes.NewDeclaration, Codes.UsesNewDeclaration].sort());
    expect(h.exports.f()).toBe(5);
    // on its own, it is added
    const p3 = h.save(v1.replace('return LIMIT;', 'return g();') + 'function g() { return LIMIT * 2; }\n');
    expect([names(p3), codes(p3)]).toEqual([['f', 'g (new)'], []]);
    expect(h.exports.f()).toBe(10);
  });
});

describe('swap: class members a save adds', () => {
  test('a method, a getter and a static method added to a loaded class: instances made before have them, super works, later saves change them', () => {
    const v1 = src('class Base {', '  hello() { return "base"; }', '}', 'class Cart extends Base {', '  constructor() { super(); this.items = [1, 2]; }', '  count() { return this.items.length; }', '}', 'const cart = new Cart();', 'function describe() {', '  return cart.count();', '}', 'module.exports = { cart, describe, Cart };');
    const h = load(v1);
    const old = h.exports.cart;
    const v2 = v1.replace('  count() { return this.items.length; }', '  count() { return this.items.length; }\n  total() { return this.items.reduce((a, b) => a + b, 0) + ":" + super.hello(); }\n  get first() { return this.items[0]; }\n  static make() { return new Cart(); }')
      .replace('return cart.count();', 'return cart.count() + "/" + cart.total() + "/" + cart.first;');
    const p2 = h.save(v2);
    expect([names(p2).sort(), codes(p2)]).toEqual([['Cart.get first (new)', 'Cart.make (new)', 'Cart.total (new)', 'describe'].sort(), []]);
    expect(h.exports.describe()).toBe('2/3:base/1');
    // the instance made before the save has them; as a class's own, not enumerable
    expect([old.total(), old.first, Object.keys(Object.getPrototypeOf(old)), h.exports.Cart.make().count()]).toEqual(['3:base', 1, [], 2]);
    // a change of an added method
    const v3 = v2.replace('+ ":" + super.hello()', '+ "!" + super.hello()');
    const p3 = h.save(v3);
    expect([names(p3), codes(p3)]).toEqual([['Cart.total'], []]);
    expect(old.total()).toBe('3!base');
    // a function and a method added in one save, the function calling the method: each its own slots
    const v5 = v3.replace('return cart.count() + "/"', 'return label(cart.size()) + "/"').replace('  static make() {', '  size() { return this.items.length * 10; }\n  static make() {') + 'function label(n) {\n  return "n=" + n;\n}\n';
    const p5 = h.save(v5);
    expect([names(p5).sort(), codes(p5)]).toEqual([['Cart.size (new)', 'describe', 'label (new)'], []]);
    expect(p5.kind === 'swap' && new Set(p5.units.flatMap((u) => [u.shape.n, ...(u.dispatch ? [u.dispatch.n] : [])])).size).toBe(p5.kind === 'swap' ? p5.units.length + p5.units.filter((u) => u.dispatch).length : -1);
    expect(h.exports.describe()).toBe('n=20/3!base/1');
    // a new method that calls a function added in the same save
    const v6 = v5.replace('  static make() {', '  shout() { return loud(this.size()); }\n  static make() {').replace('return label(cart.size()) + "/"', 'return cart.shout() + "/"') + 'function loud(n) {\n  return n + "!";\n}\n';
    const p6 = h.save(v6);
    expect([names(p6).sort(), codes(p6)]).toEqual([['Cart.shout (new)', 'describe', 'loud (new)'], []]);
    expect(h.exports.describe()).toBe('20!/3!base/1');
    // a #private name in a new method: not added, said why
    const v4 = v1.replace('  count() { return this.items.length; }', '  #n = 0;\n  count() { return this.items.length; }');
    const h4 = load(v4);
    const p4 = h4.save(v4.replace('  count() {', '  bump() { return ++this.#n; }\n  count() {'));
    expect((p4.kind === 'nothing' || p4.kind === 'swap') && [names(p4), p4.notApplied.map((n) => [n.code, n.message.split(':')[0]])]).toEqual([[], [[Codes.ClassShape, 'Cart.bump is new, and not added']]]);
  });
});

describe('swap: slot identity', () => {
  test('a function keeps its slot when functions are added above it (closures made before follow it)', () => {
    const v1 = src('function outer() {', '  function b() { return 1; }', '  return b;', '}', 'module.exports = outer;');
    const h = load(v1);
    const b = h.exports();
    const slotBefore = h.state.shapes.get('/outer#0/b#0')!.n;
    // a new helper above b, and b changed: outer is swapped, and b's old closures take the new b
    const v2 = v1.replace('  function b() { return 1; }', '  function a() { return 10; }\n  function b() { return a() + 1; }');
    const plan = h.save(v2);
    expect(names(plan)).toEqual(['outer']);
    // b now uses a, which its closures made before cannot reach: those keep their code (EC206) ...
    expect(plan.kind === 'swap' && plan.warnings.map((w) => w.code)).toContain(Codes.StaleClosures);
    expect(b()).toBe(1);
    expect(h.exports()()).toBe(11);
    // ... while a change b's old closures can take goes to the same slot
    const v3 = v1.replace('function b() { return 1; }', 'function b() { return 2; }').replace('function outer() {', 'function helper() { return 0; }\nfunction outer() {');
    const h2 = load(v1);
    const b2 = h2.exports();
    const p3 = h2.save(v3);
    expect(codes(p3)).toEqual([]); // (the new helper is added: 'top-level functions a save adds')
    expect(names(p3)).toEqual(['outer.b', 'helper (new)']);
    expect(h2.state.shapes.get('/outer#0/b#0')!.n).toBe(slotBefore);
    expect(b2()).toBe(2);
  });
});
