// Pure: what a save means for the swap engine. It reads the text the program loaded (the swap
// transform's cuts tell each function's slot, environment names and forwarding), compares the saved
// text with what runs now, function by function (keys from ./functions.ts), and says which functions
// to swap and what cannot be applied, with a code (docs/codes.md). Top-level code is never re-run.
import * as acorn from 'acorn';
import { BLOCK_SCOPES, NOT_IN_A_CLASS, closureMaker, SWAP_MARK, blockScopeNames, slotName, forEachChild, isSwapText, leadingSuperCall, keptNamesOf, moduleWrapper, privateNames, privateReferences, returnsValue, swapCuts, swapSite, parseSource, topLevelNames, uncut, type DispatchShape, type Node } from '../inject/boundary';
import { MODULE_IMPORTER, SWAP_PROLOGUE_HELPER } from '../inject/mark';
import { Codes, type Code } from './codes';
import { describeScript, tryParse, withNestedBodiesBlanked, type FunctionRecord, type ModuleKind, type ScriptModel, type SyntaxProblem } from './functions';
import type { ChangedFunction, NotApplied } from './plan';
import { functionUses, type FunctionUses } from './swap-scope';
import { privateEdits } from './swap-private';
import { ownText } from '../util/own-text';
import { LineIndex } from '../util/line-index';
import { changedTopLines, classMembers, notPatched, declarationChanges, explainedLines, fieldChanges, gainedMembers, newDeclarationUse, skeletonTokens, topLevelChanged, topLevelTokens, unmatchedChange, usesWhatTheSaveAdds } from './skeleton';

/** A function node with what the compiler needs to know of where it stands. */
export interface FunctionSite {
  node: Node;
  /** The MethodDefinition or Property that holds a method, getter or setter. */
  member: Node | null;
  /** The class body it is a member of (directly). */
  classOf: Node | null;
  /** Innermost class body around it (member or nested deeper), and its class. */
  insideClass: Node | null;
  classNode: Node | null;
  /** Names declared in blocks of the top level around it (boundary.ts blockScopeNames): its environment passes those it used. */
  topBlocks: Set<string>;
  /** The classes around it, innermost first (their #private names and own names are in its scope). */
  classChain: Node[];
}

/** One script as the program loaded it, and what the swap engine has done to it since. */
export interface SwapState {
  module: string;
  kind: ModuleKind;
  /** The text as the user wrote it (type-stripped for TypeScript), without the transform. */
  original: string;
  model: ScriptModel;
  /** Dispatch shape of each function, by key (from the load, plus functions a swap created). */
  shapes: Map<string, DispatchShape>;
  /** The class eval a function compiles in (by key), or null for the module's. */
  classOf: Map<string, string | null>;
  /** Each function's text as it runs now, nested bodies blanked (withNestedBodiesBlanked), by key. */
  running: Map<string, string>;
  nextSlot: number;
  nextClass: number;
  /** Worked out once per load: the original's function sites and top-level tokens. */
  sites: Map<number, FunctionSite>;
  topTokens: string;
  /**
   * The last text whose every change runs now (nothing refused, top level as loaded), with where its
   * outermost functions are: a save that changes only the inside of one of them is planned from that
   * function alone (planFast). Null: plan the whole text.
   */
  last: LastText | null;
  /** The line each function's running code has it at (as loaded, or as last swapped), by key. */
  runningLine: Map<string, number>;
  /** What the last line-drift note said (it is repeated only when it changes). */
  driftNote: string;
  /**
   * The loader's module wrapper (boundary.ts moduleWrapper: tsx's `(()=>{ … })()`), by key, with its
   * own text as loaded: its own code is the file's top level, which ran once and is never swapped.
   */
  wrapper: { key: string; own: string; holdsScope: boolean } | null;
  /**
   * The module's scope as loaded (boundary.ts keptNames): its top-level names, and those its scope
   * object reaches (the rest were freed after the top level ran). A swapped-in body compiled outside
   * a class eval reads and writes the kept ones through that object, and cannot use the others.
   */
  scope: { top: Set<string>; kept: Set<string>; strict: boolean; importer: boolean };
  /**
   * Top-level functions saves added since the load, by key: each lives in a slot of its own (the
   * function itself, not a newer version of a loaded one), through which swapped-in code calls it
   * (addNewFunctions). `text`: its whole text as it runs now (a change inside a function in it
   * compiles it again).
   */
  added: Map<string, { name: string; n: number; text: string; member?: AddedMember }>;
  /**
   * Where each loaded function's dispatch stands in the running text, by key: V8's 0-based line and
   * the columns it spans. Once a function is swapped its dispatch is a frame of every call, which the
   * program's own stack traces leave out (src/inject/swap-runtime.ts stackFilter).
   */
  dispatchAt: Map<string, DispatchPlace>;
  /** The keys whose dispatch place the program was told (SwapEngine install). */
  hiddenKeys: Set<string>;
}

/** A dispatch's place in the running text: 0-based line, columns [column, end). */
export interface DispatchPlace { line: number; column: number; end: number }

/** A method, getter or setter a save added to a loaded top-level class (SwapUnit.member). */
export interface AddedMember {
  /** The class's name: the module's scope object reaches it. */
  cls: string;
  key: string;
  which: 'value' | 'get' | 'set';
  isStatic: boolean;
}

export interface LastText {
  text: string;
  outer: OuterFunction[];
}

/** An outermost function of a text, with the class around it (-1: none). */
export interface OuterFunction {
  start: number;
  end: number;
  bodyStart: number;
  bodyEnd: number;
  key: string;
  /** The function is a wrapper (FunctionRecord.wrapper): the names inside it do not start with its name. */
  wrapper: boolean;
  name: string;
  declaration: boolean;
  objectMethod: boolean;
  classStart: number;
  classEnd: number;
  /** 1-based line of the start in that text. */
  line: number;
  /** Names of the top level's blocks around it (FunctionSite.topBlocks). */
  topBlocks: string[];
}

function outerFunctions(model: ScriptModel, sites: Map<number, FunctionSite>): OuterFunction[] {
  return model.outermost.map((f) => {
    const site = sites.get(f.start);
    const cls = site?.classNode ?? null;
    return {
      start: f.start, end: f.end, bodyStart: f.bodyStart, bodyEnd: f.bodyEnd, key: f.key, name: f.name, wrapper: !!f.wrapper,
      declaration: site?.node.type === 'FunctionDeclaration',
      objectMethod: site?.member?.type === 'Property',
      classStart: cls ? cls.start : -1, classEnd: cls ? cls.end : -1, line: f.line,
      topBlocks: site ? [...site.topBlocks] : [],
    };
  });
}

export interface SwapUnit {
  record: FunctionRecord;
  site: FunctionSite;
  shape: DispatchShape;
  /**
   * The class's global it compiles with (boundary.ts classNeeds), by suffix: `c3` a class eval (its
   * code is compiled in the class's scope), `k3` the class itself (its code is compiled with the
   * module's scope object, the parent read from the class), `p3` the class and the accessors of its
   * #private names (./swap-private.ts); null: the module's scope object alone.
   */
  classScope: string | null;
  /** The global holding the accessors of each #private name it uses, by name (the class around it that declares the name). */
  privateHolders?: ReadonlyMap<string, string>;
  /** The global holding each named class expression around it whose own name it uses, by name. */
  classNames?: ReadonlyMap<string, string>;
  /**
   * Its code did not change, but its lines moved (lines added or removed above it): it is compiled
   * again at its new lines (placeMoved), so that its stack traces and breakpoints stay right. Not
   * reported among the functions patched.
   */
  moved?: true;
  /** A top-level function this save adds, or one an earlier save added (SwapState.added): its slot holds it. */
  added?: true;
  /**
   * The first version of a function this save adds gets a dispatch of its own, as a loaded function
   * has, to this slot: later versions go there, so that a call of the first (its callers hold it) and
   * `retry` or `restart` of its frame run the newest.
   */
  dispatch?: DispatchShape;
  /** The globals that stand for the top-level functions saves added, by name: swapped-in code refers to them through these. */
  addedGlobals?: ReadonlyMap<string, string>;
  /** Added to a class (with `added`): its first version is defined on the class, as the class would have it. */
  member?: AddedMember;
}

/** `next`: what state.last becomes once the plan is carried out (absent: null, plan whole texts). */
export type SwapPlan =
  | { kind: 'unchanged'; next?: LastText }
  | { kind: 'syntax-error'; problem: SyntaxProblem }
  | { kind: 'nothing'; notApplied: NotApplied[] }
  | { kind: 'swap'; units: SwapUnit[]; changed: ChangedFunction[]; notApplied: NotApplied[]; warnings: NotApplied[]; model: ScriptModel; sites: Map<number, FunctionSite>; next?: LastText; driftNote?: string; reserve?: number };

/** The ranges the load-time transform added to a swap text (all delimited, the mark last), with their notes. */
function transformCuts(text: string): { start: number; end: number; meta?: string }[] {
  return [...swapCuts(text), { start: text.length - SWAP_MARK.length, end: text.length }];
}

/**
 * Every function of a parsed text by its start offset, with its member and class. `around`: names of
 * top-level blocks around the whole text (a function parsed alone: planFast); `wrapper`: a loader's
 * module wrapper, whose blocks count as the top level's (as boundary.ts scanFunctions counts them).
 */
export function functionSites(program: Node, around: Set<string> = new Set(), wrapper: Node | null = moduleWrapper(program)): Map<number, FunctionSite> {
  const out = new Map<number, FunctionSite>();
  // the names of the top level's blocks around the node visited (shared by the functions inside them)
  let topBlocks = around;
  // the classes around the node visited, innermost first (shared by the functions inside them)
  let chain: Node[] = [];
  const visit = (node: Node, parent: Node | undefined, cls: Node | null, clsNode: Node | null, inFunction: boolean): void => {
    let inside = cls;
    let insideNode = clsNode;
    let deeper = inFunction;
    const around = chain;
    if (node.type === 'ClassBody') { inside = node; insideNode = parent ?? null; if (parent) chain = [parent, ...chain]; }
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') {
      const member = parent && (parent.type === 'MethodDefinition' || (parent.type === 'Property' && (parent.method || parent.kind !== 'init')) ) && parent.value === node ? parent : null;
      out.set(node.start, { node, member, classOf: member?.type === 'MethodDefinition' ? cls : null, insideClass: cls, classNode: clsNode, topBlocks, classChain: chain });
      if (node !== wrapper) deeper = true;
    }
    const outer = topBlocks;
    const block = !deeper && node !== wrapper?.body && BLOCK_SCOPES.has(node.type) ? blockScopeNames(node) : [];
    if (block.length) topBlocks = new Set([...outer, ...block]);
    forEachChild(node, (c) => visit(c, node, inside, insideNode, deeper));
    topBlocks = outer;
    chain = around;
  };
  visit(program, undefined, null, null, false);
  return out;
}

/**
 * Read a running text: the original text and each function's dispatch shape. Null when the text
 * has no swap indirection (loaded under the LiveEdit engine, or not transformed).
 */
export function readLoaded(running: string, kind: ModuleKind): SwapState | null {
  if (!isSwapText(running)) return null;
  const { text: original, cuts } = uncut(running, transformCuts(running));
  const fnSites: { at: number; shape: DispatchShape; place: DispatchPlace }[] = [];
  const lines = new LineIndex(running);
  const classSites = new Map<number, { n: number; suffix: string }>();
  let module = '';
  let prologueAt = -1;
  let kept: string[] = [];
  let importer = false;
  for (const c of cuts) {
    const pos = c.at;
    if (c.meta !== undefined) {
      const s = swapSite(c.meta, pos);
      if (s.what === 'f') {
        const { line, column } = lines.position(c.start);
        fnSites.push({ at: pos, shape: { n: s.n, env: s.env, mode: s.mode, ...(s.construct ? { construct: true } : {}), ...(s.returnless ? { returnless: true } : {}) }, place: { line, column, end: column + (c.end - c.start) } });
      }
      if (s.what === 'c' || s.what === 'k' || s.what === 'p') classSites.set(pos, { n: s.n, suffix: `${s.what}${s.n}` });
      const inserted = running.slice(c.start, c.end);
      if (!module) module = /__ec\$(m[0-9a-f]+)\$/.exec(inserted)?.[1] ?? '';
      if (prologueAt < 0 && inserted.includes(`${SWAP_PROLOGUE_HELPER}(`)) { prologueAt = pos; kept = keptNamesOf(inserted); importer = inserted.includes(`${MODULE_IMPORTER}(s){`); }
    }
  }
  let program: acorn.Program;
  try { program = parseSource(original, kind); } catch { return null; }
  const model = describeScript(original, kind, program);
  const sites = functionSites(program as Node);
  const state: SwapState = {
    module, kind, original, model,
    shapes: new Map(), classOf: new Map(), running: new Map(),
    nextSlot: 0, nextClass: 0,
    sites, topTokens: topLevelTokens(model, kind), last: null,
    runningLine: new Map(model.functions.map((f) => [f.key, f.line])), driftNote: '',
    wrapper: wrapperOf(model, program, prologueAt),
    scope: { top: new Set(), kept: new Set(kept), strict: kind === 'module', importer },
    added: new Map(),
    dispatchAt: new Map(), hiddenKeys: new Set(),
  };
  const wrapperNode = state.wrapper?.holdsScope ? moduleWrapper(program as Node) : null;
  const topBody: Node[] = wrapperNode ? wrapperNode.body.body : (program as Node).body;
  state.scope.top = new Set(topLevelNames(topBody, kind).keys());
  const useStrict = (body: Node[]) => { for (const st of body) { if (typeof st.directive !== 'string') return false; if (st.directive === 'use strict') return true; } return false; };
  state.scope.strict ||= useStrict((program as Node).body) || (wrapperNode !== null && useStrict(topBody));
  state.last = { text: original, outer: outerFunctions(model, sites) };
  for (const s of fnSites) state.nextSlot = Math.max(state.nextSlot, s.shape.n + 1);
  for (const { n } of classSites.values()) state.nextClass = Math.max(state.nextClass, n + 1);
  // a function's dispatch is the first site in its body, before any function inside it
  const sorted = fnSites.sort((a, b) => a.at - b.at);
  let i = 0;
  const byStart = [...model.functions].sort((a, b) => a.bodyStart - b.bodyStart);
  for (const f of byStart) {
    while (i < sorted.length && sorted[i].at < f.bodyStart) i++;
    const s = sorted[i];
    const firstChild = f.children.reduce((m, c) => Math.min(m, c.start), f.bodyEnd);
    if (s && s.at <= firstChild && s.at < f.bodyEnd + (original[f.bodyStart] === '{' ? 0 : 1)) { state.shapes.set(f.key, s.shape); state.dispatchAt.set(f.key, s.place); }
    state.running.set(f.key, withNestedBodiesBlanked(original, f));
    const site = sites.get(f.start);
    const cls = site?.insideClass ?? null;
    state.classOf.set(f.key, cls ? classSites.get(cls.start + 1)?.suffix ?? null : null);
  }
  return state;
}

function isArrow(site: FunctionSite): boolean {
  return site.node.type === 'ArrowFunctionExpression';
}

/**
 * What a function is, as a kind change says it, in the LiveEdit planner's words (skeleton.ts
 * functionForm: `a method`, `an arrow function`, `a function`) with what else tells kinds apart
 * here: `a static getter`, `an async generator method`.
 */
function describeKind(f: FunctionRecord, site: FunctionSite): string {
  const m = site.member;
  const form = !m ? (isArrow(site) ? 'arrow function' : 'function') : m.kind === 'get' ? 'getter' : m.kind === 'set' ? 'setter' : 'method';
  const words = [m?.static ? 'static' : '', f.async ? 'async' : '', f.generator ? 'generator' : '', form].filter(Boolean).join(' ');
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

function paramsText(text: string, node: Node): string {
  const ps: Node[] = node.params;
  return ps.length ? text.slice(ps[0].start, ps[ps.length - 1].end).replace(/\s+/g, '') : '';
}

function ancestorsDeclare(f: FunctionRecord, name: string, reachable: string | null): boolean {
  for (let p = f.parent; p && p.key !== reachable; p = p.parent) if (p.declared.has(name)) return true;
  return false;
}

/** The class global (boundary.ts classNeeds: `k3`, `p3`, …) of a class of the loaded text: that of any function directly in it. */
function classSuffix(state: SwapState, cls: Node): string | null {
  for (const [start, s] of state.sites) {
    if (s.insideClass !== cls.body) continue;
    const key = state.model.functions.find((g) => g.start === start)?.key;
    const suffix = key === undefined ? undefined : state.classOf.get(key);
    if (suffix) return suffix;
  }
  return null;
}

/**
 * Where the swapped-in code of a function reaches the classes around it (its site in the loaded text,
 * `oldSite`): for each #private name it uses, the accessors of the nearest class that declares it;
 * for each named class expression's own name it uses, that class. Or why it cannot.
 */
function classGlobals(state: SwapState, oldSite: FunctionSite, node: Node, uses: ReturnType<typeof functionUses>, saved: string, shadowed: (name: string) => boolean): { holders: Map<string, string>; names: Map<string, string> } | { refused: string; code: Code } {
  const holders = new Map<string, string>();
  const names = new Map<string, string>();
  for (const { name } of privateReferences(node)) {
    if (holders.has(name)) continue;
    const cls = oldSite.classChain.find((c) => privateNames(c.body).has(name));
    if (!cls) return { refused: `it uses #${name}, which the running class does not have`, code: Codes.ClassShape };
    const suffix = classSuffix(state, cls);
    if (!suffix?.startsWith('p')) return { refused: `it uses #${name} of a class whose private names swapped-in code cannot reach`, code: Codes.SwapUnsupported };
    holders.set(name, slotName(state.module, suffix));
  }
  const holderOf = (n: string) => holders.get(n);
  const forms = privateEdits(node, saved, holderOf);
  if ('refused' in forms) return { refused: forms.refused, code: Codes.SwapUnsupported };
  for (const r of uses.free) {
    if (names.has(r.name) || shadowed(r.name)) continue;
    const cls = oldSite.classChain.find((c) => c.type === 'ClassExpression' && c.id?.name === r.name);
    if (!cls) continue;
    const suffix = classSuffix(state, cls);
    if (!suffix || suffix.startsWith('c')) return { refused: `it uses ${r.name}, the own name of a class expression around it, which swapped-in code cannot reach`, code: Codes.SwapUnsupported };
    names.set(r.name, slotName(state.module, `k${suffix.slice(1)}`));
  }
  return { holders, names };
}

/** The super(…) calls of a constructor's own code (its arrows' included). */
function superCalls(fn: Node): number {
  let n = 0;
  const visit = (node: Node): void => {
    if (node !== fn && (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration' || node.type === 'ClassExpression')) return;
    if (node.type === 'CallExpression' && node.callee.type === 'Super') n++;
    forEachChild(node, visit);
  };
  visit(fn);
  return n;
}

/** Can this changed function be swapped? A reason when not. */
function refusal(state: SwapState, oldF: FunctionRecord, oldSite: FunctionSite, f: FunctionRecord, site: FunctionSite, shape: DispatchShape | undefined, saved: string): NotApplied | null {
  const at = { line: f.line };
  const ctor = site.member?.kind === 'constructor';
  if (!shape) {
    if (closureMaker(oldSite.node)) {
      return { code: Codes.SwapConstructor, ...at, message: notPatched(f.name, `an arrow that only makes a function has no dispatch of its own (so that V8 inlines it: docs/swap.md), and this save changes its own code (its parameters, or what its body is); changes inside the function it makes are swapped (restart to use this one)`) };
    }
    return { code: Codes.SwapConstructor, ...at, message: notPatched(f.name, `${ctor ? "a derived class's constructor that does not start with its super(…) call" : 'a function loaded without a dispatch'} cannot be swapped (restart to use it, or move the code into a method it calls)`) };
  }
  if (ctor && (site.classNode?.superClass != null || oldSite.classNode?.superClass != null)) {
    // a derived class's constructor runs the swapped-in code after its super(…) call, which stays the running one
    const [was, now] = [leadingSuperCall(oldSite.node), leadingSuperCall(site.node)];
    const text = (t: string, n: Node | null) => (n ? t.slice(n.start, n.end).replace(/\s+|;$/g, '') : null);
    if (!now || text(saved, now) !== text(state.original, was) || superCalls(site.node) > 1) {
      return { code: Codes.SwapConstructor, ...at, message: notPatched(f.name, `the swapped-in code of a derived class's constructor runs after its super(…) call, which must stay its first statement, as it is, and its only one (restart to use it)`) };
    }
  }
  if (ctor && shape.returnless && returnsValue(site.node)) {
    return { code: Codes.SwapConstructor, ...at, message: notPatched(f.name, `it now returns a value, which \`new\` would not see: the constructor's dispatch runs the new code in place of its body, without a \`return\`, so that \`new\` stays fast in hot code (docs/swap.md; restart to use it)`) };
  }
  const [wasKind, nowKind] = [describeKind(oldF, oldSite), describeKind(f, site)];
  if (wasKind !== nowKind || !!oldSite.member?.computed !== !!site.member?.computed) {
    return { code: Codes.SwapKind, ...at, message: notPatched(f.name, `it changed from ${wasKind} to ${nowKind} (restart to use it)`) };
  }
  const uses = functionUses(site.node);
  if (isArrow(site) && (uses.usesArguments || uses.usesSuper || uses.usesNewTarget)) {
    const what = uses.usesArguments ? 'arguments' : uses.usesSuper ? 'super' : 'new.target';
    return { code: Codes.SwapUnsupported, ...at, message: notPatched(f.name, `a swapped-in arrow function cannot use ${what} (restart, or move that use into the enclosing function)`) };
  }
  if (uses.usesNewTarget && !shape.construct && !isArrow(site)) {
    return { code: Codes.SwapUnsupported, ...at, message: notPatched(f.name, `it now uses new.target, which the running version does not pass on (restart to use it)`) };
  }
  if (uses.usesSuper && site.member?.type === 'Property') {
    return { code: Codes.SwapUnsupported, ...at, message: notPatched(f.name, `a swapped-in object literal method cannot use super (restart to use it)`) };
  }
  const inModule = !state.classOf.get(oldF.key)?.startsWith('c');
  if (inModule && uses.free.some((r) => r.name === 'eval' && r.callee)) {
    return { code: Codes.SwapUnsupported, ...at, message: notPatched(f.name, `a swapped-in body is compiled apart from its module, so a direct eval in it would not see the module's variables (restart to use it)`) };
  }
  // #private names and own names of the classes around it: through the globals of those classes
  const classScope = state.classOf.get(oldF.key) ?? null;
  const globals = inModule ? classGlobals(state, oldSite, site.node, uses, saved, (n) => ancestorsDeclare(f, n, null)) : { holders: new Map<string, string>(), names: new Map<string, string>() };
  if ('refused' in globals) return { code: globals.code, ...at, message: notPatched(f.name, `${globals.refused} (restart to use it)`) };
  if (/\bimport\s*\.\s*meta\b/.test(saved.slice(f.start, f.end))) {
    return { code: Codes.SwapUnsupported, ...at, message: notPatched(f.name, `a swapped-in body cannot use import.meta (keep it in a top-level const and use that)`) };
  }
  const imports = importRefusal(state, uses);
  if (imports) return { code: Codes.SwapUnsupported, ...at, message: notPatched(f.name, `${imports}`) };
  const names = [...new Set(uses.free.map((r) => r.name))].filter((n) => n !== 'arguments');
  // (a loader's module wrapper that holds the module's scope is the top level, not an enclosing function)
  const enclosing = (n: string) => ancestorsDeclare(f, n, state.wrapper?.holdsScope ? state.wrapper.key : null);
  const fresh = names.filter((n) => enclosing(n) && !shape.env.includes(n));
  if (fresh.length) {
    return { code: Codes.SwapCapture, ...at, message: notPatched(f.name, `it now uses ${fresh.join(', ')} of the enclosing function, which the running closures do not pass on (restart, or call the enclosing function again after a restart)`) };
  }
  const fromBlock = names.filter((n) => site.topBlocks.has(n) && !shape.env.includes(n) && !enclosing(n));
  if (fromBlock.length) {
    return { code: Codes.SwapCapture, ...at, message: notPatched(f.name, `it now uses ${fromBlock.join(', ')} of the block around it, which the running closures do not pass on (restart to use it)`) };
  }
  // compiled in the module's scope (not a class eval's, which sees all of it): only what it kept
  // (a named class expression's own name is read through the class: swap-compile.ts)
  const freed = inModule ? names.filter((n) => !globals.names.has(n) && state.scope.top.has(n) && !state.scope.kept.has(n) && !site.topBlocks.has(n) && !enclosing(n)) : [];
  const unreachable = freed.filter((n) => NOT_IN_A_CLASS.includes(n));
  if (unreachable.length) {
    return { code: Codes.SwapFreed, ...at, message: notPatched(f.name, `it uses ${unreachable.join(', ')}, a top-level variable whose name strict code cannot write, which the swap engine's compiled code is (restart to use it, or rename the variable)`) };
  }
  if (freed.length) {
    const list = freed.join(', ');
    return { code: Codes.SwapFreed, ...at, message: notPatched(f.name, `it now uses ${list}, a top-level variable no function used when the file loaded, so its value was freed once the top level ran, as under plain node (restart to use it, or keep it in a variable a function already uses)`) };
  }
  const oldNode = oldSite.node;
  const params: Node[] = site.node.params;
  const oldParams: Node[] = oldNode.params;
  if (shape.mode !== 'a' && uses.usesArguments) {
    return { code: Codes.SwapParameters, ...at, message: notPatched(f.name, `it now uses arguments, and the running version passes on only its parameters (restart to use it)`) };
  }
  if (shape.mode === 'b' && paramsText(saved, site.node) !== paramsText(state.original, oldNode)) {
    return { code: Codes.SwapParameters, ...at, message: notPatched(f.name, `its parameter list with defaults or destructuring changed; only the body of such a function can be swapped (restart to use it)`) };
  }
  const oldRest = oldParams.length > 0 && oldParams[oldParams.length - 1].type === 'RestElement';
  if (shape.mode === 'p' && !oldRest && params.length > oldParams.length) {
    return { code: Codes.SwapParameters, ...at, message: notPatched(f.name, `it now takes ${params.length} parameters and the running version passes on ${oldParams.length} (restart, or add a rest parameter first)`) };
  }
  return null;
}

function topLevelReasons(oldM: ScriptModel, newM: ScriptModel, kind: ModuleKind, fieldsOnly: boolean, present: ReadonlySet<string> = new Set(), why: ReadonlyMap<string, string> = new Map()): { notApplied: NotApplied[]; added: Set<string> } {
  const { notApplied, added } = declarationChanges(oldM, newM, present, why);
  const members = (m: ScriptModel) => new Set(m.outermost.filter((f) => f.name.includes('.')).map((f) => f.name));
  const before = members(oldM);
  const after = members(newM);
  const newMembers = [...after].filter((n) => !before.has(n) && !present.has(n) && oldM.topDeclared.get(n.split('.')[0])?.kind === 'class');
  const lost = [...before].filter((n) => !after.has(n) && newM.topDeclared.get(n.split('.')[0])?.kind === 'class');
  // a member the swap engine would have added but could not says why (addNewMembers); the others together
  for (const n of newMembers) { const w = why.get(n); if (w) notApplied.push({ code: Codes.ClassShape, message: w }); }
  const gained = newMembers.filter((n) => !why.has(n));
  if (gained.length || lost.length) {
    notApplied.push({ code: Codes.ClassShape, message: `${[...gained.map((n) => `${n} is new`), ...lost.map((n) => `${n} is gone`)].join(', ')}: a loaded class cannot change its members (restart to use them)` });
  }
  // (fields: what they run is no function, and each change has its own reason; `fieldsOnly`: nothing
  // else of the top level changed)
  // (in the order the LiveEdit planner says them: plan.ts describeTopLevel)
  const fields = fieldChanges(oldM, newM, kind);
  const others = notApplied.length;
  notApplied.push(...fields.notApplied);
  if (others === 0 && !(fieldsOnly && fields.notApplied.length)) {
    // the lines, as the LiveEdit planner names them (functions a save adds are no top-level code here)
    const explained = explainedLines(oldM, newM, new Set([...added, ...present]), fields);
    const { lines, removed } = changedTopLines(oldM, newM, explained);
    // (nothing when all that changed is functions' form, which their own reason says: EC211)
    if (lines.length || removed || !explained.formChanged) notApplied.push(topLevelChanged(lines));
  }
  return { notApplied, added };
}

/** Decide what a save swaps. `saved` is JavaScript (type-stripped for TypeScript). */
export function planSwap(state: SwapState, saved: string): SwapPlan {
  return planFast(state, saved) ?? planWhole(state, saved);
}

/** Offsets at or after `from` move by `delta`. */
function shifted(outer: OuterFunction[], from: number, delta: number, lineDelta: number): OuterFunction[] {
  if (delta === 0 && lineDelta === 0) return outer;
  const at = (x: number) => (x >= from ? x + delta : x);
  // a function that ends before the change (and is not in a class that does not) stays as it was
  return outer.map((o) => (o.end < from && o.classEnd < from ? o : { ...o, start: at(o.start), end: at(o.end), bodyStart: at(o.bodyStart), bodyEnd: at(o.bodyEnd), classStart: o.classStart < 0 ? -1 : at(o.classStart), classEnd: o.classEnd < 0 ? -1 : at(o.classEnd), line: o.start >= from ? o.line + lineDelta : o.line }));
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Functions whose code did not change but whose lines moved (lines added or removed above them) run
 * with the lines they were loaded or last swapped at: stack traces and breakpoints there are off
 * until they change or the program restarts. Said once per change of what is off.
 */
function driftWarning(state: SwapState, moved: { key: string; name: string; line: number }[]): { note: string; warning: NotApplied | null } {
  const off = moved.filter((f) => state.runningLine.get(f.key) !== undefined && state.runningLine.get(f.key) !== f.line);
  const note = off.length ? `${off[0].key}@${off[0].line}:${off.length}` : '';
  if (note === state.driftNote || !off.length) return { note, warning: null };
  const first = off[0];
  const by = first.line - state.runningLine.get(first.key)!;
  const names = off.slice(0, 3).map((f) => f.name).join(', ') + (off.length > 3 ? ` and ${off.length - 3} more` : '');
  return { note, warning: {
    code: Codes.TopLevelCode,
    line: first.line,
    message: `${names} did not change but moved ${Math.abs(by)} line${Math.abs(by) === 1 ? '' : 's'} ${by > 0 ? 'down' : 'up'}: they run with the lines the program has for them, so their stack traces and breakpoints are off until they change or the program restarts`,
  } };
}

/**
 * A save that changes only the inside of one outermost function (the common edit) is planned from
 * that function alone: the rest of the text is the last text, whose every function runs. Only that
 * function (or its class, for #private and super) is parsed, so the cost follows the edit, not the
 * file. Null when that does not hold: plan the whole text.
 */
function planFast(state: SwapState, saved: string): SwapPlan | null {
  const last = state.last;
  if (!last) return null;
  const a = last.text;
  if (saved === a) return { kind: 'unchanged', next: last };
  const min = Math.min(a.length, saved.length);
  let p = 0;
  while (p < min && a.charCodeAt(p) === saved.charCodeAt(p)) p++;
  let q = 0;
  while (q < min - p && a.charCodeAt(a.length - 1 - q) === saved.charCodeAt(saved.length - 1 - q)) q++;
  const oldEnd = a.length - q;
  const delta = saved.length - a.length;
  const o = last.outer.find((f) => f.bodyStart < p && oldEnd < f.bodyEnd);
  if (!o || o.objectMethod) return null;
  const inClass = o.classStart >= 0;
  const from = inClass ? o.classStart : o.start;
  const to = (inClass ? o.classEnd : o.end) + delta;
  // a class or a function expression stands in parentheses, to be an expression statement
  const paren = inClass || !o.declaration;
  // only [from, to) is parsed, at its offsets in the saved text: the text up to it is kept (for
  // lines) but not read, the rest is left out
  let synthetic = saved.slice(0, to);
  let parseFrom = from;
  if (paren) {
    // on characters outside it, not on line breaks: lines stay where they are
    let open = from - 1;
    while (open >= 0 && saved[open] === '\n') open--;
    let close = to;
    while (close < saved.length && saved[close] === '\n') close++;
    if (open < 0 || close >= saved.length) return null;
    synthetic = saved.slice(0, open) + '(' + saved.slice(open + 1, close) + ')';
    parseFrom = open;
  }
  let program: acorn.Program;
  try { program = parseSource(synthetic, state.kind, parseFrom); } catch { return null; }
  const model = describeScript(synthetic, state.kind, program);
  const root = model.functions.find((f) => f.start === o.start);
  if (!root || root.end !== o.end + delta) return null;
  // keys and names as in the whole text: the function's own, with its inner functions' below it
  const subtree: FunctionRecord[] = [];
  const visit = (f: FunctionRecord) => { subtree.push(f); f.children.forEach(visit); };
  visit(root);
  const baseKey = root.key;
  const baseName = root.name;
  for (const f of subtree) {
    if (f.key.startsWith(baseKey)) f.key = o.key + f.key.slice(baseKey.length);
    // (parsed alone, a wrapper is not called where it stands: the names inside it lose its name here)
    const inner = o.wrapper && f.name.startsWith(baseName + '.') ? f.name.slice(baseName.length + 1) : null;
    f.name = f === root ? o.name : inner ?? (f.name.startsWith(baseName) ? o.name + f.name.slice(baseName.length) : f.name);
  }
  root.parent = null;
  // parsed alone: the blocks around it come from the last whole text
  const wrapperNode = o.wrapper ? functionSites(program as Node, new Set(), null).get(o.start)?.node ?? null : null;
  const sites = functionSites(program as Node, new Set(o.topBlocks), wrapperNode);
  // a loader's module wrapper whose own code changed (a declaration, a class member, a statement): a
  // change of the module's top level, which planWhole reads as one
  if (root.key === state.wrapper?.key && wrapperOwn(state, saved, root, sites) !== state.wrapper.own) return null;
  const lineDelta = newlines(saved, p, oldEnd + delta) - newlines(a, p, oldEnd);
  const outer = shifted(last.outer, oldEnd, delta, lineDelta);
  const after = lineDelta !== 0 ? outer.filter((f) => f.start >= oldEnd + delta && state.runningLine.get(f.key) !== undefined && state.runningLine.get(f.key) !== f.line) : [];
  // functions below the edit moved: they are placed again at their lines, from the whole text
  // (planWhole), unless there are too many to (then they drift, and the save says so)
  if (after.length && withinMoveBudget(after)) return null;
  const notApplied: NotApplied[] = [];
  const { units, changed, warnings, drifted } = checkFunctions(state, subtree, sites, saved, notApplied, false, new Set());
  const drift = driftWarning(state, [...drifted, ...after]);
  if (drift.warning) warnings.push(drift.warning);
  const clean = notApplied.length === 0 && warnings.length === 0;
  const next = clean ? { text: saved, outer } : undefined;
  return planOf(units, changed, notApplied, warnings, model, sites, next, drift.note, false, addedGlobalsOf(state));
}

/**
 * The plan of checked functions. Functions moved and placed again are units too; a save that only
 * moved functions (a comment or a blank line added above them) is a swap with no function changed,
 * as LiveEdit's "no function changed (comments or layout)"; one whose moved functions could not all
 * be placed says so (the drift warning), rather than nothing.
 */
function planOf(units: SwapUnit[], changed: ChangedFunction[], notApplied: NotApplied[], warnings: NotApplied[], model: ScriptModel, sites: Map<number, FunctionSite>, next: LastText | undefined, driftNote: string, topChanged = false, globals: ReadonlyMap<string, string> = new Map(), reserve = 0): SwapPlan {
  if (units.length === 0 && (warnings.length === 0 || notApplied.length || topChanged)) {
    if (!topChanged && notApplied.length === 0) return { kind: 'unchanged', next };
    return { kind: 'nothing', notApplied: [...notApplied, ...warnings] };
  }
  if (globals.size) for (const u of units) u.addedGlobals = globals;
  return { kind: 'swap', units, changed, notApplied, warnings, model, sites, next, driftNote, ...(reserve ? { reserve } : {}) };
}

/** The globals of the functions saves added (SwapState.added), by name, and those of `adding` (this save's). */
export function addedGlobalsOf(state: SwapState, adding: readonly SwapUnit[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of state.added.values()) if (!a.member) out.set(a.name, slotName(state.module, a.n));
  for (const u of adding) if (!u.member) out.set(u.record.name, slotName(state.module, u.shape.n));
  return out;
}

/**
 * Why swapped-in code cannot make these `import(…)` calls, or null. It is compiled apart from the
 * module, where import() has no module to resolve from: each call goes through the module's scope
 * object (MODULE_IMPORTER), which a file has when it called import() as it loaded.
 */
function importRefusal(state: SwapState, uses: FunctionUses): string | null {
  if (uses.imports.length === 0) return null;
  if (uses.imports.some((i) => i.options)) return 'its import(…) passes options (import attributes), which swapped-in code cannot pass on (restart to use it)';
  if (!state.scope.importer) return 'it uses import(), which this file did not when it loaded: swapped-in code imports through the module, which was loaded without a way to (restart to use it)';
  return null;
}

/**
 * Why a top-level function a save adds (or changes, once added) cannot run in the module's scope, or
 * null. Its code is compiled in the global scope and reaches the module's names through the scope
 * object (the kept ones), the other added functions through their slots (`reachable`), anything
 * else as a global: a top-level name the module did not keep, or a new one (`top`), would not be there.
 */
function addedRefusal(state: SwapState, f: FunctionRecord, site: FunctionSite, saved: string, top: ReadonlySet<string>, reachable: ReadonlySet<string>): string | null {
  const uses = functionUses(site.node);
  if (uses.free.some((r) => r.name === 'eval' && r.callee)) return 'a direct eval in it would not see the module\'s variables';
  if (/\bimport\s*\.\s*meta\b/.test(saved.slice(f.start, f.end))) return 'it uses import.meta (keep it in a top-level const and use that)';
  const imports = importRefusal(state, uses);
  if (imports) return imports;
  const names = [...new Set(uses.free.map((r) => r.name))].filter((n) => n !== f.name && !state.scope.kept.has(n) && !reachable.has(n));
  // (a script's `top` has node's CommonJS wrapper names: boundary.ts topLevelNames)
  const freed = names.filter((n) => top.has(n));
  if (freed.length) return `it uses ${freed.join(', ')}, which ${freed.length > 1 ? 'are' : 'is'} not in the running module's scope (a top-level name no function used when the file loaded, or a new one)`;
  return null;
}

/** The module wrapper of a loaded text (SwapState.wrapper). */
function wrapperOf(model: ScriptModel, program: acorn.Program, prologueAt: number): SwapState['wrapper'] {
  const node = moduleWrapper(program);
  const f = node && model.functions.find((g) => g.start === node.start);
  // the module's eval planted inside it (boundary.ts swapInsertions): the code in it reaches its locals
  return f ? { key: f.key, own: ownText(model.text, f, f.children), holdsScope: prologueAt > f.bodyStart && prologueAt < f.bodyEnd } : null;
}

/** Plan from the whole saved text. */
export function planWhole(state: SwapState, saved: string): SwapPlan {
  const parsed = tryParse(saved, state.kind);
  if (!parsed.ok) return { kind: 'syntax-error', problem: parsed.problem };
  const newM = describeScript(saved, state.kind, parsed.program);
  const sites = functionSites(parsed.program as Node);
  const notApplied: NotApplied[] = [];
  // functions added at the top level, by earlier saves (present) and by this one (new): when nothing
  // else of the top level changed, the new ones are added (addNewFunctions)
  const oldTop = topView(state, state.model);
  const newTop = topView(state, newM);
  const present = newTop.outermost.filter((f) => state.added.has(f.key));
  const wrapperNode = state.wrapper?.holdsScope ? moduleWrapper(parsed.program as Node) : null;
  const consts = constFunctions(!state.wrapper ? (parsed.program as Node).body : wrapperNode ? wrapperNode.body.body : []);
  // (the top-level names of the running module and of the save: an added function reaches only those the module kept)
  const topNames = new Set([...state.scope.top, ...newTop.topDeclared.keys()]);
  const adds = addNewFunctions(state, oldTop, newTop, sites, saved, present, consts, topNames);
  const members = addNewMembers(state, oldTop, newTop, sites, saved, present, topNames, adds.units, state.nextSlot + 2 * adds.units.length);
  const leftOut = new Map<FunctionRecord, readonly [number, number]>();
  for (const f of [...present, ...adds.units.map((u) => u.record), ...members.units.map((u) => u.record)]) leftOut.set(f, extentOf(f, sites, consts, saved));
  // the top level changed (beside what is added): the program's, or a loader's module wrapper's own code
  const wrapperNow = state.wrapper ? newM.functions.find((f) => f.key === state.wrapper!.key) : undefined;
  const topChanged = state.topTokens !== topLevelTokens(newM, state.kind, leftOut)
    || (wrapperNow !== undefined && ownText(saved, wrapperNow, wrapperNow.children, (g) => leftOut.get(g)) !== state.wrapper!.own);
  const adding = topChanged ? [] : [...adds.units, ...members.units];
  const presentNames = new Set(present.map((f) => f.name));
  // (beside the classes' fields: fieldChanges)
  const fieldsOnly = topChanged && topLevelTokens(state.model, state.kind, undefined, true) === topLevelTokens(newM, state.kind, leftOut, true)
    && (wrapperNow === undefined || skeletonTokens(state.kind, saved, wrapperNow, wrapperNow.children, (g) => leftOut.get(g), newM.fields) === loadedWrapperWithoutFields(state));
  const top = topChanged ? topLevelReasons(oldTop, newTop, state.kind, fieldsOnly, presentNames, new Map([...adds.why, ...members.why])) : { notApplied: [], added: new Set<string>() };
  notApplied.push(...top.notApplied);
  // (members added by earlier saves are the class's now: a function may use them)
  const gained = topChanged ? gainedMembers(oldTop, newTop) : new Map<string, Set<string>>();
  for (const f of present) { const dot = f.name.indexOf('.'); if (dot > 0) gained.get(f.name.slice(0, dot))?.delete(f.name.slice(dot + 1).replace(/^(get|set) /, '')); }
  const { units, changed, warnings, drifted } = checkFunctions(state, newM.functions, sites, saved, notApplied, topChanged, top.added, gained);
  for (const u of adding) changed.push({ name: `${u.record.name} (new)`, line: u.record.line, async: u.record.async, generator: u.record.generator });
  const drift = driftWarning(state, drifted);
  if (drift.warning) warnings.push(drift.warning);
  const clean = notApplied.length === 0 && warnings.length === 0;
  const next = clean ? { text: saved, outer: outerFunctions(newM, sites) } : undefined;
  return planOf([...adding, ...units], changed, notApplied, warnings, newM, sites, next, drift.note, topChanged, addedGlobalsOf(state, adding), 2 * adding.length);
}

/** The loaded module wrapper's own code as tokens, without its classes' fields (planWhole: what else of the top level a save changed). */
function loadedWrapperWithoutFields(state: SwapState): string | undefined {
  const w = state.model.functions.find((f) => f.key === state.wrapper?.key);
  return w && skeletonTokens(state.kind, state.model.text, w, w.children, undefined, state.model.fields);
}

/**
 * The text a function added by a save takes at the top level: a class member's whole definition, else
 * the function, with the call that names it when esbuild keeps names (tsx: `__name(fmt,"fmt");`).
 */
function extentOf(f: FunctionRecord, sites: ReadonlyMap<number, FunctionSite>, consts: ReadonlyMap<number, ConstFunction>, text: string): readonly [number, number] {
  const member = sites.get(f.start)?.member;
  const c = consts.get(f.start);
  return member ? [member.start, member.end] : c ? [c.start, c.end] : [f.start, keepNamesEnd(text, f)];
}

/** Where esbuild's keepNames call right after a function declaration ends (`__name(fmt,"fmt");`), else the function's end. */
function keepNamesEnd(text: string, f: FunctionRecord): number {
  const m = KEEP_NAMES.exec(text.slice(f.end, f.end + f.name.length * 2 + 40));
  return m && m[1] === f.name && m[2] === f.name ? f.end + m[0].length : f.end;
}
const KEEP_NAMES = /^\s*__name\(\s*([\w$]+)\s*,\s*"([\w$]+)"\s*\)\s*;?/;

/**
 * The module's top level as the planner reads it: in a loader's module wrapper that holds the module's
 * scope (tsx's CommonJS `(()=>{ … })()`), the wrapper's body, the functions directly in it and the
 * names it declares (the program's own top level is only the wrapper's call).
 */
function topView(state: SwapState, m: ScriptModel): ScriptModel {
  const wrapper = state.wrapper?.holdsScope ? m.functions.find((f) => f.key === state.wrapper!.key) : undefined;
  return wrapper ? { ...m, outermost: wrapper.children, topDeclared: wrapper.wrapperDeclared ?? new Map() } : m;
}

/**
 * The own text of a loader's module wrapper without the functions and class members earlier saves
 * added (extentOf): what it was at load when nothing else of the top level changed. (planWhole leaves
 * out this save's additions too, from the extents it has.)
 */
function wrapperOwn(state: SwapState, saved: string, wrapper: FunctionRecord, sites: Map<number, FunctionSite>): string {
  const body = sites.get(wrapper.start)?.node.body;
  const consts = body?.type === 'BlockStatement' ? constFunctions(body.body) : new Map<number, ConstFunction>();
  return ownText(saved, wrapper, wrapper.children, (g) => (state.added.has(g.key) ? extentOf(g, sites, consts, saved) : undefined));
}

/** A top-level `const NAME = function or arrow;` (one declarator), by its function's start. */
interface ConstFunction { name: string; start: number; end: number }

function constFunctions(statements: readonly Node[]): Map<number, ConstFunction> {
  const out = new Map<number, ConstFunction>();
  const isFunction = (n: Node | null | undefined) => n?.type === 'ArrowFunctionExpression' || n?.type === 'FunctionExpression';
  for (const st of statements) {
    if (st.type !== 'VariableDeclaration' || st.kind !== 'const' || st.declarations.length !== 1) continue;
    const d = st.declarations[0];
    if (d.id.type !== 'Identifier' || !d.init) continue;
    // (esbuild keeps names as `const fmt=__name((n)=>…,"fmt")`: tsx)
    const named = d.init.type === 'CallExpression' && d.init.callee.type === 'Identifier' && d.init.callee.name === '__name' && d.init.arguments.length === 2
      && isFunction(d.init.arguments[0]) && d.init.arguments[1].type === 'Literal' && d.init.arguments[1].value === d.id.name ? d.init.arguments[0] : null;
    const fn = isFunction(d.init) ? d.init : named;
    if (fn) out.set(fn.start, { name: d.id.name, start: st.start, end: st.end });
  }
  return out;
}

/**
 * Methods, getters and setters this save adds to a loaded top-level class (class declarations the
 * module keeps), as units like addNewFunctions's (slots from `firstSlot`, after its): the first version of each is defined on the class
 * (its prototype, or the class for a static one) as the class would have it, and dispatches to a
 * slot later versions go to. The program's code, unchanged or not, reaches it as a property. Not a
 * field, a constructor, a computed or #private key, nor one that uses #private names (`why`).
 */
function addNewMembers(state: SwapState, oldTop: ScriptModel, newTop: ScriptModel, sites: Map<number, FunctionSite>, saved: string, present: readonly FunctionRecord[], top: ReadonlySet<string>, functions: readonly SwapUnit[], firstSlot: number): { units: SwapUnit[]; why: Map<string, string> } {
  const why = new Map<string, string>();
  if (state.wrapper && !state.wrapper.holdsScope) return { units: [], why };
  const had = classMembers(oldTop);
  const presentKeys = new Set(present.map((f) => f.key));
  const units: SwapUnit[] = [];
  // (the functions saves added, this one's included: `functions`)
  const reachable = new Set([...addedGlobalsOf(state, functions).keys()]);
  for (const f of newTop.outermost) {
    const site = sites.get(f.start);
    const member = site?.member;
    const cls = site?.classNode;
    if (!site || !member || member.type !== 'MethodDefinition' || !cls || cls.type !== 'ClassDeclaration' || !cls.id) continue;
    const name = cls.id.name as string;
    const own = f.name.slice(name.length + 1);
    if (!f.name.startsWith(name + '.') || had.get(name)?.has(own) || presentKeys.has(f.key) || state.added.has(f.key)) continue;
    if (oldTop.topDeclared.get(name)?.kind !== 'class' || newTop.topDeclared.get(name)?.kind !== 'class') continue;
    if (member.kind === 'constructor' || member.computed || member.key.type === 'PrivateIdentifier') continue;
    const key = member.key.type === 'Identifier' ? member.key.name as string : typeof member.key.value === 'string' ? member.key.value : null;
    if (key === null) continue;
    let refused = !state.scope.kept.has(name) ? `the running module does not keep ${name}` : privateReferences(site.node).length ? 'it uses #private names, which added code cannot reach' : null;
    refused ??= addedRefusal(state, f, site, saved, top, reachable);
    if (refused) { why.set(f.name, `${f.name} is new, and not added: ${refused} (restart to use it)`); continue; }
    const n = firstSlot + 2 * units.length;
    const which = member.kind === 'get' ? 'get' : member.kind === 'set' ? 'set' : 'value';
    units.push({ record: f, site, shape: { n, env: [], mode: 'a' }, dispatch: { n: n + 1, env: [], mode: 'a' }, classScope: null, added: true, member: { cls: name, key, which, isStatic: !!member.static } });
  }
  return { units: why.size ? [] : units, why };
}

/**
 * Top-level function declarations, and `const NAME = function or arrow` statements, this save adds (names the loaded module did not declare, nor an
 * earlier save added), as units with two slots each from state.nextSlot on (its own, and its
 * dispatch's: SwapUnit.dispatch): the swap engine
 * compiles each in the module's scope like a swapped function and keeps it in its slot, and the
 * functions of the save that call it are compiled to call it there. The running module gains no
 * binding: its unchanged code cannot name it, only swapped-in code. In a loader's module wrapper
 * that holds the module's scope (tsx), its body is the top level (topView). Not an exported function
 * (the top level's `export` is then a change of its own), nor one that uses a top-level name the
 * module did not keep (`why`, by name).
 */
function addNewFunctions(state: SwapState, oldTop: ScriptModel, newTop: ScriptModel, sites: Map<number, FunctionSite>, saved: string, present: readonly FunctionRecord[], consts: ReadonlyMap<number, ConstFunction>, top: ReadonlySet<string>): { units: SwapUnit[]; why: Map<string, string> } {
  const why = new Map<string, string>();
  if (state.wrapper && !state.wrapper.holdsScope) return { units: [], why };
  // a function declaration, or a `const` that holds a function (written once, as a declaration's binding is)
  const declared = (f: FunctionRecord) => (sites.get(f.start)?.node.type === 'FunctionDeclaration' && newTop.topDeclared.get(f.name)?.kind === 'function')
    || (consts.get(f.start)?.name === f.name && newTop.topDeclared.get(f.name)?.kind === 'const');
  const fresh = newTop.outermost.filter((f) => !oldTop.topDeclared.has(f.name) && !state.added.has(f.key) && declared(f));
  if (!fresh.length) return { units: [], why };
  const reachable = new Set([...present.map((f) => f.name), ...fresh.map((f) => f.name)]);
  const units: SwapUnit[] = [];
  for (const f of fresh) {
    const site = sites.get(f.start)!;
    const refused = addedRefusal(state, f, site, saved, top, reachable);
    if (refused) { why.set(f.name, `new top-level function ${f.name} not added: ${refused} (restart to use it)`); continue; }
    const n = state.nextSlot + 2 * units.length;
    units.push({ record: f, site, shape: { n, env: [], mode: 'a' }, dispatch: { n: n + 1, env: [], mode: 'a' }, classScope: null, added: true });
  }
  // all or none: one that cannot be added is a change of the top level, which the others go with
  return { units: why.size ? [] : units, why };
}

/**
 * Which of these functions (of the saved text) changed, and can each be swapped? Functions whose code
 * did not change but whose lines moved are placed again (units marked `moved`), within
 * withinMoveBudget; `drifted`: those that moved and were not (the drift warning names them).
 */
function checkFunctions(state: SwapState, functions: FunctionRecord[], sites: Map<number, FunctionSite>, saved: string, notApplied: NotApplied[], topChanged: boolean, added: Set<string>, gained: Map<string, Set<string>> = new Map()): { units: SwapUnit[]; changed: ChangedFunction[]; warnings: NotApplied[]; drifted: FunctionRecord[] } {
  const oldSites = state.sites;
  const oldByKey = keyIndex(state.model);
  const units: SwapUnit[] = [];
  const changed: ChangedFunction[] = [];
  const warnings: NotApplied[] = [];
  const swapped = new Set<string>();
  const moved: FunctionRecord[] = [];
  for (const f of functions) {
    const oldF = oldByKey.get(f.key);
    if (!oldF) {
      // a function an earlier save added: compiled again when its text (functions inside it included) changed or moved
      const a = state.added.get(f.key);
      const site = a && sites.get(f.start);
      if (!a || !site || (saved.slice(f.start, f.end) === a.text && state.runningLine.get(f.key) === f.line)) continue;
      const needsNew = newDeclarationUse(f, added);
      if (needsNew) { notApplied.push(needsNew); continue; }
      const refused = addedRefusal(state, f, site, saved, state.scope.top, new Set([...state.added.values()].map((x) => x.name)));
      if (refused) { notApplied.push({ code: Codes.SwapFreed, line: f.line, message: notPatched(f.name, `${refused} (restart to use it)`) }); continue; }
      const moved = saved.slice(f.start, f.end) === a.text;
      // (into the slot its first version dispatches to)
      const shape = state.shapes.get(f.key);
      if (!shape) continue;
      units.push({ record: f, site, shape, classScope: null, added: true, ...(a.member ? { member: a.member } : {}), ...(moved ? { moved: true as const } : {}) });
      if (!moved) changed.push({ name: f.name, line: f.line, async: f.async, generator: f.generator });
      continue; // (else new: part of its changed parent, or a top-level change reported above)
    }
    if (state.running.get(f.key) === withNestedBodiesBlanked(saved, f)) {
      const line = state.runningLine.get(f.key);
      if (line !== undefined && line !== f.line) moved.push(f);
      continue;
    }
    // tsx's module wrapper: a change of its own code is a change of the file's top level, which
    // planWhole reports with its reasons (topChanged; planFast hands it such a save)
    if (f.key === state.wrapper?.key) continue;
    if (topChanged && !f.parent && f.name.startsWith('(anonymous')) {
      notApplied.push(unmatchedChange(f));
      continue;
    }
    const usesNew = usesWhatTheSaveAdds(f, saved, added, gained);
    if (usesNew) {
      notApplied.push(usesNew);
      continue;
    }
    const site = sites.get(f.start)!;
    const oldSite = oldSites.get(oldF.start)!;
    const shape = state.shapes.get(f.key);
    const why = refusal(state, oldF, oldSite, f, site, shape, saved);
    if (why) {
      // inside a function that is swapped: the closures it makes from now on have the new code
      let up = f.parent;
      while (up && !swapped.has(up.key)) up = up.parent;
      if (up) {
        // (why in its own words: refusal says it of f)
        const prefix = notPatched(f.name, '');
        const reason = why.message.startsWith(prefix) ? why.message.slice(prefix.length) : why.message;
        warnings.push({ code: Codes.StaleClosures, line: f.line, message: `closures that ${up.name} made before this save keep their old ${f.name} (${reason}); new ones run the new code` });
      } else {
        notApplied.push(why);
      }
      continue;
    }
    swapped.add(f.key);
    const classScope = state.classOf.get(f.key) ?? null;
    const globals = classScope?.startsWith('c') ? null : classGlobals(state, oldSite, site.node, functionUses(site.node), saved, (n) => ancestorsDeclare(f, n, null));
    units.push({ record: f, site, shape: shape!, classScope, ...(globals && !('refused' in globals) ? { privateHolders: globals.holders, classNames: globals.names } : {}) });
    changed.push({ name: f.name, line: f.line, async: f.async, generator: f.generator });
    const lasting = f.generator ? (f.async ? 'an async generator' : 'a generator') : f.async && awaitsInLoop(site.node) ? 'an async function that awaits in a loop' : null;
    if (lasting) {
      warnings.push({ code: Codes.SwapRunningCall, line: f.line, message: `${f.name} is ${lasting}: a call of it already under way goes on with the code it started with; new calls run the new code (a loop that never ends: keep its body in a function of its own)` });
    }
  }
  const placed = withinMoveBudget(moved) ? moved.flatMap((f) => placeMoved(state, f, oldByKey.get(f.key)!, sites, saved, topChanged, added, gained)) : [];
  const placedKeys = new Set(placed.map((u) => u.record.key));
  const left = moved.filter((f) => !placedKeys.has(f.key));
  // (named by the outermost of them: the functions inside it moved with it)
  const leftKeys = new Set(left.map((f) => f.key));
  const outermost = left.filter((f) => { for (let p = f.parent; p; p = p.parent) if (leftKeys.has(p.key)) return false; return true; });
  return { units: [...units, ...placed], changed, warnings, drifted: outermost };
}

/**
 * Functions placed again because their lines moved, at most: each is compiled with its file's lines
 * before it as padding (./swap-compile.ts), so the cost grows with their number and their line. A
 * save that moves more (a line added near the top of a file of thousands of functions) leaves them
 * where they run, and says so (EC201).
 */
const MOVED_MAX = 300;
const MOVED_LINES_MAX = 300_000;

function withinMoveBudget(moved: readonly { line: number }[]): boolean {
  if (moved.length > MOVED_MAX) return false;
  let lines = 0;
  for (const f of moved) lines += f.line;
  return lines <= MOVED_LINES_MAX;
}

/**
 * A function whose code did not change but moved, as a unit to compile again at its new lines, or
 * none when it cannot be (what would refuse a change of it: a constructor, a function with no
 * dispatch, a name the top level now declares anew): it then drifts.
 */
function placeMoved(state: SwapState, f: FunctionRecord, oldF: FunctionRecord, sites: Map<number, FunctionSite>, saved: string, topChanged: boolean, added: Set<string>, gained: Map<string, Set<string>>): SwapUnit[] {
  if (f.key === state.wrapper?.key) return [];
  if (topChanged && !f.parent && f.name.startsWith('(anonymous')) return [];
  if (usesWhatTheSaveAdds(f, saved, added, gained)) return [];
  const site = sites.get(f.start);
  const oldSite = state.sites.get(oldF.start);
  const shape = state.shapes.get(f.key);
  if (!site || !oldSite || !shape || refusal(state, oldF, oldSite, f, site, shape, saved)) return [];
  const classScope = state.classOf.get(f.key) ?? null;
  const globals = classScope?.startsWith('c') ? null : classGlobals(state, oldSite, site.node, functionUses(site.node), saved, (n) => ancestorsDeclare(f, n, null));
  if (globals && 'refused' in globals) return [];
  return [{ record: f, site, shape, classScope, moved: true, ...(globals ? { privateHolders: globals.holders, classNames: globals.names } : {}) }];
}

/** Does this async function await (or `for await`) inside a loop of its own (not of a nested function)? */
function awaitsInLoop(fn: Node): boolean {
  let found = false;
  const visit = (node: Node, inLoop: boolean): void => {
    if (found || !node || typeof node.type !== 'string') return;
    if (node !== fn && /Function/.test(node.type)) return; // (a nested function's awaits are its own)
    if ((node.type === 'AwaitExpression' && inLoop) || (node.type === 'ForOfStatement' && node.await)) { found = true; return; }
    const loop = inLoop || /^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(node.type);
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc') continue;
      const v = (node as Record<string, unknown>)[key];
      if (Array.isArray(v)) for (const c of v) visit(c as Node, loop);
      else if (v && typeof v === 'object') visit(v as Node, loop);
    }
  };
  visit(fn, false);
  return found;
}

const keyIndexes = new WeakMap<ScriptModel, Map<string, FunctionRecord>>();
function keyIndex(model: ScriptModel): Map<string, FunctionRecord> {
  let m = keyIndexes.get(model);
  if (!m) { m = new Map(model.functions.map((f) => [f.key, f])); keyIndexes.set(model, m); }
  return m;
}
