// Pure: the retry boundary. Every function of the user's own files gets its body wrapped, on the same
// lines, so that an exception leaving it stops (one debugger step later) inside the function's own
// frame, where V8 can safely restart it (docs/retry.md):
//
//   function work(item) {            →  function work(item) {try{
//     return item.spec.weight;            return item.spec.weight;
//   }                                   }finally{void 0xEC}}
//
// An async function gets a slot the controller can fill with the promise of the retried call; its
// `finally` then returns that promise, so the caller's `await` receives the retried result:
//
//   async function work(item) {let __ec$r;try{ … }finally{if(__ec$r)return __ec$r}}
//
// No line is added or removed, so stack traces and breakpoints keep their lines; columns move only on
// the lines where a body opens or closes. The same function runs in the program when a file loads and
// in the controller on every saved text before LiveEdit, so the two always agree. Generators and
// empty bodies are left alone; so is a text acorn cannot parse (V8 then reports the error itself).
import type * as acorn from 'acorn';
import { acornParser } from '../util/acorn';
import { BOUNDARY_MARK, MODULE_IMPORTER, SWAP_MARK, SWAP_PROLOGUE_HELPER, hasSourceMap } from './mark';

export const SYNC_PREFIX = 'try{';
export const SYNC_SUFFIX = '}finally{void 0xEC}';
/** The variable an async boundary returns when the controller sets it. */
export const RETRY_SLOT = '__ec$r';
export const ASYNC_PREFIX = `let ${RETRY_SLOT};try{`;
export const ASYNC_SUFFIX = `}finally{if(${RETRY_SLOT})return ${RETRY_SLOT}}`;
/** Appended on a line of its own, so that a running text says it carries boundaries (./mark.ts). */
export { BOUNDARY_MARK, SWAP_MARK };

export type SourceKind = 'script' | 'module';

export interface TransformOptions {
  /**
   * The swap engine's indirection (docs/swap.md): every function first checks its slot. `module` names
   * the module's slots (a short id derived from its file by the load hook, ./hooks.ts).
   */
  swap?: { module: string };
  /**
   * Filled with where text was inserted (offsets in the given text, in order), so that a source map
   * of the given text can be moved onto the result (src/loaders/sourcemap.ts).
   */
  insertions?: { at: number; length: number }[];
}

export type Node = acorn.Node & Record<string, any>;

export interface Insertion {
  at: number;
  text: string;
  /**
   * Goes before the other insertions at the same offset (which otherwise keep the order they were
   * given in): the end of the `else` block a constructor's dispatch opens, before the retry
   * boundary's `}finally{…}` that closes the same body.
   */
  first?: boolean;
}

/**
 * A list of names declared in one scope that answers `indexOf` from a map. acorn checks every
 * declaration against the lists of its scope with `indexOf`, which is quadratic in the number of
 * names: the top level of an ES module with 10,000 functions spent ~0.9 s of a 1.3 s parse there.
 * Only the first index of a name is asked for (acorn uses `indexOf(name) > -1` and `list[0]`).
 */
class NameList extends Array<string> {
  private readonly first = new Map<string, number>();
  static fromList(list: string[]): NameList {
    const out = new NameList();
    for (const n of list) out.push(n);
    return out;
  }
  override push(...names: string[]): number {
    for (const n of names) { if (!this.first.has(n)) this.first.set(n, this.length); super.push(n); }
    return this.length;
  }
  override indexOf(name: string): number {
    return this.first.get(name) ?? -1;
  }
}

/** Scopes hold plain arrays until one of their lists passes this many names. */
const LONG_SCOPE = 32;

/** acorn's parser, with the name lists of big scopes made NameLists before each declaration (made at first use). */
let parserClass: typeof acorn.Parser | undefined;
const makeParser = (): typeof acorn.Parser => acornParser().Parser.extend(((Base: any) => class extends Base {
  declareName(name: string, bindingType: number, pos: number): unknown {
    for (const scope of this.scopeStack as Record<'var' | 'lexical' | 'functions', string[]>[]) {
      if (scope.var.length > LONG_SCOPE && !(scope.var instanceof NameList)) scope.var = NameList.fromList(scope.var);
      if (scope.lexical.length > LONG_SCOPE && !(scope.lexical instanceof NameList)) scope.lexical = NameList.fromList(scope.lexical);
      if (scope.functions.length > LONG_SCOPE && !(scope.functions instanceof NameList)) scope.functions = NameList.fromList(scope.functions);
    }
    return super.declareName(name, bindingType, pos);
  }
}) as unknown as (p: typeof acorn.Parser) => typeof acorn.Parser);

/**
 * Parse a script as node runs it (a CommonJS body may `return`; a module may `await`). Throws on a
 * syntax error. `from`: parse only the text from there on as a program, with the offsets (and the
 * lines of errors) of the whole text; what comes before is not read.
 */
export function parseSource(text: string, kind: SourceKind, from = 0, running = false): acorn.Program {
  const options: acorn.Options = {
    ecmaVersion: 'latest',
    sourceType: kind,
    allowHashBang: true,
    allowReturnOutsideFunction: kind === 'script',
    allowAwaitOutsideFunction: kind === 'module',
    // a text V8 already runs is valid; the swap engine's swapped-in method, compiled in its class's
    // scope, uses the class's #private names outside any class of its own text
    ...(running ? { checkPrivateFields: false } : {}),
  };
  const Parser = (parserClass ??= makeParser());
  return from > 0 ? new (Parser as unknown as new (o: acorn.Options, t: string, p: number) => { parse(): acorn.Program })(options, text, from).parse() : Parser.parse(text, options);
}

function parse(text: string, kind: SourceKind): acorn.Program | null {
  try { return parseSource(text, kind); } catch { return null; }
}

function isFunction(node: Node): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/** Call `visit` with each child node of `node`, in source order (acorn's fields: arrays of nodes and nodes). */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const value = node[key];
    if (Array.isArray(value)) { for (const c of value) if (c && typeof c.type === 'string') visit(c); } else if (value && typeof value.type === 'string') visit(value);
  }
}

export function forEachFunction(root: Node, visit: (fn: Node) => void): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (isFunction(node)) visit(node);
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) if (value[i] && typeof value[i].type === 'string') stack.push(value[i]);
      } else if (value && typeof value.type === 'string') {
        stack.push(value);
      }
    }
  }
}

/**
 * Would this body mean something else, or fail, inside a block? A block may not declare a name both
 * with `var` and `function` (a body may), strict code may not declare a function twice in one block,
 * and a direct eval that declares a var clashes with a block's function. Such bodies stay as they are.
 */
function blockChangesMeaning(body: Node, text: string, textHasEval: boolean): boolean {
  const functions = new Set<string>();
  for (const st of body.body as Node[]) {
    if (st.type !== 'FunctionDeclaration' || !st.id) continue;
    if (functions.has(st.id.name)) return true;
    functions.add(st.id.name);
  }
  // the common case, cheaply: no function declared in the body, and no eval anywhere in it
  // (whether the text has `eval` at all is asked once per text: a search per function would be
  // functions × file size)
  if (functions.size === 0 && !textHasEval) return false;
  let clash = false;
  const stack: Node[] = [...body.body];
  while (stack.length && !clash) {
    const node = stack.pop()!;
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const d of node.declarations as Node[]) if (d.id.type === 'Identifier' && functions.has(d.id.name)) clash = true;
    }
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'eval') clash = true;
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) { for (const v of value) if (v && typeof v.type === 'string' && !isFunction(v)) stack.push(v); }
      else if (value && typeof value.type === 'string' && key !== 'type' && !isFunction(value)) stack.push(value);
    }
  }
  return clash;
}

export function insertionsFor(fn: Node, text: string, textHasEval: boolean): Insertion[] {
  if (fn.generator || fn.body.type !== 'BlockStatement') return [];
  if (blockChangesMeaning(fn.body, text, textHasEval)) return [];
  const statements: Node[] = fn.body.body;
  let first = 0;
  while (first < statements.length && typeof statements[first].directive === 'string') first++;
  if (first === statements.length) return []; // nothing that could throw
  const open = first === 0 ? fn.body.start + 1 : statements[first - 1].end;
  // a directive without its semicolon would run into `try` on the same line
  const lead = first > 0 && !text.slice(statements[first - 1].start, open).endsWith(';') ? ';' : '';
  const close = fn.body.end - 1;
  return fn.async
    ? [{ at: open, text: lead + ASYNC_PREFIX }, { at: close, text: ASYNC_SUFFIX }]
    : [{ at: open, text: lead + SYNC_PREFIX }, { at: close, text: SYNC_SUFFIX }];
}

/** The text with boundaries, or the text as it was when it does not parse or already has them. */
export function addBoundaries(text: string, kind: SourceKind, options: TransformOptions = {}): string {
  if (text.endsWith(BOUNDARY_MARK) || text.endsWith(SWAP_MARK)) return text;
  const program = parse(text, kind);
  if (!program) return text;
  const insertions: Insertion[] = [];
  const textHasEval = text.includes('eval');
  forEachFunction(program as Node, (fn) => { insertions.push(...insertionsFor(fn, text, textHasEval)); });
  if (options.swap) {
    const swap = swapInsertions(program as Node, text, options.swap.module, { prologue: true, kind });
    if (swap.length === 0) return boundaryText(text, insertions, options.insertions);
    // The boundary's text is delimited too, so that the controller reads the original back without a
    // parse (swapCuts); the swap text goes after it at the same offset (a stable sort keeps the order).
    const delimited = insertions.map((ins) => ({ at: ins.at, text: open('') + ins.text + CLOSE }));
    const all = [...delimited, ...swap];
    return join(text, [...all, ...quietLines(text, all)], options.insertions) + SWAP_MARK;
  }
  return boundaryText(text, insertions, options.insertions);
}

/** LiveEdit's text: the retry boundaries, and node's marker on the lines they put code of ours on (quietEnds). */
function boundaryText(text: string, insertions: Insertion[], record?: { at: number; length: number }[]): string {
  if (insertions.length === 0) return text + BOUNDARY_MARK;
  return join(text, [...insertions, ...quietEnds(text, insertions)], record) + BOUNDARY_MARK;
}

/**
 * What node looks for in a line before it prints that line under an uncaught error (`file:line`, the
 * line, a caret): a line that holds it is not printed (node's own code marks its rethrows so). A line
 * of a swap text where we inserted code holds it, in a cut of its own, taken out as any cut: node would
 * otherwise print the line as V8 runs it, our dispatch and prologue included, with the caret at
 * their columns. Lines we left alone print as under plain node.
 */
export const QUIET_LINE = '/*ec{node-do-not-add-exception-line*//*}ec*/';

/**
 * A line where nothing can throw: only brackets, separators and space (a `}` that closes a function),
 * a "use strict", or the head of a function, method or arrow whose parameters are plain names.
 */
const INERT = [
  /^[\s{}()[\];,]*$/,
  /^\s*(['"])use strict\1;?\s*$/,
  /^\s*(?:export\s+(?:default\s+)?)?(?:(?:async|static|get|set)\s+)*(?:function\b\s*)?\*?\s*[\w$#]*\s*\([\w$\s,]*\)\s*\{\s*$/,
  /^\s*(?:(?:const|let|var)\s+[\w$]+\s*=\s*)?(?:async\s*)?\([\w$\s,]*\)\s*=>\s*\{\s*$/,
];

/**
 * The QUIET_LINE insertions for `insertions` into `text`: one on each line that gets a cut of ours and
 * has code that could throw, at that line's first cut; none in a text with a source map (`mapped`:
 * a caller that compiles many pieces of one text asks that once).
 */
export function quietLines(text: string, insertions: readonly Insertion[], mapped = hasSourceMap(text)): Insertion[] {
  // a text with a source map (a loader's output, tsc's): where node reads through it (tsx turns that
  // on), it quotes the line as written itself, and the marker would keep it from doing so
  if (mapped) return [];
  // (our cuts: an edit of the user's text, such as a name blanked out with spaces, reads as theirs)
  const ats = insertions.filter((ins) => ins.text.startsWith('/*ec{')).map((ins) => ins.at).sort((a, b) => a - b);
  const out: Insertion[] = [];
  if (ats.length === 0) return out;
  // one sweep from the first cut's line (a swapped-in function is a piece of its file; a minified file
  // is one long line with thousands of insertions)
  let lineStart = text.lastIndexOf('\n', ats[0] - 1) + 1;
  let nl = text.indexOf('\n', lineStart);
  let marked = -1;
  for (const at of ats) {
    while (nl !== -1 && nl < at) { lineStart = nl + 1; nl = text.indexOf('\n', lineStart); }
    if (lineStart === marked) continue;
    marked = lineStart;
    const line = text.slice(lineStart, nl === -1 ? text.length : nl);
    // (before the others at that offset: a cut that reads two others as a pair, as the `(0,…` and `)`
    // around a callee, finds them next to each other: swap-compile.ts unitColumns)
    if (!INERT.some((re) => re.test(line))) out.push({ at, text: QUIET_LINE, first: true });
  }
  return out;
}

/**
 * QUIET_LINE for LiveEdit's text (`insertions`: the retry boundaries of insertionsFor): one on each
 * line that gets a boundary and has code that could throw, at the last place on the line where it
 * moves none of that code: right before a closing boundary (inside the `try` block it closes, after
 * the body's last code), or after an opening one when nothing but a comment follows it there (a line
 * with code after that boundary and no end keeps node's quote: a marker there would move that code's
 * columns in the program's traces further, and LiveEdit's text has no filter that moves them back).
 * Neither outside the function (a comment at the top level makes a save that adds or removes it a
 * change of the module's own code, which LiveEdit refuses in an ES module) nor between the boundary
 * and the function's last brace (V8 cannot match a function's end once its last characters change:
 * a one-line function saved on several lines would be refused, okButNotApplied.ts endUnmatchable).
 * The marker is a cut (BoundaryMap takes it out as it does a swap text's).
 */
export function quietEnds(text: string, insertions: readonly Insertion[], mapped = hasSourceMap(text)): Insertion[] {
  if (mapped || insertions.length === 0) return [];
  // each boundary's place, at its offset: after an opening one, before a closing one (`first`)
  const places = insertions.map((ins) => ({ at: ins.at, opening: !ins.text.startsWith('}') })).sort((a, b) => a.at - b.at);
  const out: Insertion[] = [];
  for (let i = 0; i < places.length; i++) {
    const lineEnd = text.indexOf('\n', places[i].at);
    const end = lineEnd === -1 ? text.length : lineEnd;
    // the last place on this line
    while (i + 1 < places.length && places[i + 1].at <= end) i++;
    const { at, opening } = places[i];
    const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, end);
    if (INERT.some((re) => re.test(line))) continue;
    const after = text.slice(at, end).trim();
    if (opening && after !== '' && !after.startsWith('//')) continue;
    out.push({ at, text: QUIET_LINE, first: !opening });
  }
  return out;
}

/** The QUIET_LINE markers of LiveEdit's text, as cuts (BoundaryMap): none in any other text. */
export function quietCuts(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  if (!text.endsWith(BOUNDARY_MARK)) return out;
  for (let i = text.indexOf(QUIET_LINE); i >= 0; i = text.indexOf(QUIET_LINE, i + QUIET_LINE.length)) out.push({ start: i, end: i + QUIET_LINE.length });
  return out;
}

function join(text: string, insertions: Insertion[], record?: { at: number; length: number }[]): string {
  let out = '';
  let at = 0;
  for (const ins of inTextOrder(insertions)) {
    record?.push({ at: ins.at, length: ins.text.length });
    out += text.slice(at, ins.at) + ins.text;
    at = ins.at;
  }
  return out + text.slice(at);
}

export function hasBoundaries(text: string): boolean {
  return text.endsWith(BOUNDARY_MARK);
}

// ---------------------------------------------------------------------------------------------------
// The swap engine's indirection (docs/swap.md).
//
//   function work(item) {              →  function work(item) {try{/*ec{3;;p*/if(typeof __ec$m1a2b$3==="function")
//                                             return __ec$m1a2b$3.call(this,item);/*}ec*/
//
// Every insertion is wrapped in `/*ec{META*/ … /*}ec*/`, so that the controller can cut them out again
// (swapCuts) and read what each says: a function's slot number, the outer names its environment
// object passes, and how it forwards its arguments. Nothing is added between lines.

/** The global property a slot lives in. */
export function slotName(module: string, n: number | string): string {
  return `__ec$${module}$${n}`;
}

/**
 * The module's scope, as planted by its prologue: a factory of an object with a getter and a setter
 * for each top-level name the module keeps (keptNames), made once, when first needed, into the
 * object moduleScopeName holds (moduleScopeExpression). A class's eval or reference is
 * `slotName(module, 'c' + n)` or `slotName(module, 'k' + n)`, and the accessors of its #private names
 * `slotName(module, 'p' + n)` (classNeeds).
 */
export const moduleFactoryName = (module: string): string => slotName(module, 'e');
/** The global holding a module's scope object once made (moduleScopeExpression). */
export const moduleScopeName = (module: string): string => slotName(module, 'v');
/** What every module's scope factory is named (moduleFactoryName of a swapModuleId), as a regular expression's source: a probe's test. */
export const MODULE_FACTORY_NAME_SOURCE = `^${moduleFactoryName('m[0-9a-f]+').replace(/\$/g, '\\$')}$`;

/**
 * An expression that gives the scope object of the module whose factory is the global `factory`
 * (undefined when there is none), making it on first use and keeping it in the global `scope`,
 * defined once so that V8 treats it as a constant in the code that reads it. Its prototype is cut
 * from Object.prototype (and its `constructor` dropped), so that `with` over it sees the module's
 * names only.
 */
export function moduleScopeExpression(factory: string, scope: string): string {
  return `(${MODULE_SCOPE_MAKER})(globalThis,${JSON.stringify(factory)},${JSON.stringify(scope)})`;
}

/** moduleScopeExpression's function: (global object, factory's name, scope's name) → the scope object or undefined. */
export const MODULE_SCOPE_MAKER = `(g,e,v)=>{const own=Object.prototype.hasOwnProperty;if(own.call(g,v))return g[v];const f=g[e];if(typeof f!=="function")return undefined;`
  + `const o=f(),p=Object.getPrototypeOf(o);delete p.constructor;Object.setPrototypeOf(p,null);`
  + `Object.defineProperty(g,v,{__proto__:null,value:o,configurable:true});return o}`;

/** The names a prologue's scope factory keeps (read back from the text the program loaded). */
export function keptNamesOf(prologue: string): string[] {
  return [...prologue.matchAll(/get ([^\s(]+)\(\)\{return /g)].map((m) => m[1]);
}

export { swapModuleId } from './mark';

/** How a dispatch passes the call on: declared parameters, the `arguments` object, or the names a pattern bound. */
export type ForwardMode = 'p' | 'a' | 'b';

export interface SwapSite {
  /** Offset in the original text where the insertion stood. */
  at: number;
  /**
   * `f`: a function's dispatch (at its body's start); `c`: a class's eval, `k`: a class's reference,
   * `p`: its reference and its private names' accessors (at its body's start: classNeeds); `x`:
   * anything else.
   */
  what: 'f' | 'c' | 'k' | 'p' | 'x';
  n: number;
  env: string[];
  mode: ForwardMode;
  construct?: boolean;
  /** See DispatchShape. */
  returnless?: boolean;
}

const CUT = /\/\*ec\{([^*]*)\*\/[\s\S]*?\/\*\}ec\*\//g;

/** The ranges of a swap text that the transform added, in order. */
export function swapCuts(text: string): { start: number; end: number; meta: string }[] {
  const out: { start: number; end: number; meta: string }[] = [];
  if (!text.endsWith(SWAP_MARK)) return out;
  for (const m of text.matchAll(CUT)) out.push({ start: m.index!, end: m.index! + m[0].length, meta: m[1] });
  return out;
}

/**
 * `text` without the ranges `cuts` (in order; one that starts inside the one before is part of it):
 * the text as written, and each cut with `at`, the offset it stood at in that text.
 */
export function uncut<C extends { start: number; end: number }>(text: string, cuts: readonly C[]): { text: string; cuts: (C & { at: number })[] } {
  let out = '';
  let at = 0;
  let removed = 0;
  const placed: (C & { at: number })[] = [];
  for (const c of cuts) {
    if (c.start < at) continue;
    out += text.slice(at, c.start);
    placed.push({ ...c, at: c.start - removed });
    removed += c.end - c.start;
    at = c.end;
  }
  return { text: out + text.slice(at), cuts: placed };
}

export function isSwapText(text: string): boolean {
  return text.endsWith(SWAP_MARK);
}

/** Parse the META of one cut (see swapInsertions). */
export function swapSite(meta: string, at: number): SwapSite {
  if (/^[ckp]\d/.test(meta)) return { at, what: meta[0] as 'c' | 'k' | 'p', n: Number(meta.slice(1)), env: [], mode: 'p' };
  const [n, env, mode] = meta.split(';');
  if (n === undefined || env === undefined || mode === undefined || n === '') return { at, what: 'x', n: -1, env: [], mode: 'p' };
  return { at, what: 'f', n: Number(n), env: env ? env.split(',') : [], mode: mode[0] as ForwardMode, construct: mode.includes('n'), returnless: mode.includes('v') };
}

const open = (meta: string) => `/*ec{${meta}*/`;
const CLOSE = '/*}ec*/';

/** Text of ours inserted into code, delimited as a cut with no note (swapCuts), so that positions skip it. */
export function delimited(text: string): string {
  return open('') + text + CLOSE;
}

/** `text` with the marks `delimited` put in it taken out (what is between them stays). */
export function undelimited(text: string): string {
  return text.split(open('')).join('').split(CLOSE).join('');
}

/** Names a binding pattern declares, in order. */
export function boundNames(pattern: Node | null | undefined, out: string[] = []): string[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier': out.push(pattern.name); break;
    case 'ObjectPattern': for (const p of pattern.properties) boundNames(p.type === 'RestElement' ? p.argument : p.value, out); break;
    case 'ArrayPattern': for (const e of pattern.elements) boundNames(e, out); break;
    case 'RestElement': boundNames(pattern.argument, out); break;
    case 'AssignmentPattern': boundNames(pattern.left, out); break;
  }
  return out;
}

/** Simple parameters: identifiers, the last one perhaps a rest identifier. */
export function simpleParams(params: Node[]): boolean {
  return params.every((p, i) => p.type === 'Identifier' || (i === params.length - 1 && p.type === 'RestElement' && p.argument.type === 'Identifier'));
}

/** The argument list a dispatch passes for these parameters (declared names, with a rest spread). */
export function forwardArgs(params: Node[], mode: ForwardMode): string {
  if (mode === 'b') return params.flatMap((p) => boundNames(p)).join(',');
  return params.map((p) => (p.type === 'RestElement' ? '...' + p.argument.name : p.name)).join(',');
}

interface Scan {
  fn: Node;
  parent: Node | undefined;
  /** The nearest enclosing function scan, or null at the top level. */
  up: Scan | null;
  declared: Set<string>;
  referenced: Set<string>;
  /** `arguments` used in the function's own code (nested arrows included). */
  usesArguments: boolean;
  /** `new.target` used in the function's own code (nested arrows included). */
  usesNewTarget: boolean;
  /**
   * Names declared in the blocks of the top level around it (`{ const cache = …; }`, a top-level
   * loop's `let`): in no function's scope and not the module's, so its environment passes them.
   */
  topBlocks: Set<string>;
}

function isRef(node: Node, parent: Node | undefined): boolean {
  if (!parent) return true;
  if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) return false;
  if ((parent.type === 'Property' || parent.type === 'PropertyDefinition' || parent.type === 'MethodDefinition') && parent.key === node && !parent.computed) {
    return parent.type === 'Property' && parent.shorthand === true && parent.value === node;
  }
  if (parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') return false;
  if (parent.type === 'MetaProperty' || parent.type === 'ImportSpecifier' || parent.type === 'ExportSpecifier' || parent.type === 'ImportDefaultSpecifier' || parent.type === 'ImportNamespaceSpecifier') return false;
  return true;
}

/** Every function with its declared and referenced names (nested functions' references count for their ancestors). */
/** Nodes whose declarations are block-scoped (a class or `let` inside one is not in the module's scope). */
export const BLOCK_SCOPES: ReadonlySet<string> = new Set(['BlockStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'SwitchStatement', 'CatchClause', 'StaticBlock']);

/**
 * The names a block scope declares for itself (let, const, class, a function declared in it; a
 * loop's `let`; a catch's parameter; a switch's cases). `var` is the function's or the module's.
 */
export function blockScopeNames(node: Node): string[] {
  const out: string[] = [];
  const lexical = (statements: Node[]) => {
    for (const st of statements) {
      if (st.type === 'VariableDeclaration' && st.kind !== 'var') for (const d of st.declarations) boundNames(d.id, out);
      if ((st.type === 'ClassDeclaration' || st.type === 'FunctionDeclaration') && st.id) out.push(st.id.name);
    }
  };
  switch (node.type) {
    case 'BlockStatement': case 'StaticBlock': lexical(node.body); break;
    case 'SwitchStatement': for (const c of node.cases) lexical(c.consequent); break;
    case 'ForStatement': if (node.init?.type === 'VariableDeclaration' && node.init.kind !== 'var') lexical([node.init]); break;
    case 'ForInStatement': case 'ForOfStatement': if (node.left.type === 'VariableDeclaration' && node.left.kind !== 'var') lexical([node.left]); break;
    case 'CatchClause': boundNames(node.param, out); break;
  }
  return out;
}

/** A class. */
interface ClassScan { node: Node; parent: Node | undefined }

function scanFunctions(root: Node, wrapper: Node | null = null): { scans: Scan[]; classes: ClassScan[] } {
  const scans: Scan[] = [];
  const classes: ClassScan[] = [];
  // the names of the top level's blocks around the node being visited (outside every function but
  // a loader's module wrapper)
  const blocks: string[][] = [];
  const declare = (s: Scan | null, names: string[]) => { if (s) for (const n of names) s.declared.add(n); };
  const visit = (node: Node, parent: Node | undefined, cur: Scan | null): void => {
    let here = cur;
    if (isFunction(node)) {
      here = { fn: node, parent, up: cur, declared: new Set(), referenced: new Set(), usesArguments: false, usesNewTarget: false, topBlocks: cur && cur.fn !== wrapper ? cur.topBlocks : new Set(blocks.flat()) };
      scans.push(here);
      if (node.type === 'FunctionExpression' && node.id) here.declared.add(node.id.name);
      for (const p of node.params) boundNames(p, []).forEach((n) => here!.declared.add(n));
      if (node.type !== 'ArrowFunctionExpression') here.declared.add('arguments');
      if (node.type === 'FunctionDeclaration' && node.id) declare(cur, [node.id.name]);
    } else if (node.type === 'VariableDeclaration') {
      for (const d of node.declarations) declare(cur, boundNames(d.id));
    } else if (node.type === 'ClassDeclaration' && node.id) {
      declare(cur, [node.id.name]);
    } else if (node.type === 'CatchClause' && node.param) {
      declare(cur, boundNames(node.param));
    } else if (node.type === 'ClassExpression' && node.id) {
      declare(cur, [node.id.name]);
    }
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') classes.push({ node, parent });
    if (node.type === 'MetaProperty' && node.meta.name === 'new') {
      for (let s = here; s; s = s.up) { s.usesNewTarget = true; if (s.fn.type !== 'ArrowFunctionExpression') break; }
    }
    if (node.type === 'Identifier' && isRef(node, parent)) {
      for (let s = here; s; s = s.up) s.referenced.add(node.name);
      if (node.name === 'arguments') {
        for (let s = here; s; s = s.up) { s.usesArguments = true; if (s.fn.type !== 'ArrowFunctionExpression') break; }
      }
    }
    const block = (here === null || here.fn === wrapper) && node !== wrapper?.body && BLOCK_SCOPES.has(node.type) ? blockScopeNames(node) : null;
    if (block) blocks.push(block);
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const value = node[key];
      if (Array.isArray(value)) { for (const v of value) if (v && typeof v.type === 'string') visit(v, node, here); }
      else if (value && typeof value.type === 'string') visit(value, node, here);
    }
    if (block) blocks.pop();
  };
  visit(root, undefined, null);
  return { scans, classes };
}

/** Names a function uses that an enclosing function declares: what its environment object passes. */
function envNames(s: Scan, declaredBelow: Map<Scan, Set<string>>, wrapper: Node | null): string[] {
  const inside = declaredBelow.get(s)!;
  const out: string[] = [];
  for (const n of s.referenced) {
    if (inside.has(n) || n === 'arguments') continue;
    // the loader's module wrapper holds the module's scope: its locals are reached through it
    let found = false;
    for (let u = s.up; u && u.fn !== wrapper; u = u.up) if (u.declared.has(n)) { found = true; break; }
    // a block of the top level around it: no scope of ours reaches its names, its environment does
    if (found || s.topBlocks.has(n)) out.push(n);
  }
  return out.sort();
}

/**
 * The function a loader wraps a whole module's code in, when there is one: tsx writes each CommonJS
 * module as `__filename="…";(()=>{ … })()`, so the code the user wrote at the top level runs in that
 * arrow. Recognised by its shape alone: the program's last statement calls, with no arguments, an
 * arrow without parameters, and any statement before it is a directive or an assignment of a literal. The swap
 * transform plants the module's eval inside it (the user's top level), not around it.
 */
export function moduleWrapper(program: acorn.Program | Node): Node | null {
  if ((program as Node).type !== 'Program') return null;
  const body = (program as Node).body.filter((st: Node) => st.type !== 'EmptyStatement') as Node[];
  const last = body[body.length - 1];
  const call = last?.type === 'ExpressionStatement' ? last.expression as Node : null;
  if (!call || call.type !== 'CallExpression' || call.arguments.length) return null;
  const fn = call.callee as Node;
  if (fn.type !== 'ArrowFunctionExpression' || fn.params.length || fn.async || fn.body.type !== 'BlockStatement') return null;
  // before it, only directives and assignments of a literal (tsx's `__filename="…"`): no code of the
  // module's own outside the arrow, which would compile in the arrow's scope once the eval is there
  const before = body.slice(0, -1);
  const literalAssignment = (e: Node) => e.type === 'AssignmentExpression' && e.left.type === 'Identifier' && e.right.type === 'Literal';
  return before.every((st) => st.type === 'ExpressionStatement' && (typeof st.directive === 'string' || literalAssignment(st.expression))) ? fn : null;
}

function isConstructor(s: Scan): boolean {
  return s.parent?.type === 'MethodDefinition' && s.parent.kind === 'constructor';
}

/** Can `new` call it? (A plain function: not a method, arrow, async function or generator.) */
function constructible(s: Scan): boolean {
  const f = s.fn;
  if (f.type === 'ArrowFunctionExpression' || f.async || f.generator) return false;
  const p = s.parent;
  if (p && (p.type === 'MethodDefinition' || (p.type === 'Property' && (p.method || p.kind !== 'init')))) return false;
  return true;
}

/**
 * The environment a dispatch passes to its slot's factory: an instance of the class the compiled code
 * hangs on the factory (`slot.E`, src/patch/swap-compile.ts envClass), made from one reader and one
 * writer per name, in the order of `names`. An object literal with a getter and a setter per name
 * was 20-70x slower per call (V8 builds such a literal in its runtime on every call); a class
 * instance holding two arrows is allocated inline, and its getters inline.
 */
function envObject(slot: string, names: string[], ref: (name: string) => string): string {
  return `new ${slot}.E(` + names.map((n) => `()=>${ref(n)},(__ec$v)=>{${ref(n)}=__ec$v}`).join(',') + ')';
}

/** Where a function's dispatch sends calls, and how (see SwapSite). */
export interface DispatchShape {
  n: number;
  env: string[];
  mode: ForwardMode;
  /**
   * `new` passes `new.target` on (Reflect.construct): only for a plain function that uses new.target.
   * Any other function called with `new` passes the object `new` made as `this`, which is the same
   * to a body that does not read new.target, and keeps the dispatch short.
   */
  construct?: boolean;
  /**
   * A base class's constructor that returns no value: its dispatch calls the new code in place of the
   * body (`if(…){slot.call(this,…)}else{body}`) instead of returning what it returns. Any `return` in a
   * constructor, even one never taken, kept V8 from removing the allocation of `new C(…)` in hot code
   * (2x slower on Node 20-26: docs/swap.md, "Constructors in hot code"). A save of such a constructor
   * that returns a value is refused (EC210): `new` would not see it.
   */
  returnless?: boolean;
}

/** What the controller changes when it transforms one function of a saved text for a swap (./swap-compile.ts). */
export interface SwapHooks {
  /** The shape of a function's dispatch (null: none). Default: the next number, with the env and mode computed here. */
  shape?(fn: Node, computed: { env: string[]; mode: ForwardMode; construct: boolean; returnless: boolean }): DispatchShape | null;
  /** How a getter of an environment object reads `name` (default: the name itself). */
  envRef?(name: string, fn: Node): string;
  /** The number of a class's global (default: 0, 1, 2 …), given the class and its kind (`k`, `p`: classNeeds). */
  classNumber?(node: Node, kind: 'k' | 'p'): number;
  /** Define the slots and plant the module's scope at the top (a module's load; not for a swap). */
  prologue: boolean;
  /** The text's kind, for the prologue: a script module has node's CommonJS wrapper's names in its scope. */
  kind?: SourceKind;
}

/** The function's own dispatch text and where it goes (after the boundary's prefix at the same offset). */
/**
 * The `super(…)` statement a derived class's constructor starts with (after its directives), or null.
 * The swap engine dispatches a derived constructor right after it (`this` exists only from there).
 */
export function leadingSuperCall(fn: Node): Node | null {
  if (fn.body?.type !== 'BlockStatement') return null;
  const first = (fn.body.body as Node[]).find((st) => typeof st.directive !== 'string');
  return first?.type === 'ExpressionStatement' && first.expression.type === 'CallExpression' && first.expression.callee.type === 'Super' ? first : null;
}

/**
 * A concise arrow that makes a function and does nothing else: `(k) => (x) => x * k` (curried code),
 * `(options) => (req, res, next) => …`. It gets no dispatch of its own (a concise arrow gets no retry
 * boundary either). With one it was over V8's limit for inlining a function at once (27-30 bytes of
 * bytecode), and `mk(k)(x)` stopped being one inlined call whose closure escape analysis removes:
 * 2-12x slower than under LiveEdit (docs/swap.md, "The closure factory"). What it makes has its
 * dispatch, so a change inside that function is swapped as any; a change of the arrow's own code
 * (its parameters, its body becoming more than the function) is refused (swap-plan.ts), as for any
 * function loaded without a dispatch. A block body (`{ return function … }`) keeps both: without its
 * boundary, a save that adds a statement before the `return` would move the closure into the
 * boundary's block, which LiveEdit refuses (EC207).
 */
export function closureMaker(fn: Node): boolean {
  if (fn.type !== 'ArrowFunctionExpression' || !fn.expression || fn.async) return false;
  return fn.body.type === 'ArrowFunctionExpression' || fn.body.type === 'FunctionExpression';
}

/**
 * Can a base class's constructor take the dispatch that runs the new code in place of its body
 * (DispatchShape.returnless)? When its own code returns no value, and its body means the same inside
 * a block (the `else` the dispatch opens).
 */
function returnlessBody(fn: Node, text: string): boolean {
  return fn.body?.type === 'BlockStatement' && !returnsValue(fn) && !blockChangesMeaning(fn.body, text, text.includes('eval'));
}

/** Does a function's own code (not the functions inside it) have a `return` with a value? */
export function returnsValue(fn: Node): boolean {
  let found = false;
  const visit = (node: Node): void => {
    if (found) return;
    if (node.type === 'ReturnStatement' && node.argument) { found = true; return; }
    forEachChild(node, (child) => { if (!isFunction(child)) visit(child); });
  };
  visit(fn.body);
  return found;
}

/**
 * Where a constructor's dispatch goes: undefined for any other function (its body's start), the
 * leading `super(…)` statement of a derived class's constructor (after it), or null: none (a derived
 * constructor that does not start with one, or whose call holds a function, which would come before
 * its dispatch in the text).
 */
function constructorDispatch(s: Scan, derived: boolean): Node | null | undefined {
  if (!isConstructor(s)) return undefined;
  if (!derived) return undefined;
  const st = leadingSuperCall(s.fn);
  let holdsFunction = false;
  if (st) forEachFunction(st, () => { holdsFunction = true; });
  return st && !holdsFunction ? st : null;
}

function dispatchInsertions(s: Scan, text: string, module: string, shape: DispatchShape, envRef: (name: string) => string, after?: Node): Insertion[] {
  const fn = s.fn;
  const slot = slotName(module, shape.n);
  const target = shape.env.length ? `${slot}(${envObject(slot, shape.env, envRef)})` : slot;
  const mode = shape.mode;
  const args = mode === 'a' ? '' : forwardArgs(fn.params, mode);
  const call = mode === 'a' ? `${target}.apply(this,arguments)` : `${target}.call(this${args ? ',' + args : ''})`;
  const construct = mode === 'a' ? `Reflect.construct(${target},arguments,new.target)` : `Reflect.construct(${target},[${args}],new.target)`;
  const meta = `${shape.n};${shape.env.join(',')};${mode}${shape.construct ? 'n' : ''}${shape.returnless ? 'v' : ''}`;
  // an async function awaits its new code: the callers awaiting it stay in the await chain V8 keeps,
  // which the program's own stack traces (`at async f`) and the stops (src/session/unhandled.ts) read
  const passed = fn.async && !fn.generator ? `await ${call}` : call;
  if (fn.body.type !== 'BlockStatement') {
    return [
      { at: fn.body.start, text: `${open(meta)}(typeof ${slot}==="function"?${passed}:${CLOSE}` },
      { at: fn.body.end, text: `${open('')})${CLOSE}` },
    ];
  }
  const statements: Node[] = fn.body.body;
  let first = 0;
  while (first < statements.length && typeof statements[first].directive === 'string') first++;
  const at = first === 0 ? fn.body.start + 1 : statements[first - 1].end;
  const lead = first > 0 && !text.slice(statements[first - 1].start, at).endsWith(';') ? ';' : '';
  const value = fn.generator ? `yield*${call}` : shape.construct ? `new.target===void 0?${call}:${construct}` : passed;
  if (after) {
    // after a derived constructor's super(…) statement, which may end without its `;`
    return [{ at: after.end, text: `${open(meta)}${text.slice(after.start, after.end).endsWith(';') ? '' : ';'}if(typeof ${slot}==="function")return ${value};${CLOSE}` }];
  }
  // the boundary's prefix at the same offset brings its own `;` after a directive
  const boundaryLead = lead !== '' && insertionsFor(fn, text, text.includes('eval')).length > 0;
  const test = `${boundaryLead ? '' : lead}${open(meta)}if(typeof ${slot}==="function")`;
  if (shape.returnless) {
    // the new code runs in place of the body, which it skips: no `return` (see DispatchShape)
    if (first === statements.length) return [{ at, text: `${test}{${call}}${CLOSE}` }];
    return [
      { at, text: `${test}{${call}}else{${CLOSE}` },
      { at: fn.body.end - 1, text: `${open('')}}${CLOSE}`, first: true },
    ];
  }
  return [{ at, text: `${test}return ${value};${CLOSE}` }];
}

/** The forwarding mode the transform gives a function. */
function modeOf(s: Scan): ForwardMode {
  const arrow = s.fn.type === 'ArrowFunctionExpression';
  return !arrow && s.usesArguments ? 'a' : simpleParams(s.fn.params) ? 'p' : 'b';
}

/**
 * What a class needs for its swapped-in methods (null: nothing), beyond the module's scope object and
 * the environments (which reach a block of the top level's names too):
 * - `ref`, the class itself, held by a global its static block defines: `super` of a class that
 *   extends another (a method is compiled with the parent read from it), and the own name of a named
 *   class expression (read through it, from its methods and from classes inside it);
 * - `private`, as `ref`, and the class's #private names, reached by swapped-in code (its own methods',
 *   and those of classes inside it that use them) through small accessors the same static block
 *   makes (privateAccessors; src/patch/swap-private.ts rewrites `this.#x` to calls of them).
 * No class needs an eval (one made V8 keep every top-level value of the file: docs/swap.md, "The
 * module's scope"); the `c` kind of class global is read back from texts an earlier version made.
 * A static block per class cost 2,000 classes ~25 ms of their start (docs/swap.md, "Load time").
 */
function classNeeds(node: Node): 'private' | 'ref' | null {
  if (privateNames(node.body).size > 0) return 'private';
  return node.superClass != null || (node.type === 'ClassExpression' && node.id != null) ? 'ref' : null;
}

/** The global a class's static block defines (true) when the class of global `ref` is made a second time. */
export const classManyName = (ref: string): string => `${ref}m`;

/** The #private names a class body declares (fields, methods, accessors, static or not), without the `#`. */
export function privateNames(body: Node): Set<string> {
  const out = new Set<string>();
  for (const m of body.body) if (m.key?.type === 'PrivateIdentifier') out.add(m.key.name);
  return out;
}

/** A use of a #private name: `obj.#x` (a MemberExpression) or `#x in obj` (a BinaryExpression). */
export interface PrivateReference { name: string; node: Node; parent: Node | null }

/**
 * The uses of #private names under `root` (a function or a class) that a class inside it does not
 * declare: those of root's own class, or of classes around it. A class's `extends` is outside its
 * private names, as in the language.
 */
export function privateReferences(root: Node): PrivateReference[] {
  const out: PrivateReference[] = [];
  const bound: Set<string>[] = [];
  const free = (name: string) => !bound.some((s) => s.has(name));
  const visit = (node: Node, parent: Node | null): void => {
    if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node !== root) {
      if (node.superClass) visit(node.superClass, node);
      bound.push(privateNames(node.body));
      visit(node.body, node);
      bound.pop();
      return;
    }
    if (node.type === 'MemberExpression' && node.property.type === 'PrivateIdentifier' && free(node.property.name)) out.push({ name: node.property.name, node, parent });
    if (node.type === 'BinaryExpression' && node.left.type === 'PrivateIdentifier' && free(node.left.name)) out.push({ name: node.left.name, node, parent });
    forEachChild(node, (c) => visit(c, node));
  };
  visit(root, null);
  return out;
}

/**
 * The accessors of a class's #private names, made in its static block where the names can be
 * written, each a small arrow a swapped-in method calls instead (src/patch/swap-private.ts): `g`
 * read, `s` write, `h` `#x in o`, `c` call with the object as `this`, `u` a compound assignment (the
 * new value from the old), `i` `++`/`--` (d: up, p: postfix). A use the class's own code could not
 * make (writing a method, reading an object without the name) throws what it would have thrown.
 */
export function privateAccessors(names: Iterable<string>): string {
  // a literal of plain keys, which V8 keeps in fast mode (one with `__proto__:null` is a dictionary:
  // reads of it made swapped code 2-4x slower); a class may name one `#__proto__`: as a key it is
  // computed, not the literal's prototype
  return `{${[...names].map((n) => `${n === '__proto__' ? '["__proto__"]' : n}:{g:o=>o.#${n},s:(o,v)=>o.#${n}=v,h:o=>#${n} in o,c:(o,...a)=>o.#${n}(...a),u:(o,f)=>o.#${n}=f(o.#${n}),i:(o,d,p)=>p?d?o.#${n}++:o.#${n}--:d?++o.#${n}:--o.#${n}}`).join(',')}}`;
}

/** Does `text` name the identifier `name` (not as a property after a dot)? A test on the text, comments and strings included. */
export function mentions(text: string, name: string): boolean {
  return new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
}

/** The parameters of node's CommonJS module wrapper: in every script module's scope. */
export const CJS_WRAPPER: readonly string[] = ['exports', 'require', 'module', '__filename', '__dirname'];

/**
 * `require(…)`, `require(…).x`, `require(…)(…)`, `await import(…)`, and a loader's helper around one
 * (`__toESM(require(…))`, tsc's `__importStar(require(…))`): a value the module cache holds anyway.
 */
function isModuleValue(init: Node | null | undefined, depth = 0): boolean {
  let e = init;
  if (e?.type === 'AwaitExpression') e = e.argument;
  while (e) {
    if (e.type === 'ImportExpression') return true;
    if (e.type === 'CallExpression' && e.callee.type === 'Identifier' && e.callee.name === 'require') return true;
    if (e.type === 'CallExpression' && depth < 2 && e.arguments.some((a: Node) => isModuleValue(a, depth + 1))) return true;
    e = e.type === 'MemberExpression' ? e.object : e.type === 'CallExpression' ? e.callee : e.type === 'ChainExpression' ? e.expression : null;
  }
  return false;
}

/**
 * The names a module (or a loader's module wrapper, `body` being its statements) declares at its top
 * level, each with whether keeping it costs nothing: a function or class declaration, an import, a
 * `require`d value (kept by the module cache anyway), node's CommonJS wrapper's parameters.
 */
export function topLevelNames(body: Node[], kind: SourceKind): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const add = (names: readonly string[], cheap: boolean) => { for (const n of names) out.set(n, (out.get(n) ?? false) || cheap); };
  if (kind === 'script') add(CJS_WRAPPER, true);
  // `var` anywhere outside functions and classes is the module's
  const vars = (st: Node | null | undefined): void => {
    if (!st) return;
    switch (st.type) {
      case 'VariableDeclaration': if (st.kind === 'var') for (const d of st.declarations) add(boundNames(d.id), isModuleValue(d.init)); return;
      case 'BlockStatement': st.body.forEach(vars); return;
      case 'IfStatement': vars(st.consequent); vars(st.alternate); return;
      case 'ForStatement': vars(st.init); vars(st.body); return;
      case 'ForInStatement': case 'ForOfStatement': vars(st.left); vars(st.body); return;
      case 'WhileStatement': case 'DoWhileStatement': case 'LabeledStatement': vars(st.body); return;
      case 'TryStatement': vars(st.block); vars(st.handler?.body); vars(st.finalizer); return;
      case 'SwitchStatement': for (const c of st.cases) c.consequent.forEach(vars); return;
      case 'ExportNamedDeclaration': vars(st.declaration); return;
    }
  };
  for (const st of body) {
    vars(st);
    const d = st.type === 'ExportNamedDeclaration' || st.type === 'ExportDefaultDeclaration' ? st.declaration : st;
    if (!d) continue;
    if (d.type === 'VariableDeclaration' && d.kind !== 'var') for (const x of d.declarations) add(boundNames(x.id), isModuleValue(x.init));
    if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) add([d.id.name], true);
    if (st.type === 'ImportDeclaration') add(st.specifiers.map((sp: Node) => sp.local.name), true);
  }
  return out;
}

/**
 * What a module's scope factory keeps (docs/swap.md, "The module's scope"): the top-level names that
 * a function of the module already uses (V8 keeps them for that function anyway), those that cost
 * nothing to keep (topLevelNames), and every one when the module has a direct eval of its own
 * (then V8 keeps them all in any case). Anything else is freed after the top
 * level ran, as under plain node, and a swapped-in body cannot use it.
 */
function keptNames(top: Map<string, boolean>, outermost: Scan[], declaredBelow: Map<Scan, Set<string>>, everything: boolean): string[] {
  const kept = new Set<string>();
  for (const [n, cheap] of top) if (cheap || everything) kept.add(n);
  for (const s of outermost) {
    const inside = declaredBelow.get(s)!;
    for (const n of s.referenced) if (top.has(n) && !inside.has(n)) kept.add(n);
  }
  // the accessors are a class's, whose code is strict: a sloppy file's `var package` or `arguments`
  // could not be named there, nor an accessor `constructor`; such a name is not kept
  for (const n of NOT_IN_A_CLASS) kept.delete(n);
  return [...kept].sort();
}

/** Names a sloppy file may declare that its scope class (strict code) could not reach or name. */
export const NOT_IN_A_CLASS: readonly string[] = ['constructor', '__proto__', 'arguments', 'eval', 'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield'];

/**
 * The class of a module's scope object: a getter and a setter for each name (a const's setter throws,
 * as its assignment would). The setter's parameter is `v`, or another short name none of them has.
 */
function scopeClass(names: string[], importer: boolean): string {
  let v = 'v';
  for (let i = 0; names.includes(v); i++) v = `v${i}`;
  return `class{${names.map((n) => `get ${n}(){return ${n}}set ${n}(${v}){${n}=${v}}`).join('')}${importer ? `${MODULE_IMPORTER}(s){return import(s)}` : ''}}`;
}

/** Does a text call import()? (a comment or a string that reads so counts too: the importer costs little) */
export function callsImport(text: string): boolean {
  return /\bimport\s*\(/.test(text);
}

/** The swap insertions for every function and class under `root` (a program, or one function for a swap). */
export function swapInsertions(root: Node, text: string, module: string, hooks: SwapHooks): Insertion[] {
  const wrapper = hooks.prologue ? moduleWrapper(root) : null;
  const { scans, classes } = scanFunctions(root, wrapper);
  if (scans.length === 0 && classes.length === 0) return [];
  const out: Insertion[] = [];
  // names declared in a function or any function inside it
  const declaredBelow = new Map<Scan, Set<string>>();
  for (const s of [...scans].reverse()) {
    const set = declaredBelow.get(s) ?? new Set<string>();
    for (const n of s.declared) set.add(n);
    declaredBelow.set(s, set);
    if (s.up) {
      const up = declaredBelow.get(s.up) ?? new Set<string>();
      for (const n of set) up.add(n);
      declaredBelow.set(s.up, up);
    }
  }
  let n = 0;
  // the constructors of derived classes (their dispatch comes after their super(…) call)
  const derived = new Set<Node>();
  for (const { node } of classes) if (node.superClass) for (const m of node.body.body) if (m.kind === 'constructor') derived.add(m.value);
  for (const s of scans) {
    const after = constructorDispatch(s, derived.has(s.fn));
    if (after === null || closureMaker(s.fn)) continue;
    const computed = { env: envNames(s, declaredBelow, wrapper), mode: modeOf(s), construct: constructible(s) && s.usesNewTarget, returnless: after === undefined && isConstructor(s) && returnlessBody(s.fn, text) };
    const shape = hooks.shape ? hooks.shape(s.fn, computed) : { n: n++, ...computed };
    if (!shape) continue;
    out.push(...dispatchInsertions(s, text, module, shape, (name) => hooks.envRef?.(name, s.fn) ?? name, after));
  }
  let c = 0;
  const define = (name: string, value: string) => `Object.defineProperty(globalThis,"${name}",{__proto__:null,value:${value},configurable:true});`;
  for (const { node } of classes) {
    const needs = classNeeds(node);
    if (needs === null) continue;
    const kind = needs === 'private' ? 'p' : 'k';
    const k = hooks.classNumber ? hooks.classNumber(node, kind) : c++;
    const suffix = kind + k;
    // A class made more than once (a class in a factory, a mixin) is a new class each time. Its
    // #private names are reached through the accessors of the class each object was made by (the
    // runtime's `p`: ./swap-runtime.ts). Its global holds the latest class: when that class has
    // another parent (a mixin) or is a named class expression (its own name is another class), the
    // global says so (classManyName). A swapped method that uses `super` then finds the class of each
    // call (the runtime's `k` and `h`); one that reads the own name through this global is refused (it
    // would reach only the latest class's).
    const ref = slotName(module, `k${k}`);
    const named = node.type === 'ClassExpression' && node.id != null;
    // Made again: the runtime records the classes, so that a swapped method using `super` finds each
    // call's own class once they have more than one parent (./swap-runtime.ts superHomes).
    const many = classManyName(ref);
    const again = `const d=Object.getOwnPropertyDescriptor(globalThis,"${ref}");if(d!==void 0&&d.value!==this){${named ? '' : `if(Object.getPrototypeOf(d.value)!==Object.getPrototypeOf(this))`}${define(many, 'true')}typeof ${SWAP_PROLOGUE_HELPER}==="function"&&${SWAP_PROLOGUE_HELPER}.k("${ref}",d.value,this)}`;
    const holder = slotName(module, suffix);
    const privates = needs !== 'private' ? '' : `typeof ${SWAP_PROLOGUE_HELPER}==="function"&&${SWAP_PROLOGUE_HELPER}.p("${holder}",this,${privateAccessors(privateNames(node.body))});`;
    const body = again + define(ref, 'this') + privates;
    out.push({ at: node.body.start + 1, text: `${open(suffix)}static{${body}}${CLOSE}` });
  }
  if (!hooks.prologue) return out;
  // The prologue: every slot defined (undefined) before the module's code runs, and the module's
  // scope (inside a loader's module wrapper: there, it sees what the user wrote at the top level).
  const body: Node[] = wrapper ? wrapper.body.body : root.body;
  const topScan = wrapper ? scans.find((s) => s.fn === wrapper) ?? null : null;
  const top = topLevelNames(body, hooks.kind ?? 'script');
  if (wrapper) for (const n of CJS_WRAPPER) top.set(n, true);
  // node's wrapper's names cost nothing to keep, but each is text of every module's prologue: kept
  // when the file names them (a swapped body that starts using one the file never named is refused)
  for (const n of CJS_WRAPPER) if (top.get(n) === true && !mentions(text, n)) top.set(n, false);
  const everything = /\beval\b/.test(text);
  const kept = keptNames(top, scans.filter((s) => s.up === topScan && s !== topScan), declaredBelow, everything);
  let first = 0;
  while (first < body.length && typeof body[first].directive === 'string') first++;
  const at = first === 0 ? (body.length ? body[0].start : wrapper ? wrapper.body.end - 1 : text.length) : body[first - 1].end;
  const lead = first > 0 && !text.slice(body[first - 1].start, at).endsWith(';') ? ';' : '';
  out.push({
    at,
    // the hooks define the helper once per thread (./swap-runtime.ts), before any module loads. A
    // thread that runs the text without them gets no slots and no scope: every dispatch finds no
    // function and runs the loaded code, and a save there answers EC310. A copy of the helper in each
    // module for that case (as before) cost 2,000 modules ~25 ms of their start under the inspector.
    text: `${lead}${open('')}typeof ${SWAP_PROLOGUE_HELPER}==="function"&&${SWAP_PROLOGUE_HELPER}("${slotName(module, '')}",${n},()=>new(${scopeClass(kept, callsImport(text))}));${CLOSE}`,
  });
  return out;
}

/** Insertions in the order they go into the text: by offset, then `first` ones, then as given. */
function inTextOrder<E extends { at: number; first?: boolean }>(edits: E[]): E[] {
  return edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || Number(!!b.e.first) - Number(!!a.e.first) || a.i - b.i).map(({ e }) => e);
}

/** Apply insertions (and replacements) to a text; same offsets keep the order they were given in (`first` ones first). */
export function applyEdits(text: string, edits: { at: number; text: string; end?: number; first?: boolean }[], from = 0, to = text.length): string {
  const sorted = inTextOrder(edits);
  let out = '';
  let at = from;
  for (const e of sorted) {
    if (e.at < at) continue;
    out += text.slice(at, e.at) + e.text;
    at = e.end ?? e.at;
  }
  return out + text.slice(at, to);
}
