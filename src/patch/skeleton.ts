// Pure: a script's top level, the one definition. Its skeleton is the text with each outermost
// function standing as one placeholder (the same as in a function's own text, util/own-text.ts) and
// as many newlines as it had, so that its lines are the file's lines. Both planners ask it whether a
// save changed the top level (plan.ts for LiveEdit, swap-plan.ts for the swap engine).
import { acornParser } from '../util/acorn';
import { NESTED_MARK } from '../util/own-text';
import { Codes } from './codes';
import type { FunctionRecord, ModuleKind, ScriptModel } from './functions';
import type { NotApplied } from './plan';

/** What both planners say of a top-level change that has nothing more specific to it (EC201). */
export const TOP_LEVEL_CHANGED = 'top-level code changed: it ran once when the module loaded and is not run again';

/** What an outermost function is replaced by. */
export const MARK = NESTED_MARK;

const skeletons = new WeakMap<ScriptModel, string[]>();

/** The skeleton's lines (computed once per model). */
export function skeletonLines(model: ScriptModel): string[] {
  const known = skeletons.get(model);
  if (known) return known;
  let out = '';
  let at = 0;
  for (const f of model.outermost) {
    out += model.text.slice(at, f.start) + MARK + '\n'.repeat(countNewlines(model.text, f.start, f.end));
    at = f.end;
  }
  const lines = (out + model.text.slice(at)).split('\n');
  skeletons.set(model, lines);
  return lines;
}

const tokenCache = new WeakMap<ScriptModel, string>();

/**
 * The top level as tokens, each outermost function one placeholder: comments and layout do not
 * count. The placeholder stands apart, so that it never joins the name before it (a method `m () {}`
 * and `m() {}` are the same code).
 */
export function topLevelTokens(model: ScriptModel, kind: ModuleKind, without?: ReadonlyMap<FunctionRecord, readonly [number, number]>): string {
  const skipping = without !== undefined && without.size > 0;
  const known = skipping ? undefined : tokenCache.get(model);
  if (known !== undefined) return known;
  let text = '';
  let at = 0;
  // (`without`: outermost functions left out with the text around them given, as if not there: the
  // swap engine's functions and class members added by a save)
  for (const f of model.outermost) {
    const gone = skipping ? without.get(f) : undefined;
    if (gone) { text += model.text.slice(at, gone[0]) + ' '; at = gone[1]; continue; }
    text += model.text.slice(at, f.start) + ` ${MARK} `;
    at = f.end;
  }
  text += model.text.slice(at);
  let tokens: string;
  try {
    const out: string[] = [];
    for (const t of acornParser().tokenizer(text, { ecmaVersion: 'latest', sourceType: kind, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true })) out.push(text.slice(t.start, t.end));
    tokens = out.join(' ');
  } catch {
    tokens = text.replace(/\s+/g, ' ');
  }
  if (!skipping) tokenCache.set(model, tokens);
  return tokens;
}

/** Newlines in s between from and to. */
export function countNewlines(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Top-level declarations a save adds and removes, as the planners report them: a running module can
 * neither gain nor lose one. `added`: the new names.
 */
export function declarationChanges(oldM: ScriptModel, newM: ScriptModel, present: ReadonlySet<string> = new Set(), why: ReadonlyMap<string, string> = new Map()): { notApplied: NotApplied[]; added: Set<string> } {
  const notApplied: NotApplied[] = [];
  const added = new Set<string>();
  for (const [name, d] of newM.topDeclared) {
    // (`present`: declared since the load, and in the running program: the swap engine's added functions)
    if (oldM.topDeclared.has(name) || present.has(name)) continue;
    added.add(name);
    notApplied.push({ code: Codes.NewDeclaration, line: d.line, message: why.get(name) ?? `new top-level ${d.kind} ${name}: a running module cannot gain declarations (restart to use it, or declare it inside the function that uses it)` });
  }
  for (const [name, d] of oldM.topDeclared) {
    if (!newM.topDeclared.has(name)) notApplied.push({ code: Codes.RemovedDeclaration, message: `top-level ${d.kind} ${name} was removed or renamed: the running module keeps it` });
  }
  return { notApplied, added };
}

/** The members of each top-level class, as the model names its functions (`run`, `get size`, `#step`, `[key]`). */
export function classMembers(m: ScriptModel): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const f of m.outermost) {
    const dot = f.name.indexOf('.');
    if (dot < 0) continue;
    const cls = f.name.slice(0, dot);
    if (m.topDeclared.get(cls)?.kind !== 'class') continue;
    if (!map.has(cls)) map.set(cls, new Set());
    map.get(cls)!.add(f.name.slice(dot + 1));
  }
  return map;
}

/**
 * The members each loaded class gains in a save, by class: the property a member's function stands
 * on (`C.run` → `run`, `C.get size` → `size`, `C.#step` → `#step`; a computed key is left out). A
 * loaded class cannot gain members (EC205), so a changed function that uses one would call what the
 * running program does not have: both planners refuse it (usesGainedMembers).
 */
export function gainedMembers(oldM: ScriptModel, newM: ScriptModel): Map<string, Set<string>> {
  const members = (m: ScriptModel) => {
    const map = new Map<string, Set<string>>();
    for (const [cls, names] of classMembers(m)) {
      const props = [...names].map((n) => n.replace(/^(get|set) /, '')).filter((p) => !p.startsWith('['));
      if (props.length) map.set(cls, new Set(props));
    }
    return map;
  };
  const before = members(oldM);
  const out = new Map<string, Set<string>>();
  for (const [cls, now] of members(newM)) {
    const was = before.get(cls);
    if (!was) continue;
    const gained = [...now].filter((p) => !was.has(p));
    if (gained.length) out.set(cls, new Set(gained));
  }
  return out;
}

/**
 * Which gained members a function's text uses as a property (`.name`, `?.name`, `#name`), as
 * `Class.name`. By token, so strings and comments do not count; any object's `.name` does (which
 * object it is cannot be known before it runs): a refusal that names what it matched, rather than a
 * patch that fails when it calls.
 */
export function usesGainedMembers(text: string, gained: Map<string, Set<string>>): string[] {
  if (gained.size === 0) return [];
  const used = new Set<string>();
  const note = (prop: string) => { for (const [cls, props] of gained) if (props.has(prop)) used.add(`${cls}.${prop}`); };
  try {
    let afterDot = false;
    const { tokenizer, tokTypes } = acornParser();
    for (const t of tokenizer(text, { ecmaVersion: 'latest', allowHashBang: true })) {
      const value = (t as unknown as { value: unknown }).value;
      if (t.type === tokTypes.privateId) note(`#${String(value)}`);
      else if (afterDot && (t.type === tokTypes.name || t.type.keyword)) note(String(value ?? t.type.keyword));
      afterDot = t.type === tokTypes.dot || t.type === tokTypes.questionDot;
    }
  } catch {
    // (a text the tokenizer cannot read alone: by its words, which may match inside a string too)
    const escape = (x: string) => x.replace(/[$]/g, '\\$&');
    for (const [cls, props] of gained) {
      for (const p of props) {
        const re = p.startsWith('#') ? new RegExp(`${escape(p)}\\b`) : new RegExp(`\\.\\s*${escape(p)}\\b`);
        if (re.test(text)) used.add(`${cls}.${p}`);
      }
    }
  }
  return [...used];
}

/** Free names of a function: used in it (nested functions included) but declared nowhere inside it. */
function freeNames(f: FunctionRecord): Set<string> {
  const inside = new Set<string>();
  const walk = (g: FunctionRecord) => { for (const n of g.declared) inside.add(n); g.children.forEach(walk); };
  walk(f);
  return new Set([...f.referenced].filter((n) => !inside.has(n)));
}

/**
 * A changed function that uses a top-level name the save declares anew (`added`: declarationChanges)
 * would reach what the running module does not have: both planners refuse it (EC204). Null when it
 * uses none.
 */
export function newDeclarationUse(f: FunctionRecord, added: ReadonlySet<string>): NotApplied | null {
  if (added.size === 0) return null;
  const needs = [...freeNames(f)].filter((n) => added.has(n));
  return needs.length ? { code: Codes.UsesNewDeclaration, line: f.line, message: `${f.name} not patched: it uses ${needs.join(', ')}, which is new at top level (restart, or move it inside ${f.name})` } : null;
}

/** Why a changed function that uses a member its class gains in the same save is not patched. */
export function gainedMembersMessage(fn: string, members: string[]): string {
  return `${fn} not patched: it uses ${members.join(', ')}, which ${members.length > 1 ? 'are' : 'is'} new in ${members.length > 1 ? 'their classes' : 'its class'}, and a loaded class cannot gain members, so the call would fail (restart to use ${members.length > 1 ? 'them' : 'it'})`;
}
