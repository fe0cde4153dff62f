// Pure: the source that compiles one changed function's new version in its lexical scope, for the
// module's (or its class's) planted eval (docs/swap.md). The result evaluates to the implementation
// the function's slot receives: the function itself, or, when the running version passes an
// environment object, a factory `(__ec$e) => implementation` whose references to the enclosing
// function's locals read and write through that object.
//
// The new text keeps its file's lines and columns (the code is padded and named with a
// `//# sourceURL` of the file), so stack traces, breakpoints and the prompt show the user's file.
// Functions inside it get their own dispatch (the same slots as before, by key) and retry boundaries.
import {
  applyEdits, forEachChild, forEachFunction, insertionsFor, leadingSuperCall, slotName, swapInsertions, boundNames, delimited, undelimited,
  MODULE_SCOPE_MAKER, classManyName, moduleFactoryName, moduleScopeName, quietLines, swapCuts,
  type DispatchShape, type Node,
} from '../inject/boundary';
import { withNestedBodiesBlanked, type FunctionRecord, type ScriptModel } from './functions';
import type { FunctionSite, LastText, SwapState, SwapUnit } from './swap-plan';
import { functionUses } from './swap-scope';
import { privateEdits } from './swap-private';
import { MODULE_IMPORTER, SWAP_MARK, SWAP_PROLOGUE_HELPER, hasSourceMap } from '../inject/mark';
import { LineIndex } from '../util/line-index';

export const ENV = '__ec$e';

export interface CompiledUnit {
  unit: SwapUnit;
  /** Its sourceURL: the file's (a loader's output node keeps maps of: one of its own, src/loaders/save-maps.ts). */
  url: string;
  /** The slot the implementation goes to. */
  slot: string;
  /**
   * Where it compiles: in a class's scope, through the global holding that class's eval; or in the
   * global scope (indirect eval), reading the module's names through its scope object, made from
   * the module's factory if not yet (boundary.ts moduleScopeExpression).
   */
  /**
   * `many`: the global that says the unit's class was made again with another parent or own name
   * (./swap-plan.ts), when the new code uses either and cannot pick its class per call. `home`: the
   * code is a factory of the method for a class, installed through the runtime's `h`.
   */
  where: { classEval: string } | { factory: string; scope: string; classRef?: string; many?: string; home?: true };
  /** The code to compile. */
  code: string;
  /** The offset in the saved text where that code's own text starts (the function, or a method's key). */
  savedStart: number;
  /**
   * Shapes given to functions of the new code that had none, or whose captures or forwarding changed
   * (closures made before keep their old slot and code), with their text as it will run (nested bodies
   * blanked: withNestedBodiesBlanked): remembered once installed.
   */
  newShapes: Map<string, { shape: DispatchShape; running: string }>;
  /**
   * The class global (boundary.ts classNeeds) each function inside the unit compiles with from now
   * on: a class inside the unit is evaluated anew by the new code, with globals of its own.
   */
  classOf: Map<string, string | null>;
}

const byStart = new WeakMap<ScriptModel, Map<number, FunctionRecord>>();
/** The model's functions by start offset (made once per model: a save compiles many units against one). */
function keyOf(model: ScriptModel): Map<number, FunctionRecord> {
  let m = byStart.get(model);
  if (!m) { m = new Map(model.functions.map((f) => [f.start, f])); byStart.set(model, m); }
  return m;
}

/** The name a function gets at run time, as V8 infers it, where we can say. */
function runtimeName(site: FunctionSite, record: FunctionRecord): string {
  if (site.node.id?.name) return site.node.id.name;
  const last = record.name.split('.').pop() ?? '';
  return /^[A-Za-z_$][\w$]*$/.test(last) ? last : '';
}

/** What a save's units all ask of its text, worked out once for the last text asked about (a save compiles many units against one). */
let lastText: { text: string; lines: LineIndex; hasEval: boolean; mapped: boolean } | null = null;
function textFacts(text: string): { lines: LineIndex; hasEval: boolean; mapped: boolean } {
  if (lastText?.text !== text) lastText = { text, lines: new LineIndex(text), hasEval: text.includes('eval'), mapped: hasSourceMap(text) };
  return lastText;
}

/** Line (1-based) and column (0-based) of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const { line, column } = textFacts(text).lines.position(offset);
  return { line: line + 1, column };
}

/**
 * Compile one unit of a swap plan against the saved text. `state` gives the shapes of functions the
 * program already has (by key); functions that are new get the next slot numbers (advanced in
 * `counters`, kept by the caller once the swap is installed).
 */
export function compileUnit(state: SwapState, model: ScriptModel, saved: string, unit: SwapUnit, url: string, counters: { nextSlot: number; nextClass: number }): CompiledUnit {
  const node = unit.site.node;
  const records = keyOf(model);
  const newShapes = new Map<string, { shape: DispatchShape; running: string }>();
  const classGlobals = new Map<Node, string>();
  const uses = functionUses(node);
  const envNames = new Set(unit.shape.env);
  // names the new code reads through the environment object: free in it and passed by the running version
  const viaEnv = new Set(uses.free.map((r) => r.name).filter((n) => envNames.has(n)));
  // and, compiled outside a class eval, the module's names, through its scope object (the plan
  // refused the top-level names it did not keep)
  // compiled with the module's scope object unless in a class eval's scope (boundary.ts classNeeds)
  const inModule = !unit.classScope?.startsWith('c');
  const classRef = inModule && unit.classScope ? slotName(state.module, `k${unit.classScope.slice(1)}`) : null;
  const scope = moduleScopeName(state.module);
  const through = (name: string): string | null => (viaEnv.has(name) ? ENV : inModule && state.scope.kept.has(name) ? scope : null);

  const edits: { at: number; text: string; end?: number }[] = [];
  const arrow = node.type === 'ArrowFunctionExpression';

  // the function's own header, made into a plain function expression
  if (node.type === 'FunctionDeclaration' && node.id) {
    edits.push({ at: node.id.start, end: node.id.end, text: ' '.repeat(node.id.end - node.id.start) });
  }
  const params: Node[] = node.params;
  const forwardedNames = unit.shape.mode === 'b' ? params.flatMap((p) => boundNames(p)).join(',') : null;
  if (arrow) {
    const paramsText = forwardedNames ?? (params.length ? applyEdits(saved, envEdits(uses, through, params[0].start, params[params.length - 1].end), params[0].start, params[params.length - 1].end) : '');
    // Ours, delimited as cuts (a stop in the body is shown at the column written), and the arrow's
    // own header as spaces of its length: `(a) => a + 1` runs as `function(a){return(a + 1)}` and
    // reads back as `(a) => a + 1` with its header blank, the body where it was.
    const own = `${node.async ? 'async ' : ''}function(${undelimited(paramsText)})`;
    // up to the `=>`, not to the body: a concise body in parentheses (`() => ({ a })`) keeps them
    const arrowEnd = saved.indexOf('=>', params.length ? params[params.length - 1].end : node.start) + 2;
    edits.push({ at: node.start, end: arrowEnd, text: delimited(own) + ' '.repeat(arrowEnd - node.start) });
    if (node.body.type !== 'BlockStatement') {
      edits.push({ at: arrowEnd, text: delimited('{return(') });
    }
  } else if (forwardedNames !== null && params.length) {
    edits.push({ at: params[0].start, end: params[params.length - 1].end, text: forwardedNames });
  }

  // a derived class's constructor: its super(…) call ran before the dispatch; the code after it is swapped
  const superCall = unit.site.member?.kind === 'constructor' && unit.site.classNode?.superClass ? leadingSuperCall(node) : null;
  if (superCall) edits.push({ at: superCall.start, end: superCall.end, text: saved.slice(superCall.start, superCall.end).replace(/[^\n\r]/g, ' ') });

  // retry boundaries for it and everything inside, and dispatch for the functions inside
  const { hasEval } = textFacts(saved);
  // (delimited as in a loaded swap text: read back, the code is the saved text, and the program's
  // traces take them out of its columns, src/inject/swap-runtime.ts stackFilter)
  forEachFunction(node, (fn) => { for (const b of insertionsFor(fn, saved, hasEval)) edits.push({ at: b.at, text: delimited(b.text) }); });
  edits.push(...swapInsertions(node, saved, state.module, {
    prologue: false,
    shape: (fn, computed) => {
      if (fn === node) return unit.dispatch ?? null;
      const r = records.get(fn.start);
      const known = r ? state.shapes.get(r.key) : undefined;
      if (known && known.mode === computed.mode && !!known.construct === computed.construct && !!known.returnless === computed.returnless && computed.env.every((n) => known.env.includes(n))) return known;
      const shape = { n: counters.nextSlot++, env: computed.env, mode: computed.mode, ...(computed.construct ? { construct: true } : {}), ...(computed.returnless ? { returnless: true } : {}) };
      if (r) newShapes.set(r.key, { shape, running: withNestedBodiesBlanked(saved, r) });
      return shape;
    },
    envRef: (name) => (viaEnv.has(name) ? `${ENV}.${name}` : name),
    classNumber: (cls, kind) => { const n = counters.nextClass++; classGlobals.set(cls, kind + n); return n; },
  }));
  // each function inside now belongs to the innermost class around it in this code: a class inside
  // it is evaluated anew by the new code, with its own global (or none); else the unit's class
  const classOf = new Map<string, string | null>();
  const inside = classesIn(node);
  const nested: FunctionRecord[] = [];
  const collect = (r: FunctionRecord) => { for (const c of r.children) { nested.push(c); collect(c); } };
  collect(unit.record);
  for (const r of nested) {
    let inner: Node | null = null;
    for (const cls of inside) if (cls.body.start < r.start && r.start < cls.body.end && (!inner || cls.start > inner.start)) inner = cls;
    classOf.set(r.key, inner ? classGlobals.get(inner) ?? null : unit.classScope);
  }
  // #private names, through the accessors of the classes that declare them (./swap-private.ts), and
  // the own names of named class expressions around it, through the globals that hold those classes
  if (inModule && unit.privateHolders?.size) {
    const holders = unit.privateHolders;
    const rewrite = privateEdits(node, saved, (name) => holders.get(name));
    if ('refused' in rewrite) throw new Error(`${unit.record.name}: ${rewrite.refused}`);
    edits.push(...rewrite.edits);
  }
  const classNames = inModule ? unit.classNames ?? new Map<string, string>() : new Map<string, string>();
  let ownNameUsed = false;
  // (only a class global needs it: its methods with `super` are made per class, or refused when they cannot be)
  const superUsed = classRef !== null && usesSuper(node);
  // names read through a global rather than a binding: the own names of named class expressions around
  // it (through those classes), and top-level functions saves added (through their slots:
  // ./swap-plan.ts addNewFunctions)
  const added = unit.addedGlobals ?? new Map<string, string>();
  for (const r of uses.free) {
    if (viaEnv.has(r.name) || r.start < node.start || r.start >= node.end) continue;
    const ofClass = classNames.get(r.name);
    const global = ofClass ?? (state.scope.kept.has(r.name) ? undefined : added.get(r.name));
    if (global === undefined) continue;
    if (ofClass !== undefined) ownNameUsed = true;
    const end = r.start + r.name.length;
    edits.push(r.shorthand ? { at: end, text: delimited(`:${global}`) } : { at: r.start, end, text: delimited(global) + ' '.repeat(r.name.length) });
  }
  edits.push(...envEdits(uses, (n) => (classNames.has(n) && !viaEnv.has(n) ? null : through(n)), node.start, node.end));
  // import(…) through the module's own (the plan refused it where the module has none): `import` reads
  // back as spaces of its length, the call's parentheses where they were
  for (const i of uses.imports) if (i.start >= node.start && i.start < node.end) edits.push({ at: i.start, end: i.start + 'import'.length, text: delimited(`${scope}.${MODULE_IMPORTER}`) + ' '.repeat('import'.length) });
  if (arrow && node.body.type !== 'BlockStatement') edits.push({ at: node.end, text: delimited(')}') });

  const own = edits.filter((e) => e.at >= node.start && e.at <= node.end);
  // (node quotes no line of ours under an uncaught error: boundary.ts QUIET_LINE)
  let text = applyEdits(saved, [...own, ...quietLines(saved, own, textFacts(saved).mapped)], node.start, node.end);

  // the wrapper that names it (or reads a method's descriptor) and, with an environment, the factory
  const member = unit.site.member;
  let home = false;
  let prefix: string;
  let suffix: string;
  let startOffset = node.start;
  if (member) {
    startOffset = member.start;
    let head = saved.slice(member.start, node.start);
    // a #private name is no key of an object literal: the method is read from one under a string key
    // of the same name (its frames are still called `#name`); the class eval's scope has the name for
    // the body's own `this.#x`
    if (member.key?.type === 'PrivateIdentifier') {
      const from = member.key.start - member.start;
      head = head.slice(0, from) + JSON.stringify(`#${member.key.name}`) + head.slice(member.key.end - member.start);
    }
    head = head.replace(/^static\b/, '');
    const which = member.kind === 'get' ? 'get' : member.kind === 'set' ? 'set' : 'value';
    // `super`: the parent, read from the class (a class eval's `this`, or the global its static block
    // defined); a class with neither extends nothing (src/inject/boundary.ts classNeeds), so its
    // methods' super is the default one
    // A method with `super` is compiled as a factory of itself for a given class, whose parent its
    // `super` is: the runtime makes it for each class a mixin made (src/inject/swap-runtime.ts
    // superHomes); with an environment, a factory of that factory. Not with the class's own name
    // read through the class global.
    home = member.type === 'MethodDefinition' && member.kind !== 'constructor' && classRef !== null && !ownNameUsed && superUsed;
    // (a member a save adds to a class: the class, read through the module's scope object)
    const cls = unit.member ? `${scope}[${JSON.stringify(unit.member.cls)}]` : unit.classScope === null ? null : home ? HOME : classRef === null ? 'this' : `globalThis[${JSON.stringify(classRef)}]`;
    const proto = member.type !== 'MethodDefinition' ? ''
      : cls !== null ? `__proto__:Object.getPrototypeOf(${cls}${member.static ? '' : '.prototype'}),`
        : member.static ? '__proto__:Function.prototype,' : '';
    prefix = `${home ? `(${HOME})=>` : ''}((o)=>{const d=Object.getOwnPropertyDescriptors(o),k=Reflect.ownKeys(d)[0];return d[k].${which}})({${proto}`;
    text = head.replace(/\s+/g, ' ') + text;
    suffix = '})';
  } else {
    const name = runtimeName(unit.site, unit.record);
    prefix = `({${JSON.stringify(name)}:`;
    suffix = `})[${JSON.stringify(name)}]`;
  }
  if (unit.shape.env.length) {
    // a factory of the implementation, given the environment; the class of that environment hangs
    // on it (the dispatch makes `new slot.E(reader, writer, …)`: src/inject/boundary.ts envObject)
    prefix = `(()=>{const __ec$f=(${ENV})=>` + prefix;
    suffix += `;__ec$f.E=${envClass(unit.shape.env)};return __ec$f})()`;
  }
  // the global scope is sloppy: a strict module's code (an ES module, a "use strict" script, a class
  // body) says so, as its own scope did for the eval it compiled in before
  if (inModule && (state.scope.strict || unit.site.insideClass)) prefix = '"use strict";' + prefix;
  const at = position(saved, startOffset);
  // on the first line there is no line before for the wrapper: it goes in front, and a comment pads
  // the function out to its column when there is room (tsx's ES modules are one line: there is); the
  // comment is there in any case, to tell the wrapper from the function (registry.ts compiledLines)
  const code = at.line >= 2
    ? '\n'.repeat(at.line - 2) + prefix + '\n' + ' '.repeat(at.column) + text + suffix
    : prefix + padding(Math.max(PAD_MIN, at.column - prefix.length)) + text + suffix;
  const where = !inModule ? { classEval: slotName(state.module, unit.classScope!) }
    : { factory: moduleFactoryName(state.module), scope, ...(classRef ? { classRef, ...(home ? { home: true as const } : ownNameUsed || superUsed ? { many: classManyName(classRef) } : {}) } : {}) };
  return { unit, url, slot: slotName(state.module, unit.shape.n), where, code: `${code}\n//# sourceURL=${url}`, savedStart: startOffset, newShapes, classOf };
}

/** The classes under a node (itself included). */
function classesIn(root: Node): Node[] {
  const out: Node[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') out.push(node);
    forEachChild(node, visit);
  };
  visit(root);
  return out;
}

/** The comment that pads a function on the first line out to its column: `/*  …  *\/`. */
const PAD_MIN = 4;

/** The parameter of a method's factory (a method with `super`): the class it is made for. */
const HOME = '__ec$k';
function padding(n: number): string {
  return '/*' + ' '.repeat(n - PAD_MIN) + '*/';
}

/** The class of an environment object: a getter and a setter per name, through the reader and writer it was made with. */
export function envClass(names: string[]): string {
  const params = names.map((_, i) => `g${i},s${i}`).join(',');
  const fields = names.map((_, i) => `this.__ec$g${i}=g${i};this.__ec$s${i}=s${i};`).join('');
  const accessors = names.map((n, i) => `get[${JSON.stringify(n)}](){return this.__ec$g${i}()}set[${JSON.stringify(n)}](v){this.__ec$s${i}(v)}`).join('');
  return `class{constructor(${params}){${fields}}${accessors}}`;
}

/**
 * `a` → `__ec$e.a` (and `{ a }` → `{ a: __ec$e.a }`, `a()` → `(0,__ec$e.a)()`) for references to the
 * names `through` gives an object for: the environment's, the module scope's. Each insertion is
 * delimited (a cut, as the dispatch's), so that a stop in the swapped-in code is shown at the column
 * the user wrote, not one moved right by the `__ec$e.` before it on that line. A call keeps the
 * `this` it had (undefined, or the global object in sloppy code), not the object read through.
 */
function envEdits(uses: ReturnType<typeof functionUses>, through: (name: string) => string | null, from: number, to: number): { at: number; text: string }[] {
  const out: { at: number; text: string }[] = [];
  for (const r of uses.free) {
    const object = r.start >= from && r.start < to ? through(r.name) : null;
    if (object === null) continue;
    if (r.callee) {
      out.push({ at: r.start, text: delimited(`(0,${object}.`) }, { at: r.start + r.name.length, text: delimited(')') });
    } else {
      out.push({ at: r.start, text: delimited(r.shorthand ? `${r.name}:${object}.` : `${object}.`) });
    }
  }
  return out;
}

/** The dispatches an install fills the slots of: `file` as V8 names the script to a CallSite, [line, column, end] triples. */
export interface HiddenFrames {
  file: string;
  places: number[];
  /** Swapped-in code (unitColumns), with the URL it was compiled under. */
  units: (UnitColumns & { url: string })[];
}

/**
 * The expression that compiles every unit first and installs them only when all compiled: each slot
 * is deleted and defined again, which V8 treats as a new constant (patched calls stay fast; docs/swap.md).
 * It evaluates to null, or to the message of what failed. `hide`: dispatches to leave out of the
 * program's own stack traces from now on (src/inject/swap-runtime.ts stackFilter), told once all is
 * installed; a failure there fails nothing.
 */
export function installExpression(units: CompiledUnit[], hide: HiddenFrames | null = null): string {
  const compile = units.map((u) => {
    const how = 'classEval' in u.where ? `(c)=>{const e=g[${JSON.stringify(u.where.classEval)}];return typeof e==='function'?e(c):void 0}`
      : `(c)=>${u.where.classRef ? `typeof g[${JSON.stringify(u.where.classRef)}]!=='function'||` : ''}scopeOf(g,${JSON.stringify(u.where.factory)},${JSON.stringify(u.where.scope)})===void 0?void 0:indirect(c)`;
    const missing = 'classEval' in u.where ? u.where.classEval : u.where.classRef ?? u.where.factory;
    const many = 'many' in u.where ? u.where.many ?? '' : '';
    const home = 'home' in u.where && u.where.home ? u.where.classRef ?? '' : '';
    // the first version of a member a save adds is defined on its class: [scope object, class, key, which, static]
    const m = u.unit.member && u.unit.dispatch && 'scope' in u.where ? [u.where.scope, u.unit.member.cls, u.unit.member.key, u.unit.member.which, u.unit.member.isStatic] : null;
    return `[${JSON.stringify(u.slot)},${JSON.stringify(missing)},${JSON.stringify(u.code)},${how},${JSON.stringify(many)},${JSON.stringify(u.unit.record.name)},${JSON.stringify(home)},${JSON.stringify(m)}]`;
  }).join(',');
  return `(() => {
  const g = globalThis, indirect = eval, scopeOf = ${MODULE_SCOPE_MAKER}, list = [${compile}], made = [];
  for (const [slot, missing, code, how, many, name, home, member] of list) {
    if (many && g[many] === true) return 'many ' + name;
    let impl;
    try { impl = how(code); } catch (err) { return 'compile ' + slot + ' ' + (err && err.stack || String(err)); }
    if (impl === undefined) return 'no eval ' + missing;
    if (member && typeof g[member[0]][member[1]] !== 'function') return 'no eval ' + member[1];
    made.push([slot, impl, home, member]);
  }
  const helper = g[${JSON.stringify(SWAP_PROLOGUE_HELPER)}];
  if (made.some(([, , home]) => home) && (typeof helper !== 'function' || typeof helper.h !== 'function')) return 'no eval ' + ${JSON.stringify(SWAP_PROLOGUE_HELPER)};
  for (const [slot, impl, home, member] of made) {
    const value = home ? helper.h(slot, impl, home) : impl;
    delete g[slot];
    Object.defineProperty(g, slot, { __proto__: null, value, configurable: true });
    if (member) {
      const [scope, cls, key, which, isStatic] = member, c = g[scope][cls], on = isStatic ? c : c.prototype;
      const was = Object.getOwnPropertyDescriptor(on, key);
      const d = which === 'value' ? { __proto__: null, value, writable: true, configurable: true, enumerable: false }
        : { __proto__: null, get: was && was.get, set: was && was.set, configurable: true, enumerable: false, [which]: value };
      Object.defineProperty(on, key, d);
    }
  }${hide ? `
  try { helper.t(${JSON.stringify(hide.file)}, ${JSON.stringify(hide.places)}, ${JSON.stringify(hide.units)}); } catch {}` : ''}
  return null;
})()`;
}

/**
 * The dispatches of loaded functions these units fill the slots of, which the program's own stack
 * traces are not yet told to leave out (once swapped, every call of the function passes through its
 * dispatch, a frame a program under LiveEdit would not have), and where the units' columns differ
 * from the file's (src/inject/swap-runtime.ts stackFilter). `file`: the script's name as V8 gives it
 * to a CallSite. Null when there is nothing to tell.
 */
export function hiddenFrames(state: SwapState, file: string, compiled: CompiledUnit[]): HiddenFrames | null {
  const places: number[] = [];
  const units: HiddenFrames['units'] = [];
  for (const c of compiled) {
    const key = c.unit.record.key;
    const at = c.unit.added || state.hiddenKeys.has(key) ? undefined : state.dispatchAt.get(key);
    if (at) places.push(at.line, at.column, at.end);
    // (code under a URL of its own carries a map that node reads its columns through: its
    // dispatches alone)
    units.push({ ...unitColumns(c.code, c.url === file), url: c.url });
  }
  return places.length || units.length ? { file, places, units } : null;
}

/**
 * Swapped-in code, for the program's own traces: `first`, the line its text starts on, and `starts`,
 * where each of its lines starts in it (a frame's CallSite tells its line's start, getPosition less
 * its column: with the line, that tells apart two swapped-in codes that stand on the same lines,
 * such as a function and the one around it, each swapped); `at`, where its columns differ from the
 * file's and where its own dispatches stand (those of the functions inside it, which it makes anew).
 */
export interface UnitColumns { first: number; starts: number[]; at: number[] }

/**
 * A unit's UnitColumns. `at`: the number of our insertions, each as [line, column, length]; the number of calls whose callee we wrapped
 * (`(0,scope.name)(…)`, which V8 places at its `(…)`, where plain code has the name), each as [line,
 * that column, the name's column]; then each dispatch as [line, column, end]. 0-based, in the code's
 * columns.
 */
export function unitColumns(code: string, columns = true): UnitColumns {
  const lines = new LineIndex(code);
  const first = lines.position(Math.max(0, code.search(/[^\n]/))).line;
  const starts: number[] = [];
  for (let l = first; l < lines.lineCount; l++) starts.push(lines.offset(l, 0));
  const cuts = swapCuts(code + SWAP_MARK);
  const out = [columns ? cuts.length : 0];
  const moves: number[] = [];
  const dispatches: number[] = [];
  for (const [i, c] of cuts.entries()) {
    const at = lines.position(c.start);
    if (columns) out.push(at.line, at.column, c.end - c.start);
    // (a function's dispatch carries its slot in its note: boundary.ts swapSite)
    if (/^\d/.test(c.meta)) dispatches.push(at.line, at.column, at.column + (c.end - c.start));
    const next = cuts[i + 1];
    if (columns && next && /^\/\*ec\{\*\/\(0,[\w$]+\.\/\*\}ec\*\/$/.test(code.slice(c.start, c.end)) && code.slice(next.start, next.end) === '/*ec{*/)/*}ec*/') {
      const close = lines.position(next.end);
      if (close.line === at.line) moves.push(at.line, close.column, at.column + (c.end - c.start));
    }
  }
  return { first, starts, at: [...out, moves.length / 3, ...moves, ...dispatches] };
}

/** The slot and class numbers a plan's compile starts from: past those the plan reserved (its added functions'). */
export function countersFor(state: SwapState, plan: { reserve?: number }): { nextSlot: number; nextClass: number } {
  return { nextSlot: state.nextSlot + (plan.reserve ?? 0), nextClass: state.nextClass };
}

/** After an install: what runs now, and the slots and shapes the new code brought. */
export function recordInstalled(state: SwapState, compiled: CompiledUnit[], saved: string, counters: { nextSlot: number; nextClass: number }, plan: { next?: LastText; driftNote?: string }): void {
  // a save applied in part leaves functions that run neither the last text nor this one: plan whole texts
  state.last = plan.next ?? null;
  if (plan.driftNote !== undefined) state.driftNote = plan.driftNote;
  state.nextSlot = counters.nextSlot;
  state.nextClass = counters.nextClass;
  for (const c of compiled) {
    const r = c.unit.record;
    if (c.unit.dispatch) {
      // added: its callers name its slot; its later versions go to the slot it dispatches to
      state.added.set(r.key, { name: r.name, n: c.unit.shape.n, text: saved.slice(r.start, r.end), ...(c.unit.member ? { member: c.unit.member } : {}) });
      state.shapes.set(r.key, c.unit.dispatch);
    } else if (c.unit.added) {
      const a = state.added.get(r.key);
      if (a) a.text = saved.slice(r.start, r.end);
    }
    state.running.set(c.unit.record.key, withNestedBodiesBlanked(saved, c.unit.record));
    const lines = (f: FunctionRecord) => { state.runningLine.set(f.key, f.line); f.children.forEach(lines); };
    lines(c.unit.record);
    for (const [k, s] of c.newShapes) {
      state.shapes.set(k, s.shape);
      state.running.set(k, s.running);
    }
    for (const [k, cls] of c.classOf) state.classOf.set(k, cls);
  }
}

/**
 * Does the function's code use `super` anywhere, in functions and classes inside it too? (Wider than
 * ./swap-scope.ts `usesSuper`, the function's own code: a class made more than once is refused for
 * either.)
 */
function usesSuper(fn: Node): boolean {
  let found = false;
  const visit = (n: Node): void => {
    if (found) return;
    if (n.type === 'Super') { found = true; return; }
    forEachChild(n, visit);
  };
  visit(fn);
  return found;
}
