// Pure: compare what V8 runs with what was saved, and decide what to send.
//
// V8 LiveEdit patches function literals in place, but answers `Ok` to edits it silently does not
// carry out (a new top-level declaration, a new class member, a removed function: see docs/v8.md).
// So top-level changes are never sent: when the top level changed, the text sent is the text V8 runs
// with the changed functions put in, and every top-level change is reported as not applied, with why.
import type * as acorn from 'acorn';
import { moduleWrapper } from '../inject/boundary';
import { ownText } from '../util/own-text';
import { Codes, type Code } from './codes';
import { TOP_LEVEL_CHANGED, changedTopLines, classMembers, declarationChanges, explainedLines, fieldChanges, gainedMembers, skeletonLines, skeletonTokens, topLevelChanged, topLevelTokens, formChange, unmatchedChange, usesWhatTheSaveAdds } from './skeleton';
import { topLevelEndUnmatched, nestedEndsUnmatched, scopeReshapes, withoutNewBoundaries } from './okButNotApplied';
import {
  describeScript, tryParse,
  type FunctionRecord, type ModuleKind, type ScriptModel, type SyntaxProblem,
} from './functions';

export interface ChangedFunction {
  name: string;
  /** 1-based line in the new text. */
  line: number;
  async: boolean;
  generator: boolean;
}

export interface NotApplied {
  code: Code;
  /** One sentence in plain words: what was not applied and why. */
  message: string;
  /** 1-based line in the saved text, where there is one. */
  line?: number;
  /**
   * Every line the reason is about, when the message names them (EC201's "(line 4-6)"): a loader's
   * output maps them to the source file, message included (loaders/mapped.ts).
   */
  lines?: number[];
}

export type Plan =
  | { kind: 'unchanged' }
  | { kind: 'syntax-error'; problem: SyntaxProblem }
  /**
   * Send `text` to V8: it carries `changed`; `notApplied` lists what the save had that it does not.
   * `fallbackText`, when present, is the same function changes without the save's top-level comment
   * and layout changes, for V8 to take if it refuses `text` as a top-level ES module change.
   */
  | { kind: 'patch'; text: string; fallbackText?: string; fallbackWarning?: NotApplied; changed: ChangedFunction[]; notApplied: NotApplied[]; warnings: NotApplied[] }
  /** The save changed only things that cannot be applied. */
  | { kind: 'nothing'; notApplied: NotApplied[] };

function byKey(fns: FunctionRecord[]): Map<string, FunctionRecord> {
  return new Map(fns.map((f) => [f.key, f]));
}

function changedFunctions(oldM: ScriptModel, newM: ScriptModel, within?: Set<FunctionRecord>): ChangedFunction[] {
  const oldByKey = byKey(oldM.functions);
  const out: ChangedFunction[] = [];
  // (`within`: functions whose changes count, with the functions inside them)
  const inside = (f: FunctionRecord) => { for (let o: FunctionRecord | null = f; o; o = o.parent) if (within!.has(o)) return true; return false; };
  for (const f of newM.functions) {
    if (within && !inside(f)) continue;
    const before = oldByKey.get(f.key);
    // a function new inside a changed parent is part of that parent's change
    if (!before) continue;
    if (ownText(oldM.text, before, before.children) !== ownText(newM.text, f, f.children)) {
      out.push({ name: f.name, line: f.line, async: f.async, generator: f.generator });
    }
  }
  return out;
}

/** The loader's module wrapper (boundary.ts moduleWrapper, tsx's `(()=>{ … })()`) as a function of the model, if any. */
function loaderWrapper(model: ScriptModel, program: acorn.Program): FunctionRecord | null {
  const only = model.outermost.length === 1 ? model.outermost[0] : null;
  if (!only?.wrapper) return null;
  return moduleWrapper(program)?.start === only.start ? only : null;
}

/**
 * Which running function a changed one of the save (an outermost one, or one directly in tsx's module
 * wrapper) replaces: `replaced(f, notApplied)` gives it, or null when f is unchanged (or only moved) or
 * cannot be matched for sure, a name several share (said in `notApplied`: unmatchedChange).
 */
function replacedBy(before: FunctionRecord[], after: FunctionRecord[], running: string, saved: string): (f: FunctionRecord, notApplied: NotApplied[]) => FunctionRecord | null {
  const oldByKey = unambiguous(before);
  const newByKey = unambiguous(after);
  const oldTexts = new Set(before.map((o) => running.slice(o.start, o.end)));
  return (f, notApplied) => {
    if (oldTexts.has(saved.slice(f.start, f.end))) return null; // unchanged, or only moved
    const was = oldByKey.get(f.key);
    if (was && newByKey.get(f.key) === f) return was;
    if (before.some((o) => o.key === f.key)) notApplied.push(unmatchedChange(f));
    return null;
  };
}

/** Names that several outermost functions share cannot be matched safely when the top level moved. */
function unambiguous(fns: FunctionRecord[]): Map<string, FunctionRecord> {
  const count = new Map<string, number>();
  const base = (f: FunctionRecord) => f.key.replace(/#\d+$/, '');
  for (const f of fns) count.set(base(f), (count.get(base(f)) ?? 0) + 1);
  return new Map(fns.filter((f) => count.get(base(f)) === 1 && !f.name.startsWith('(anonymous')).map((f) => [f.key, f]));
}

interface TopLevelDiff {
  notApplied: NotApplied[];
  added: Set<string>;
}

function describeTopLevel(oldM: ScriptModel, newM: ScriptModel, kind: ModuleKind): TopLevelDiff {
  const { notApplied, added } = declarationChanges(oldM, newM);
  // Fields: what they run is no function, and each change has its own reason
  const fields = fieldChanges(oldM, newM, kind);
  notApplied.push(...fields.notApplied);
  // Class members: a class's member list belongs to the top level.
  const oldMembers = classMembers(oldM);
  for (const [cls, set] of classMembers(newM)) {
    const before = oldMembers.get(cls);
    if (!before) continue;
    const gained = [...set].filter((n) => !before.has(n));
    const lost = [...before].filter((n) => !set.has(n));
    if (gained.length || lost.length) {
      const parts = [...gained.map((n) => `gains ${n}`), ...lost.map((n) => `loses ${n}`)].join(', ');
      notApplied.push({ code: Codes.ClassShape, message: `class ${cls} ${parts}: a loaded class cannot change its members (restart to use them)` });
    }
  }
  // Whatever else changed at the top level ran once, at load, and is not run again.
  if (fields.notApplied.length && topLevelTokens(oldM, kind, undefined, true) === topLevelTokens(newM, kind, undefined, true)) return { notApplied, added };
  const { lines, removed } = changedTopLines(oldM, newM, explainedLines(oldM, newM, added, fields));
  if (lines.length) {
    notApplied.push(topLevelChanged(lines));
  } else if (removed && notApplied.length === 0) {
    notApplied.push({ code: Codes.TopLevelCode, message: 'top-level code was removed: what it did when the module loaded stays done' });
  }
  return { notApplied, added };
}

/**
 * A save that changes the fields of a class in tsx's module wrapper (its own code, which ran once): the
 * running text with only the wrapper's changed functions put in, so that V8 gets none of its own code.
 * Sent whole, the new initializers would apply on Node 20 and 22 (V8 patches a class's field
 * initializer there, and not on 24 and 26), and the report says they do not.
 */
function wrapperFields(oldM: ScriptModel, newM: ScriptModel, oldWrapper: FunctionRecord, wrapper: FunctionRecord, running: string, saved: string, kind: ModuleKind, reasons: NotApplied[]): Plan {
  const notApplied = [...reasons];
  if (skeletonTokens(kind, running, oldWrapper, oldWrapper.children, undefined, oldM.fields) !== skeletonTokens(kind, saved, wrapper, wrapper.children, undefined, newM.fields)) {
    notApplied.push({ code: Codes.TopLevelCode, message: TOP_LEVEL_CHANGED });
  }
  const replaced = replacedBy(oldWrapper.children, wrapper.children, running, saved);
  const pairs: { before: FunctionRecord; after: FunctionRecord }[] = [];
  for (const f of wrapper.children) {
    const before = replaced(f, notApplied);
    if (!before) continue;
    const form = formChange(before, f);
    if (form) {
      notApplied.push(form);
      continue;
    }
    pairs.push({ before, after: f });
  }
  if (pairs.length === 0) return { kind: 'nothing', notApplied };
  const carried = new Set(pairs.map((p) => p.after));
  return {
    kind: 'patch',
    text: splice(running, pairs, saved),
    changed: changedFunctions(oldM, newM, carried).filter((c) => !(c.name === wrapper.name && c.line === wrapper.line)),
    notApplied,
    warnings: [...nestedEndsUnmatched(oldM, newM, running, saved).values()],
  };
}

/** The running text with the given new outermost functions put in place of their old versions. */
function splice(running: string, pairs: { before: FunctionRecord; after: FunctionRecord }[], saved: string): string {
  let text = running;
  for (const { before, after } of [...pairs].sort((a, b) => b.before.start - a.before.start)) {
    text = text.slice(0, before.start) + saved.slice(after.start, after.end) + text.slice(before.end);
  }
  return text;
}

/**
 * Changed top-level functions whose end V8 could not match: it would answer `Ok` and not patch them
 * (okButNotApplied.ts). One whose form changed (an object literal's method turned into an arrow) says
 * that instead, as the swap engine does: the change of form is why, and ending it as before would not help.
 */
function blockedEnds(oldM: ScriptModel, newM: ScriptModel, running: string, saved: string): Map<FunctionRecord, NotApplied> {
  const blocked = new Map<FunctionRecord, NotApplied>();
  const oldByKey = byKey(oldM.outermost);
  for (const f of newM.outermost) {
    const before = oldByKey.get(f.key);
    const ends = before && topLevelEndUnmatched(before, f, running, saved);
    const why = ends && (formChange(before, f) ?? ends);
    if (why) blocked.set(f, why);
  }
  return blocked;
}

/**
 * Decide what to send to V8 so that `running` (the text V8 runs) takes on the function changes of
 * `saved`. Both are JavaScript (type-stripped for TypeScript files).
 */
export function planPatch(running: string, savedText: string, kind: ModuleKind): Plan {
  let saved = savedText;
  if (running === saved) return { kind: 'unchanged' };
  const parsed = tryParse(saved, kind);
  if (!parsed.ok) return { kind: 'syntax-error', problem: parsed.problem };
  let oldM: ScriptModel;
  try {
    oldM = describeScript(running, kind);
  } catch {
    // What V8 runs does not parse for us (syntax newer than our parser): send the text as it is.
    return { kind: 'patch', text: saved, changed: [], notApplied: [], warnings: [] };
  }
  let newM = describeScript(saved, kind, parsed.program);
  let program = parsed.program;
  // a function that ran without a retry boundary is sent without one (V8 could not match its end)
  const bare = withoutNewBoundaries(oldM, newM, running, saved);
  if (bare !== saved) {
    const again = tryParse(bare, kind);
    if (again.ok) {
      saved = bare;
      if (running === saved) return { kind: 'unchanged' };
      program = again.program;
      newM = describeScript(saved, kind, program);
    }
  }

  const sameDeclarations = oldM.topDeclared.size === newM.topDeclared.size &&
    [...oldM.topDeclared].every(([n, d]) => newM.topDeclared.get(n)?.kind === d.kind);
  const blocked = blockedEnds(oldM, newM, running, saved);
  const sameTop = sameDeclarations && topLevelTokens(oldM, kind) === topLevelTokens(newM, kind);
  if (sameTop && blocked.size === 0) {
    const differing = newM.outermost.filter((f, i) => running.slice(oldM.outermost[i].start, oldM.outermost[i].end) !== saved.slice(f.start, f.end));
    for (const [f, why] of scopeReshapes(oldM, newM, kind, differing, program)) blocked.set(f, why);
  }
  if (sameTop && blocked.size === 0) {
    // Only functions changed (and perhaps comments or layout at the top level): send the file as saved,
    // so that V8's line numbers match the file.
    let changed = changedFunctions(oldM, newM);
    const wrapper = loaderWrapper(newM, program);
    const isWrapper = (c: ChangedFunction) => !!wrapper && c.name === wrapper.name && c.line === wrapper.line;
    if (changed.some(isWrapper)) {
      // tsx's module wrapper: its own code is the file's top level, which ran once (V8 takes the new
      // text of a function that is never called again); the functions in it are patched as usual
      changed = changed.filter((c) => !isWrapper(c));
      const oldWrapper = oldM.outermost[0];
      const fields = fieldChanges(oldM, newM, kind);
      if (fields.notApplied.length && wrapper && oldWrapper?.key === wrapper.key) return wrapperFields(oldM, newM, oldWrapper, wrapper, running, saved, kind, fields.notApplied);
      const notApplied = [{ code: Codes.TopLevelCode, message: TOP_LEVEL_CHANGED }];
      if (changed.length === 0) return { kind: 'nothing', notApplied };
      return { kind: 'patch', text: saved, changed, notApplied, warnings: [...nestedEndsUnmatched(oldM, newM, running, saved).values()] };
    }
    const layoutOnly = skeletonLines(oldM).join('\n') !== skeletonLines(newM).join('\n');
    const pairs = oldM.outermost.map((before, i) => ({ before, after: newM.outermost[i] }));
    const moved = pairs.find((p) => p.before.line !== p.after.line);
    return {
      kind: 'patch',
      text: saved,
      fallbackText: layoutOnly ? splice(running, pairs, saved) : undefined,
      fallbackWarning: layoutOnly && moved ? {
        code: Codes.TopLevelCode,
        line: moved.after.line,
        message: `the comments and layout changed at the top level were left out (its code is running): from line ${moved.after.line} on, stack traces and breakpoints use the lines the program loaded with until it restarts`,
      } : undefined,
      changed,
      notApplied: [],
      warnings: [...nestedEndsUnmatched(oldM, newM, running, saved).values()],
    };
  }

  // The top level changed, or some function cannot be patched: carry over the changed outermost
  // functions that can be matched for sure and patched.
  const top = sameTop ? { notApplied: [] as NotApplied[], added: new Set<string>() } : describeTopLevel(oldM, newM, kind);
  const notApplied = [...top.notApplied, ...blocked.values()];
  const gained = sameTop ? new Map<string, Set<string>>() : gainedMembers(oldM, newM);
  const replaced = replacedBy(oldM.outermost, newM.outermost, running, saved);
  const pairs: { before: FunctionRecord; after: FunctionRecord }[] = [];
  const carried = new Set<FunctionRecord>();
  for (const f of newM.outermost) {
    const before = replaced(f, notApplied);
    if (!before) continue;
    if (blocked.has(f)) continue;
    const form = formChange(before, f);
    if (form) {
      notApplied.push(form);
      continue;
    }
    const usesNew = usesWhatTheSaveAdds(f, saved, top.added, gained);
    if (usesNew) {
      notApplied.push(usesNew);
      continue;
    }
    pairs.push({ before, after: f });
    carried.add(f);
  }
  // The text sent must not reshape a scope either (okButNotApplied.ts): leave out the functions that would,
  // until what is left changes no scope.
  for (;;) {
    if (pairs.length === 0) break;
    let sent: ScriptModel;
    try {
      sent = describeScript(splice(running, pairs, saved), kind);
    } catch {
      break; // cannot happen: every piece parsed on its own (V8 will say if it does not compile)
    }
    const byOldKey = new Map(pairs.map((p) => [p.before.key, p]));
    const candidates = sent.outermost.filter((f) => byOldKey.has(f.key));
    const reshapes = scopeReshapes(oldM, sent, kind, candidates);
    if (reshapes.size === 0) break;
    for (const [f, why] of reshapes) {
      const pair = byOldKey.get(f.key);
      if (!pair) continue;
      pairs.splice(pairs.indexOf(pair), 1);
      carried.delete(pair.after);
      notApplied.push({ ...why, line: pair.after.line });
    }
  }
  if (notApplied.length === 0) {
    notApplied.push({ code: Codes.TopLevelCode, message: TOP_LEVEL_CHANGED });
  }
  if (pairs.length === 0) return { kind: 'nothing', notApplied };
  return {
    kind: 'patch',
    text: splice(running, pairs, saved),
    changed: changedFunctions(oldM, newM, carried),
    notApplied,
    warnings: [...nestedEndsUnmatched(oldM, newM, running, saved)].filter(([f]) => carried.has(f)).map(([, w]) => w),
  };
}
