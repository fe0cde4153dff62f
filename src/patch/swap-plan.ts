// Pure: what a save means for the swap engine. It reads the text the program loaded (the swap
// transform's cuts tell each function's slot, environment names and forwarding), compares the saved
// text with what runs now, function by function (keys from ./functions.ts), and says which functions
// to swap and what cannot be applied, with a code (docs/codes.md). Top-level code is never re-run.
import * as acorn from 'acorn';
import {
  BOUNDARY_MARK, SWAP_MARK, isSwapText, swapCuts, swapSite, type DispatchShape, type Node,
  SYNC_PREFIX, SYNC_SUFFIX, ASYNC_PREFIX, ASYNC_SUFFIX, parseSource,
} from '../inject/boundary';
import { Codes } from './codes';
import { describeScript, ownCode, tryParse, type FunctionRecord, type ModuleKind, type ScriptModel, type SyntaxProblem } from './functions';
import type { ChangedFunction, NotApplied } from './plan';
import { functionUses } from './swap-scope';

/** A function node with what the compiler needs to know of where it stands. */
export interface FunctionSite {
  node: Node;
  /** The MethodDefinition or Property that holds a method, getter or setter. */
  member: Node | null;
  /** The class body it is a member of (directly). */
  classOf: Node | null;
  /** Innermost class around it (member or nested deeper). */
  insideClass: Node | null;
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
  classOf: Map<string, number | null>;
  /** The own code of each function as it runs now, by key. */
  running: Map<string, string>;
  nextSlot: number;
  nextClass: number;
  /** Worked out once per load: the original's function sites and top-level tokens. */
  sites: Map<number, FunctionSite>;
  topTokens: string;
}

export interface SwapUnit {
  record: FunctionRecord;
  site: FunctionSite;
  shape: DispatchShape;
  /** Class eval number, or null: the module's eval. */
  classEval: number | null;
}

export type SwapPlan =
  | { kind: 'unchanged' }
  | { kind: 'syntax-error'; problem: SyntaxProblem }
  | { kind: 'nothing'; notApplied: NotApplied[] }
  | { kind: 'swap'; units: SwapUnit[]; changed: ChangedFunction[]; notApplied: NotApplied[]; warnings: NotApplied[]; model: ScriptModel; sites: Map<number, FunctionSite> };

/** The ranges the load-time transform added to a text (boundaries and swap), for reading it back. */
function transformCuts(text: string, kind: ModuleKind): { start: number; end: number; meta?: string }[] {
  const cuts: { start: number; end: number; meta?: string }[] = swapCuts(text);
  let program: acorn.Program | null = null;
  try { program = parseSource(text, kind); } catch { program = null; }
  if (program) {
    walkFunctions(program as Node, (fn) => {
      if (fn.body.type !== 'BlockStatement') return;
      const st: Node[] = fn.body.body;
      const last = st[st.length - 1];
      if (!last || last.type !== 'TryStatement' || !last.finalizer) return;
      const suffixStart = last.block.end - 1;
      if (fn.async) {
        const decl = st[st.length - 2];
        if (decl && text.slice(decl.start, last.block.start + 1) === ASYNC_PREFIX && text.slice(suffixStart, last.end) === ASYNC_SUFFIX) {
          cuts.push({ start: decl.start, end: last.block.start + 1 }, { start: suffixStart, end: last.end });
        }
      } else if (text.slice(last.start, last.block.start + 1) === SYNC_PREFIX && text.slice(suffixStart, last.end) === SYNC_SUFFIX) {
        cuts.push({ start: last.start, end: last.block.start + 1 }, { start: suffixStart, end: last.end });
      }
    });
  }
  const mark = text.endsWith(SWAP_MARK) ? SWAP_MARK : text.endsWith(BOUNDARY_MARK) ? BOUNDARY_MARK : '';
  if (mark) cuts.push({ start: text.length - mark.length, end: text.length });
  return cuts.sort((a, b) => a.start - b.start);
}

function walkFunctions(root: Node, visit: (fn: Node, parent: Node | undefined) => void): void {
  const stack: [Node, Node | undefined][] = [[root, undefined]];
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') visit(node, parent);
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const v = node[key];
      if (Array.isArray(v)) { for (let i = v.length - 1; i >= 0; i--) if (v[i] && typeof v[i].type === 'string') stack.push([v[i], node]); }
      else if (v && typeof v.type === 'string') stack.push([v, node]);
    }
  }
}

/** Every function of a parsed text by its start offset, with its member and class. */
export function functionSites(program: Node): Map<number, FunctionSite> {
  const out = new Map<number, FunctionSite>();
  const visit = (node: Node, parent: Node | undefined, cls: Node | null): void => {
    let inside = cls;
    if (node.type === 'ClassBody') inside = node;
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') {
      const member = parent && (parent.type === 'MethodDefinition' || (parent.type === 'Property' && (parent.method || parent.kind !== 'init')) ) && parent.value === node ? parent : null;
      out.set(node.start, { node, member, classOf: member?.type === 'MethodDefinition' ? cls : null, insideClass: cls });
    }
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const v = node[key];
      if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === 'string') visit(c, node, inside); }
      else if (v && typeof v.type === 'string') visit(v, node, inside);
    }
  };
  visit(program, undefined, null);
  return out;
}

/**
 * Read a running text: the original text and each function's dispatch shape. Null when the text
 * has no swap indirection (loaded under the LiveEdit engine, or not transformed).
 */
export function readLoaded(running: string, kind: ModuleKind): SwapState | null {
  if (!isSwapText(running)) return null;
  const cuts = transformCuts(running, kind);
  let original = '';
  let at = 0;
  let removed = 0;
  const fnSites: { at: number; shape: DispatchShape }[] = [];
  const classSites = new Map<number, number>();
  let module = '';
  for (const c of cuts) {
    if (c.start < at) continue;
    original += running.slice(at, c.start);
    const pos = c.start - removed;
    if (c.meta !== undefined) {
      const s = swapSite(c.meta, pos);
      if (s.what === 'f') fnSites.push({ at: pos, shape: { n: s.n, env: s.env, mode: s.mode } });
      if (s.what === 'c') classSites.set(pos, s.n);
      if (!module) module = /__ec\$(m[0-9a-f]+)\$/.exec(running.slice(c.start, c.end))?.[1] ?? '';
    }
    removed += c.end - c.start;
    at = c.end;
  }
  original += running.slice(at);
  let program: acorn.Program;
  try { program = parseSource(original, kind); } catch { return null; }
  const model = describeScript(original, kind, program);
  const sites = functionSites(program as Node);
  const state: SwapState = {
    module, kind, original, model,
    shapes: new Map(), classOf: new Map(), running: new Map(),
    nextSlot: 0, nextClass: 0,
    sites, topTokens: topTokens(model, kind),
  };
  for (const s of fnSites) state.nextSlot = Math.max(state.nextSlot, s.shape.n + 1);
  for (const n of classSites.values()) state.nextClass = Math.max(state.nextClass, n + 1);
  // a function's dispatch is the first site in its body, before any function inside it
  const sorted = fnSites.sort((a, b) => a.at - b.at);
  let i = 0;
  const byStart = [...model.functions].sort((a, b) => a.bodyStart - b.bodyStart);
  for (const f of byStart) {
    while (i < sorted.length && sorted[i].at < f.bodyStart) i++;
    const s = sorted[i];
    const firstChild = f.children.reduce((m, c) => Math.min(m, c.start), f.bodyEnd);
    if (s && s.at <= firstChild && s.at < f.bodyEnd + (original[f.bodyStart] === '{' ? 0 : 1)) state.shapes.set(f.key, s.shape);
    state.running.set(f.key, ownCode(original, f));
    const site = sites.get(f.start);
    const cls = site?.insideClass ?? null;
    state.classOf.set(f.key, cls ? classSites.get(cls.start + 1) ?? null : null);
  }
  return state;
}

function isArrow(site: FunctionSite): boolean {
  return site.node.type === 'ArrowFunctionExpression';
}

function memberKind(site: FunctionSite): string {
  const m = site.member;
  if (!m) return isArrow(site) ? 'arrow' : 'function';
  return `${m.kind === 'get' || m.kind === 'set' ? m.kind : 'method'}${m.static ? ' static' : ''}`;
}

const describeKind = (f: FunctionRecord, site: FunctionSite) => `${f.async ? 'async ' : ''}${f.generator ? 'generator ' : ''}${memberKind(site)}`;

function paramsText(text: string, node: Node): string {
  const ps: Node[] = node.params;
  return ps.length ? text.slice(ps[0].start, ps[ps.length - 1].end).replace(/\s+/g, '') : '';
}

function ancestorsDeclare(f: FunctionRecord, name: string): boolean {
  for (let p = f.parent; p; p = p.parent) if (p.declared.has(name)) return true;
  return false;
}

/** Can this changed function be swapped? A reason when not. */
function refusal(state: SwapState, oldF: FunctionRecord, oldSite: FunctionSite, f: FunctionRecord, site: FunctionSite, shape: DispatchShape | undefined, saved: string): NotApplied | null {
  const at = { line: f.line };
  if (site.member?.kind === 'constructor' || !shape) {
    return { code: Codes.SwapConstructor, ...at, message: `${f.name} not swapped: a class constructor cannot be swapped (restart to use it, or move the code into a method it calls)` };
  }
  if (describeKind(oldF, oldSite) !== describeKind(f, site) || !!oldSite.member?.computed !== !!site.member?.computed) {
    return { code: Codes.SwapKind, ...at, message: `${f.name} not swapped: it changed from ${describeKind(oldF, oldSite)} to ${describeKind(f, site)} (restart to use it)` };
  }
  const uses = functionUses(site.node);
  if (isArrow(site) && (uses.usesArguments || uses.usesSuper || uses.usesNewTarget)) {
    const what = uses.usesArguments ? 'arguments' : uses.usesSuper ? 'super' : 'new.target';
    return { code: Codes.SwapUnsupported, ...at, message: `${f.name} not swapped: a swapped-in arrow function cannot use ${what} (restart, or move that use into the enclosing function)` };
  }
  if (uses.usesSuper && site.member?.type === 'Property') {
    return { code: Codes.SwapUnsupported, ...at, message: `${f.name} not swapped: a swapped-in object literal method cannot use super (restart to use it)` };
  }
  if (/\bimport\s*\.\s*meta\b/.test(saved.slice(f.start, f.end))) {
    return { code: Codes.SwapUnsupported, ...at, message: `${f.name} not swapped: a swapped-in body cannot use import.meta (keep it in a top-level const and use that)` };
  }
  const fresh = [...new Set(uses.free.map((r) => r.name))].filter((n) => n !== 'arguments' && ancestorsDeclare(f, n) && !shape.env.includes(n));
  if (fresh.length) {
    return { code: Codes.SwapCapture, ...at, message: `${f.name} not swapped: it now uses ${fresh.join(', ')} of the enclosing function, which the running closures do not pass on (restart, or call the enclosing function again after a restart)` };
  }
  const oldNode = oldSite.node;
  const params: Node[] = site.node.params;
  const oldParams: Node[] = oldNode.params;
  if (shape.mode !== 'a' && uses.usesArguments) {
    return { code: Codes.SwapParameters, ...at, message: `${f.name} not swapped: it now uses arguments, and the running version passes on only its parameters (restart to use it)` };
  }
  if (shape.mode === 'b' && paramsText(saved, site.node) !== paramsText(state.original, oldNode)) {
    return { code: Codes.SwapParameters, ...at, message: `${f.name} not swapped: its parameter list with defaults or destructuring changed; only the body of such a function can be swapped (restart to use it)` };
  }
  const oldRest = oldParams.length > 0 && oldParams[oldParams.length - 1].type === 'RestElement';
  if (shape.mode === 'p' && !oldRest && params.length > oldParams.length) {
    return { code: Codes.SwapParameters, ...at, message: `${f.name} not swapped: it now takes ${params.length} parameters and the running version passes on ${oldParams.length} (restart, or add a rest parameter first)` };
  }
  return null;
}

/** The top level as tokens, each outermost function one marker: comments and layout do not count. */
function topTokens(model: ScriptModel, kind: ModuleKind): string {
  let text = '';
  let at = 0;
  for (const f of model.outermost) { text += model.text.slice(at, f.start) + ' __ec$fn '; at = f.end; }
  text += model.text.slice(at);
  try {
    const out: string[] = [];
    for (const t of acorn.tokenizer(text, { ecmaVersion: 'latest', sourceType: kind, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true })) out.push(text.slice(t.start, t.end));
    return out.join(' ');
  } catch {
    return text.replace(/\s+/g, ' ');
  }
}

function topLevelReasons(oldM: ScriptModel, newM: ScriptModel): { notApplied: NotApplied[]; added: Set<string> } {
  const notApplied: NotApplied[] = [];
  const added = new Set<string>();
  for (const [name, d] of newM.topDeclared) {
    if (oldM.topDeclared.has(name)) continue;
    added.add(name);
    notApplied.push({ code: Codes.NewDeclaration, line: d.line, message: `new top-level ${d.kind} ${name}: a running module cannot gain declarations (restart to use it, or declare it inside the function that uses it)` });
  }
  for (const [name, d] of oldM.topDeclared) {
    if (!newM.topDeclared.has(name)) notApplied.push({ code: Codes.RemovedDeclaration, message: `top-level ${d.kind} ${name} was removed or renamed: the running module keeps it` });
  }
  const members = (m: ScriptModel) => new Set(m.outermost.filter((f) => f.name.includes('.')).map((f) => f.name));
  const before = members(oldM);
  const after = members(newM);
  const gained = [...after].filter((n) => !before.has(n) && oldM.topDeclared.get(n.split('.')[0])?.kind === 'class');
  const lost = [...before].filter((n) => !after.has(n) && newM.topDeclared.get(n.split('.')[0])?.kind === 'class');
  if (gained.length || lost.length) {
    notApplied.push({ code: Codes.ClassShape, message: `${[...gained.map((n) => `${n} is new`), ...lost.map((n) => `${n} is gone`)].join(', ')}: a loaded class cannot change its members (restart to use them)` });
  }
  if (notApplied.length === 0) notApplied.push({ code: Codes.TopLevelCode, message: 'top-level code changed: it ran once when the module loaded and is not run again' });
  return { notApplied, added };
}

/** Free names of a function: used in it but declared nowhere inside it. */
function freeNames(f: FunctionRecord): Set<string> {
  const inside = new Set<string>();
  const walk = (g: FunctionRecord) => { for (const n of g.declared) inside.add(n); g.children.forEach(walk); };
  walk(f);
  return new Set([...f.referenced].filter((n) => !inside.has(n)));
}

/** Decide what a save swaps. `saved` is JavaScript (type-stripped for TypeScript). */
export function planSwap(state: SwapState, saved: string): SwapPlan {
  const parsed = tryParse(saved, state.kind);
  if (!parsed.ok) return { kind: 'syntax-error', problem: parsed.problem };
  const newM = describeScript(saved, state.kind, parsed.program);
  const oldM = state.model;
  const sites = functionSites(parsed.program as Node);
  const oldSites = state.sites;
  const notApplied: NotApplied[] = [];
  const topChanged = state.topTokens !== topTokens(newM, state.kind);
  const top = topChanged ? topLevelReasons(oldM, newM) : { notApplied: [], added: new Set<string>() };
  notApplied.push(...top.notApplied);
  const oldByKey = new Map(oldM.functions.map((f) => [f.key, f]));
  const units: SwapUnit[] = [];
  const changed: ChangedFunction[] = [];
  const warnings: NotApplied[] = [];
  const swapped = new Set<string>();
  for (const f of newM.functions) {
    const oldF = oldByKey.get(f.key);
    if (!oldF) continue; // new: part of its changed parent, or a top-level change reported above
    const own = ownCode(saved, f);
    if (state.running.get(f.key) === own) continue;
    if (topChanged && !f.parent && f.name.startsWith('(anonymous')) {
      notApplied.push({ code: Codes.TopLevelCode, line: f.line, message: `${f.name} changed, but the top level changed around it and it cannot be matched for sure: restart to use it` });
      continue;
    }
    const needs = [...freeNames(f)].filter((n) => top.added.has(n));
    if (needs.length) {
      notApplied.push({ code: Codes.UsesNewDeclaration, line: f.line, message: `${f.name} not patched: it uses ${needs.join(', ')}, which is new at top level (restart, or move it inside ${f.name})` });
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
        warnings.push({ code: Codes.StaleClosures, line: f.line, message: `closures that ${up.name} created before this save keep their old ${f.name} (${why.message.replace(/^.*? not swapped: /, '')}); new ones run the new code` });
      } else {
        notApplied.push(why);
      }
      continue;
    }
    swapped.add(f.key);
    units.push({ record: f, site, shape: shape!, classEval: state.classOf.get(f.key) ?? null });
    changed.push({ name: f.name, line: f.line, async: f.async, generator: f.generator });
  }
  if (units.length === 0) {
    if (!topChanged && notApplied.length === 0) return { kind: 'unchanged' };
    return { kind: 'nothing', notApplied };
  }
  return { kind: 'swap', units, changed, notApplied, warnings, model: newM, sites };
}
