// Pure: compare what V8 runs with what was saved, and decide what to send.
//
// V8 LiveEdit patches function literals in place, but answers `Ok` to edits it silently does not
// carry out (a new top-level declaration, a new class member, a removed function: see docs/v8.md).
// So we never send top-level changes: the text sent is the text V8 runs with the changed functions
// replaced by their new versions, and every top-level change is reported as not applied, with why.
import { diffLines } from 'diff';
import { Codes, type Code } from './codes';
import {
  capturedNames, describeScript, tryParse,
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
}

export type Plan =
  | { kind: 'unchanged' }
  | { kind: 'syntax-error'; problem: SyntaxProblem }
  /** Send `text` to V8: it carries `changed`; `notApplied` lists what the save had that it does not. */
  | { kind: 'patch'; text: string; changed: ChangedFunction[]; notApplied: NotApplied[]; warnings: NotApplied[] }
  /** The save changed only things that cannot be applied. */
  | { kind: 'nothing'; notApplied: NotApplied[] };

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

/** The text with each outermost function replaced by a marker that keeps the line count. */
function skeletonOf(model: ScriptModel): string {
  let out = '';
  let at = 0;
  for (const f of model.outermost) {
    out += model.text.slice(at, f.start) + 'ƒ' + '\n'.repeat(countNewlines(model.text.slice(f.start, f.end)));
    at = f.end;
  }
  return out + model.text.slice(at);
}

/** A function's own text: nested functions replaced by markers. Two versions differ iff this differs. */
function ownText(text: string, fn: FunctionRecord): string {
  let out = '';
  let at = fn.start;
  for (const c of fn.children) {
    out += text.slice(at, c.start) + 'ƒ';
    at = c.end;
  }
  return out + text.slice(at, fn.end);
}

function byKey(fns: FunctionRecord[]): Map<string, FunctionRecord> {
  return new Map(fns.map((f) => [f.key, f]));
}

function changedFunctions(oldM: ScriptModel, newM: ScriptModel, within?: Set<FunctionRecord>): ChangedFunction[] {
  const oldByKey = byKey(oldM.functions);
  const out: ChangedFunction[] = [];
  for (const f of newM.functions) {
    if (within && !within.has(outermostOf(f))) continue;
    const before = oldByKey.get(f.key);
    // a function new inside a changed parent is part of that parent's change
    if (!before) continue;
    if (ownText(oldM.text, before) !== ownText(newM.text, f)) {
      out.push({ name: f.name, line: f.line, async: f.async, generator: f.generator });
    }
  }
  return out;
}

function outermostOf(f: FunctionRecord): FunctionRecord {
  let o = f;
  while (o.parent) o = o.parent;
  return o;
}

function staleClosureWarnings(oldM: ScriptModel, newM: ScriptModel, changed: ChangedFunction[]): NotApplied[] {
  const out: NotApplied[] = [];
  const oldByKey = byKey(oldM.functions);
  const changedNames = new Set(changed.map((c) => c.name));
  for (const f of newM.functions) {
    if (!changedNames.has(f.name) || f.children.length === 0) continue;
    const before = oldByKey.get(f.key);
    if (!before || before.children.length === 0) continue;
    const a = capturedNames(before);
    const b = capturedNames(f);
    const added = [...b].filter((n) => !a.has(n));
    const removed = [...a].filter((n) => !b.has(n));
    if (added.length || removed.length) {
      const what = [...added.map((n) => `now captures ${n}`), ...removed.map((n) => `no longer captures ${n}`)].join(', ');
      out.push({
        code: Codes.StaleClosures,
        line: f.line,
        message: `closures that ${f.name} created before this save keep their old code (${what}); new calls get the new code`,
      });
    }
  }
  return out;
}

interface TopLevelDiff {
  notApplied: NotApplied[];
  added: Set<string>;
}

function describeTopLevel(oldM: ScriptModel, newM: ScriptModel): TopLevelDiff {
  const notApplied: NotApplied[] = [];
  const added = new Set<string>();
  const declLine = (m: ScriptModel, name: string): number | undefined => {
    const re = new RegExp(`(function\\*?|class|const|let|var|import)[^\\n]*\\b${name.replace(/[$]/g, '\\$')}\\b`);
    const lines = m.text.split('\n');
    const i = lines.findIndex((l) => re.test(l));
    return i >= 0 ? i + 1 : undefined;
  };
  for (const [name, kind] of newM.topDeclared) {
    if (!oldM.topDeclared.has(name)) {
      added.add(name);
      notApplied.push({
        code: Codes.NewDeclaration,
        line: declLine(newM, name),
        message: `new top-level ${kind} ${name}: a running module cannot gain declarations (restart to use it, or declare it inside the function that uses it)`,
      });
    }
  }
  for (const [name, kind] of oldM.topDeclared) {
    if (!newM.topDeclared.has(name)) {
      notApplied.push({
        code: Codes.RemovedDeclaration,
        message: `top-level ${kind} ${name} was removed or renamed: the running module keeps it`,
      });
    }
  }
  // Class members: a class body's member list is part of the skeleton.
  const members = (m: ScriptModel) => {
    const map = new Map<string, Set<string>>();
    for (const f of m.outermost) {
      const dot = f.name.indexOf('.');
      if (dot < 0 || f.name.startsWith('(')) continue;
      const cls = f.name.slice(0, dot);
      if (!m.topDeclared.has(cls) || m.topDeclared.get(cls) !== 'class') continue;
      if (!map.has(cls)) map.set(cls, new Set());
      map.get(cls)!.add(f.name.slice(dot + 1));
    }
    return map;
  };
  const oldMembers = members(oldM);
  const newMembers = members(newM);
  for (const [cls, set] of newMembers) {
    const before = oldMembers.get(cls);
    if (!before) continue;
    const gained = [...set].filter((n) => !before.has(n));
    const lost = [...before].filter((n) => !set.has(n));
    if (gained.length || lost.length) {
      const parts = [...gained.map((n) => `gains ${n}`), ...lost.map((n) => `loses ${n}`)].join(', ');
      notApplied.push({
        code: Codes.ClassShape,
        message: `class ${cls} ${parts}: a loaded class cannot change its members (restart to use them)`,
      });
    }
  }
  // Whatever else changed at the top level ran once, at load, and is not run again.
  const oldKeys = new Set(oldM.outermost.map((f) => f.key));
  const explained = new Set<number>(notApplied.map((n) => n.line).filter((l): l is number => l !== undefined));
  for (const f of newM.outermost) if (!oldKeys.has(f.key)) explained.add(f.line);
  const changedLines: number[] = [];
  let removedOnly = false;
  let line = 1;
  for (const part of diffLines(skeletonOf(oldM), skeletonOf(newM))) {
    const n = part.count ?? countNewlines(part.value);
    if (part.added) {
      for (let i = 0; i < n; i++) if (!explained.has(line + i)) changedLines.push(line + i);
      line += n;
    } else if (part.removed) {
      removedOnly = true;
    } else {
      line += n;
    }
  }
  if (changedLines.length) {
    notApplied.push({
      code: Codes.TopLevelCode,
      line: changedLines[0],
      message: `top-level code changed (line ${rangeText(changedLines)}): it ran once when the module loaded and is not run again`,
    });
  } else if (removedOnly && notApplied.length === 0) {
    notApplied.push({ code: Codes.TopLevelCode, message: 'top-level code was removed: what it did when the module loaded stays done' });
  }
  return { notApplied, added };
}

function rangeText(lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  if (sorted.length === 1) return String(sorted[0]);
  return `${sorted[0]}-${sorted[sorted.length - 1]}`;
}

/**
 * Decide what to send to V8 so that `running` (the text V8 runs) takes on the function changes of
 * `saved`. Both are JavaScript (type-stripped for TypeScript files).
 */
export function planPatch(running: string, saved: string, kind: ModuleKind): Plan {
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
  const newM = describeScript(saved, kind);

  const sameTopLevel = skeletonOf(oldM) === skeletonOf(newM) && sameDeclarations(oldM, newM);
  if (sameTopLevel) {
    const changed = changedFunctions(oldM, newM);
    return { kind: 'patch', text: saved, changed, notApplied: [], warnings: staleClosureWarnings(oldM, newM, changed) };
  }

  // Top-level changes: carry over only the changed outermost functions, one by one.
  const top = describeTopLevel(oldM, newM);
  const notApplied = [...top.notApplied];
  const oldByKey = byKey(oldM.outermost);
  const splices: { start: number; end: number; text: string }[] = [];
  const carried = new Set<FunctionRecord>();
  for (const f of newM.outermost) {
    const before = oldByKey.get(f.key);
    if (!before) continue;
    const oldText = running.slice(before.start, before.end);
    const newText = saved.slice(f.start, f.end);
    if (oldText === newText) continue;
    const needs = [...f.referenced].filter((n) => top.added.has(n) && !f.declared.has(n));
    if (needs.length) {
      notApplied.push({
        code: Codes.UsesNewDeclaration,
        line: f.line,
        message: `${f.name} not patched: it uses ${needs.join(', ')}, which is new at top level (restart, or move it inside ${f.name})`,
      });
      continue;
    }
    splices.push({ start: before.start, end: before.end, text: newText });
    carried.add(f);
  }
  if (notApplied.length === 0) {
    notApplied.push({ code: Codes.TopLevelCode, message: 'top-level code changed: it ran once when the module loaded and is not run again' });
  }
  if (splices.length === 0) return { kind: 'nothing', notApplied };
  let text = running;
  for (const s of splices.sort((a, b) => b.start - a.start)) text = text.slice(0, s.start) + s.text + text.slice(s.end);
  const changed = changedFunctions(oldM, newM, carried);
  return { kind: 'patch', text, changed, notApplied, warnings: staleClosureWarnings(oldM, newM, changed) };
}

function sameDeclarations(a: ScriptModel, b: ScriptModel): boolean {
  if (a.topDeclared.size !== b.topDeclared.size) return false;
  for (const [name, kind] of a.topDeclared) if (b.topDeclared.get(name) !== kind) return false;
  return true;
}
