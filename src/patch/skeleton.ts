// Pure: a script's top level, the one definition. Its skeleton is the text with each outermost
// function standing as one placeholder (the same as in a function's own text, util/own-text.ts) and
// as many newlines as it had, so that its lines are the file's lines. Both planners ask it whether a
// save changed the top level (plan.ts for LiveEdit, swap-plan.ts for the swap engine).
import { acornParser } from '../util/acorn';
import { NESTED_MARK } from '../util/own-text';
import { Codes } from './codes';
import type { ClassField, FunctionRecord, ModuleKind, ScriptModel } from './functions';
import type { NotApplied } from './plan';

/** What both planners say of a top-level change that has nothing more specific to it (EC201). */
export const TOP_LEVEL_CHANGED = 'top-level code changed: it ran once when the module loaded and is not run again';

/** "4" or "4-9": the lines a reason is about, first to last. */
export function rangeText(lines: readonly number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  return sorted.length === 1 ? String(sorted[0]) : `${sorted[0]}-${sorted[sorted.length - 1]}`;
}

/** A changed function that is not patched, and why: the words both planners (both engines) say it in. */
export function notPatched(name: string, why: string): string {
  return `${name} not patched: ${why}`;
}

/** EC201 for these changed lines of the saved text (none: the words alone), the lines in the reason too. */
export function topLevelChanged(lines: readonly number[]): NotApplied {
  if (!lines.length) return { code: Codes.TopLevelCode, message: TOP_LEVEL_CHANGED };
  const sorted = [...lines].sort((a, b) => a - b);
  const message = `top-level code changed (line ${rangeText(sorted)}): it ran once when the module loaded and is not run again`;
  return { code: Codes.TopLevelCode, line: sorted[0], lines: sorted, message };
}

/** Lines another reason of the save explains, not EC201: of the saved text (`after`) and, for lines it took out, of the running one (`before`). */
export interface Explained {
  after: ReadonlySet<number>;
  before: ReadonlySet<number>;
  /** Some function's form changed (its reason is EC211: formChange). */
  formChanged: boolean;
}

/**
 * What another reason of the save explains: changed fields (their lines, from fieldChanges), new
 * declarations, the lines of new functions that are declarations or class members, and those of
 * functions whose form changed, before and after (a method turned into an arrow field: EC211,
 * formChange, says it).
 */
export function explainedLines(oldM: ScriptModel, newM: ScriptModel, added: ReadonlySet<string>, fields: { lines: Iterable<number>; linesBefore: Iterable<number> }): Explained {
  const after = new Set<number>(fields.lines);
  const before = new Set<number>(fields.linesBefore);
  const linesOf = (m: ScriptModel, f: FunctionRecord, into: Set<number>) => addLines(into, f.line, f.line + countNewlines(m.text, f.start, f.end));
  for (const name of added) { const d = newM.topDeclared.get(name); if (d) after.add(d.line); }
  const oldByKey = new Map(oldM.outermost.map((f) => [f.key, f]));
  const isClass = (name: string) => newM.topDeclared.get(name)?.kind === 'class';
  let formChanged = false;
  for (const f of newM.outermost) {
    const was = oldByKey.get(f.key);
    if (was) {
      if (functionForm(was) === functionForm(f)) continue;
      formChanged = true;
      linesOf(oldM, was, before);
    } else {
      const dot = f.name.indexOf('.');
      if (!added.has(f.name) && !(dot > 0 && isClass(f.name.slice(0, dot)))) continue;
    }
    linesOf(newM, f, after);
  }
  return { after, before, formChanged };
}

/**
 * The saved text's top-level lines (1-based) that changed, compared line by line on the skeletons
 * (comments, blank lines and `explained` lines left out), and whether lines that meant something were
 * removed.
 */
export function changedTopLines(oldM: ScriptModel, newM: ScriptModel, explained: Explained): { lines: number[]; removed: boolean } {
  const meaningful = (line: string) => {
    const t = line.trim();
    return t !== '' && t !== MARK && !t.startsWith('//') && !/^\/?\*/.test(t);
  };
  const lines: number[] = [];
  let removed = false;
  let line = 1;
  let oldLine = 1;
  const trim = (l: string) => l.trim();
  // (loaded when first used: not at every start, which needs no diff)
  const { diffArrays } = require('diff') as typeof import('diff');
  for (const part of diffArrays(skeletonLines(oldM).map(trim), skeletonLines(newM).map(trim))) {
    const n = part.count ?? part.value.length;
    if (part.added) {
      part.value.forEach((l, i) => { if (meaningful(l) && !explained.after.has(line + i)) lines.push(line + i); });
      line += n;
    } else if (part.removed) {
      if (part.value.some((l, i) => meaningful(l) && !explained.before.has(oldLine + i))) removed = true;
      oldLine += n;
    } else {
      line += n;
      oldLine += n;
    }
  }
  return { lines, removed };
}

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
 * and `m() {}` are the same code). `without`: outermost functions left out with the text around them
 * given, as if not there (the swap engine's functions and class members added by a save);
 * `withoutFields`: the top-level classes' fields left out too (what else of the top level a save
 * changed, beside its fields: fieldChanges).
 */
export function topLevelTokens(model: ScriptModel, kind: ModuleKind, without?: ReadonlyMap<FunctionRecord, readonly [number, number]>, withoutFields = false): string {
  const plain = (without === undefined || without.size === 0) && !withoutFields;
  const known = plain ? tokenCache.get(model) : undefined;
  if (known !== undefined) return known;
  const text = skeletonText(model.text, { start: 0, end: model.text.length }, model.outermost, without ? (f) => without.get(f) : undefined, withoutFields ? model.fields : []);
  const tokens = tokensOf(text, kind);
  if (plain) tokenCache.set(model, tokens);
  return tokens;
}

/**
 * The text of `range` with each function of `functions` in it one placeholder (or left out, with the
 * text `leftOut` gives) and each field of `fields` in it left out; a function inside a field left out
 * goes with it. (A field inside a function is the function's.)
 */
export function skeletonText<F extends { start: number; end: number }>(text: string, range: { start: number; end: number }, functions: readonly F[], leftOut?: (f: F) => readonly [number, number] | undefined, fields: readonly ClassField[] = []): string {
  const cuts: { start: number; end: number; put: string }[] = [];
  const inRange = (x: { start: number; end: number }) => x.start >= range.start && x.end <= range.end;
  const fns = functions.filter(inRange);
  const gone = fields.filter((c) => inRange(c) && !fns.some((f) => f.start <= c.start && c.end <= f.end));
  for (const c of gone) cuts.push({ start: c.start, end: c.end, put: ' ' });
  for (const f of fns) {
    if (gone.some((c) => c.start <= f.start && f.end <= c.end)) continue;
    const out = leftOut?.(f);
    cuts.push(out ? { start: out[0], end: out[1], put: ' ' } : { start: f.start, end: f.end, put: ` ${MARK} ` });
  }
  cuts.sort((a, b) => a.start - b.start);
  let out = '';
  let at = range.start;
  for (const c of cuts) {
    if (c.start < at) continue;
    out += text.slice(at, c.start) + c.put;
    at = c.end;
  }
  return out + text.slice(at, range.end);
}

/** skeletonText's tokens: a function's own code, or a part of the top level, to compare with another version's. */
export function skeletonTokens<F extends { start: number; end: number }>(kind: ModuleKind, ...args: Parameters<typeof skeletonText<F>>): string {
  return tokensOf(skeletonText(...args), kind);
}

/** A text's tokens joined by spaces (its text with runs of white space made one, where it does not tokenize). */
function tokensOf(text: string, kind: ModuleKind): string {
  try {
    const out: string[] = [];
    for (const t of acornParser().tokenizer(text, { ecmaVersion: 'latest', sourceType: kind, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true })) out.push(text.slice(t.start, t.end));
    return out.join(' ');
  } catch {
    return text.replace(/\s+/g, ' ');
  }
}

/**
 * What a save did to the fields of the loaded classes. A field is no function: its initializer runs
 * at each `new` (a static one once, when the class was defined), and neither engine replaces it, so
 * each change gets its own reason, not "top-level code changed" (which says it ran once): a gained or
 * lost field (EC205, a loaded class keeps its shape), a changed initializer (EC205 for an instance
 * field: new instances still get the old value; EC201 for a static one, which ran once). `lines`: the
 * saved text's lines these reasons explain. Classes the save adds or removes are the declarations'.
 */
export function fieldChanges(oldM: ScriptModel, newM: ScriptModel, kind: ModuleKind): { notApplied: NotApplied[]; lines: Set<number>; linesBefore: Set<number> } {
  const notApplied: NotApplied[] = [];
  /** The lines of the fields each reason is about: in the saved text, and in the running one. */
  const lines = new Set<number>();
  const linesBefore = new Set<number>();
  const explainBefore = (f: ClassField) => addLines(linesBefore, f.line, f.endLine);
  const classes = (m: ScriptModel) => new Set([...classMembers(m).keys(), ...m.fields.map((f) => f.cls)]);
  const before = classes(oldM);
  const after = classes(newM);
  const group = (m: ScriptModel, keep: Set<string>) => {
    const map = new Map<string, ClassField[]>();
    for (const f of m.fields) {
      if (!keep.has(f.cls)) continue;
      const key = `${f.cls}\0${f.name}`;
      map.set(key, [...(map.get(key) ?? []), f]);
    }
    return map;
  };
  const both = new Set([...before].filter((c) => after.has(c)));
  const oldFields = group(oldM, both);
  const newFields = group(newM, both);
  // (all the functions: in tsx's module wrapper a field's arrow is no outermost function)
  const text = (m: ScriptModel, f: ClassField) => tokensOf(skeletonText(m.text, f, m.functions), kind);
  // (a field whose value is a function is a member of the class as its methods are: classMembers, whose reasons say it)
  const holdsFunction = (m: ScriptModel, f: ClassField) => m.functions.some((g) => g.start >= f.start && g.end <= f.end);
  const named = (f: ClassField) => (f.isStatic ? `static field ${f.cls}.${f.name.slice(7)}` : `field ${f.cls}.${f.name}`);
  for (const [key, now] of newFields) {
    const was = oldFields.get(key) ?? [];
    now.forEach((f, i) => {
      const old = was[i];
      const explain = () => { addLines(lines, f.line, f.endLine); if (old) explainBefore(old); };
      if (!old) {
        if (holdsFunction(newM, f)) return;
        explain();
        notApplied.push({ code: Codes.ClassShape, line: f.line, message: `new ${named(f)}: ${f.isStatic ? 'the running class was defined without it' : 'the running class makes its instances without it'} (restart to use it)` });
      } else if (text(oldM, old) !== text(newM, f)) {
        explain();
        notApplied.push(f.isStatic
          ? { code: Codes.TopLevelCode, line: f.line, message: `the initializer of ${named(f)} changed: it ran once, when the class was defined, and is not run again` }
          : { code: Codes.ClassShape, line: f.line, message: `the initializer of ${named(f)} changed: the running class still gives new instances the old value, and those made so far keep theirs (restart to use it)` });
      }
    });
  }
  for (const [key, was] of oldFields) {
    const now = newFields.get(key) ?? [];
    for (const f of was.slice(now.length)) {
      if (holdsFunction(oldM, f)) continue;
      explainBefore(f);
      notApplied.push({ code: Codes.ClassShape, message: `${named(f)} was removed: ${f.isStatic ? 'the running class keeps it' : 'the running class still gives it to each new instance'} (restart to drop it)` });
    }
  }
  return { notApplied, lines, linesBefore };
}

/** Lines `first` to `last` (both in) into `into`. */
function addLines(into: Set<number>, first: number, last: number): void {
  for (let l = first; l <= last; l++) into.add(l);
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

/** What a function is, as a kind change says it (`a method` to `an arrow function`). */
export function functionForm(f: FunctionRecord): string {
  return f.arrow ? 'an arrow function' : f.method ? 'a method' : 'a function';
}

/**
 * A changed outermost function the LiveEdit planner cannot put in place of its running version: it
 * changed between a method and an arrow or another function (a method turned into an arrow field),
 * whose text does not fit where the old one stands (EC211, as the swap engine says it).
 */
export function formChange(before: FunctionRecord, after: FunctionRecord): NotApplied | null {
  const was = functionForm(before);
  const now = functionForm(after);
  return was === now ? null : { code: Codes.SwapKind, line: after.line, message: notPatched(after.name, `it changed from ${was} to ${now} (restart to use it)`) };
}

/** A changed function the planner cannot match for sure (a name several share) once the top level changed around it (EC201). */
export function unmatchedChange(f: FunctionRecord): NotApplied {
  return { code: Codes.TopLevelCode, line: f.line, message: `${f.name} changed, but the top level changed around it and it cannot be matched for sure: restart to use it` };
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
function usesGainedMembers(text: string, gained: Map<string, Set<string>>): string[] {
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
  return needs.length ? { code: Codes.UsesNewDeclaration, line: f.line, message: notPatched(f.name, `it uses ${needs.join(', ')}, which is new at top level (restart, or move it inside ${f.name})`) } : null;
}

/**
 * What keeps a changed function from being patched because the same save adds what it uses: a
 * top-level name declared anew (newDeclarationUse) or a member its class gains (usesGainedMembers),
 * in both planners' words (EC204). Null when it uses neither.
 */
export function usesWhatTheSaveAdds(f: FunctionRecord, saved: string, added: ReadonlySet<string>, gained: Map<string, Set<string>>): NotApplied | null {
  const needsNew = newDeclarationUse(f, added);
  if (needsNew) return needsNew;
  const members = usesGainedMembers(saved.slice(f.start, f.end), gained);
  return members.length ? { code: Codes.UsesNewDeclaration, line: f.line, message: gainedMembersMessage(f.name, members) } : null;
}

/** Why a changed function that uses a member its class gains in the same save is not patched. */
function gainedMembersMessage(fn: string, members: string[]): string {
  return notPatched(fn, `it uses ${members.join(', ')}, which ${members.length > 1 ? 'are' : 'is'} new in ${members.length > 1 ? 'their classes' : 'its class'}, and a loaded class cannot gain members, so the call would fail (restart to use ${members.length > 1 ? 'them' : 'it'})`);
}
