// Pure: the edits V8 LiveEdit answers `Ok` to and does not carry out, found BEFORE anything is sent.
//
// Every predicate of that kind lives here; docs/v8.md (section 4, "Ok that does nothing") lists the
// reproduced facts behind each one, on Node 20, 22, 24 and 26:
// - a top-level function whose end V8's text diff cannot match (an arrow's last character changes,
//   or a switch to or from a block body, or `=> 5` to `=> 55`): V8 sees a removed function and a
//   new one, and the running one stays old;
// - the same for a function nested in another: the outer one is patched, but the closures it made
//   before keep their old code for good (sent, with an EC206 warning that says so);
// - an edit that changes which variables of a scope V8 keeps in a context (a function starts or stops
//   capturing an outer variable, at any depth; a direct eval; `arguments`, `this`, `super` or a
//   class's own name used from a closure): V8 marks every function under that scope as changed
//   beyond repair, keeps their old code, and the running closures never take a later save either.
//   For a file's own scopes that is every function of the file (an ES module is refused instead).
// The planner (plan.ts) leaves the functions named here out of the text it sends.
import type * as acorn from 'acorn';
import { Codes } from './codes';
import { ASYNC_PREFIX, ASYNC_SUFFIX, QUIET_LINE, SYNC_PREFIX, SYNC_SUFFIX } from '../inject/boundary';
import { parseScript, type FunctionRecord, type ModuleKind, type ScriptModel } from './functions';
import { reshapeOf, scopeModel, type ScopeLayout, type ScopeModel } from './scopes';
import type { NotApplied } from './plan';
import { notPatched } from './skeleton';

const scopeModels = new WeakMap<ScriptModel, ScopeModel>();

function scopesOf(model: ScriptModel, kind: ModuleKind, program?: acorn.Program): ScopeModel {
  let known = scopeModels.get(model);
  if (!known) {
    known = scopeModel(program ?? parseScript(model.text, kind), kind);
    scopeModels.set(model, known);
  }
  return known;
}

function outermostOf(f: FunctionRecord): FunctionRecord {
  let o = f;
  while (o.parent) o = o.parent;
  return o;
}

/**
 * Can V8 match the end of a changed function? Its text diff maps the old literal's end to the new one;
 * when the end itself changes (an arrow's last character, or a switch to or from a `{ … }` body), or
 * the text ends in a run of the same character that the unchanged tail does not cover (`=> 5` to
 * `=> 55`, `=> f(x)` to `=> f(f(x))`, `…; }` to `…; {}}`), the match slips and V8 keeps the old
 * function. Reproduced on Node 20-26 (docs/v8.md); a little wider than V8 (`=> [1]` to `=> [[1]]`
 * applies).
 */
export function endUnmatchable(oldText: string, newText: string): boolean {
  if (oldText === newText) return false;
  const last = oldText[oldText.length - 1];
  if (last !== newText[newText.length - 1]) return true;
  const run = (t: string) => { let n = 0; while (n < t.length && t[t.length - 1 - n] === last) n++; return n; };
  let same = 0;
  while (same < oldText.length && same < newText.length && oldText[oldText.length - 1 - same] === newText[newText.length - 1 - same]) same++;
  return same < Math.max(run(oldText), run(newText));
}

/** A changed top-level function whose end V8 cannot match: it keeps the old function. */
export function topLevelEndUnmatched(before: FunctionRecord, after: FunctionRecord, running: string, saved: string): NotApplied | null {
  if (!endUnmatchable(running.slice(before.start, before.end), saved.slice(after.start, after.end))) return null;
  if (boundaryOf(running, before) && !boundaryOf(saved, after)) {
    return {
      code: Codes.TopLevelCode,
      line: after.line,
      message: notPatched(after.name, `with this edit it can no longer have a retry boundary (a direct eval, or a name declared both as a function and a var in its body: docs/retry.md), which moves its end, and V8 would keep the old function; restart to use it`),
    };
  }
  return {
    code: Codes.TopLevelCode,
    line: after.line,
    message: notPatched(after.name, `V8 cannot match its end after this edit (its last characters change, as from \`=> 5\` to \`=> 55\` or \`=> 6\`, or to or from a { … } body) and would keep the old one; change it so that it ends as before (\`=> 1 + a + b\`, not \`=> a + b + 1\`), or restart`),
  };
}

/**
 * A function nested in a changed one whose end V8 cannot match (endUnmatchable): V8 patches the outer function
 * but the arrows it made before keep their old code, for good. A warning per outermost function.
 */
export function nestedEndsUnmatched(oldM: ScriptModel, newM: ScriptModel, running: string, saved: string): Map<FunctionRecord, NotApplied> {
  const out = new Map<FunctionRecord, NotApplied>();
  const oldByKey = new Map(oldM.functions.map((f) => [f.key, f]));
  for (const f of newM.functions) {
    if (!f.parent) continue;
    const before = oldByKey.get(f.key);
    if (!before || !endUnmatchable(running.slice(before.start, before.end), saved.slice(f.start, f.end))) continue;
    const outer = outermostOf(f);
    if (out.has(outer)) continue;
    out.set(outer, {
      code: Codes.StaleClosures,
      line: f.line,
      message: `closures that ${outer.name} made before this save keep their old code, for good (V8 cannot match the end of ${f.name} after this edit); new calls get the new code. To patch them too, make it end as before (\`=> 100 + a + b\`, not \`=> a + b + 100\` or \`=> a + bb\`)`,
    });
  }
  return out;
}

/** Items of a layout as `topUses` names them (`2:name`, `2:#this`, `#eval`). */
function items(layout: ScopeLayout, index: number): Set<string> {
  const out = new Set<string>();
  for (const s of layout.special) {
    if (s === 'eval') out.add('#eval');
    else if (s.startsWith('param:')) out.add(`${index}:${s.slice(6)}`);
    else out.add(`${index}:#${s}`);
  }
  for (const n of layout.locals) out.add(`${index}:${n}`);
  return out;
}

function describeItems(list: string[]): string {
  return list.map((i) => {
    const name = i.replace(/^\d+:/, '');
    if (name === '#eval') return 'a direct eval (which makes V8 keep every variable around it in a context)';
    if (name === '#this') return '`this` of the top level';
    if (name === '#arguments') return '`arguments` of the top level';
    if (name === '#home') return '`super`';
    return name.replace(/^#/, '');
  }).join(', ');
}

/**
 * The changed outermost functions of `sent` (a text V8 would get) that change the layout of a scope
 * some function of the running text sits in, each with why and what to do. `candidates` are the
 * outermost functions of `sent` that differ from the running text.
 */
export function scopeReshapes(oldM: ScriptModel, newM: ScriptModel, kind: ModuleKind, candidates: FunctionRecord[], newProgram?: acorn.Program): Map<FunctionRecord, NotApplied> {
  const out = new Map<FunctionRecord, NotApplied>();
  if (candidates.length === 0) return out;
  const oldS = scopesOf(oldM, kind);
  const newS = scopesOf(newM, kind, newProgram);
  const oldByKey = new Map(oldM.functions.map((f) => [f.key, f]));
  let topDamaged = false;
  for (const f of newM.functions) {
    const before = oldByKey.get(f.key);
    if (!before) continue;
    const a = oldS.chains.get(before.start);
    const b = newS.chains.get(f.start);
    if (!a || !b) continue;
    let where: ScopeLayout | null = null;
    let why: string | null = null;
    if (a.length !== b.length) {
      where = b.find((l) => !l.topLevel) ?? b[0] ?? null;
      why = 'is now in another block';
    } else {
      for (let i = 0; i < b.length && !why; i++) {
        why = reshapeOf(a[i], b[i]);
        if (why) where = b[i];
      }
    }
    if (!why || !where) continue;
    if (where.topLevel) { topDamaged = true; continue; }
    const outer = outermostOf(f);
    if (out.has(outer)) continue;
    const who = f.parent ? `its closure ${f.name}` : f.name;
    const owner = newM.functions.find((g) => g.start === where!.owner);
    const place = owner ? owner.name : where.label;
    out.set(outer, {
      code: Codes.ScopeReshape,
      line: outer.line,
      message: notPatched(outer.name, `${who} ${why} of ${place}, and V8 would keep the old code of the closures ${outer.name} made before, for good. Restart to use it, or capture the same variables as before`),
    });
  }
  if (!topDamaged) return out;

  // A scope of the file changed: every function of the file would keep its old code. Find the changed
  // functions that change what that scope keeps in a context.
  const changedItems = new Set<string>();
  const n = Math.max(oldS.topLayouts.length, newS.topLayouts.length);
  for (let i = 0; i < n; i++) {
    const a = oldS.topLayouts[i] ? items(oldS.topLayouts[i], i) : new Set<string>();
    const b = newS.topLayouts[i] ? items(newS.topLayouts[i], i) : new Set<string>();
    for (const x of a) if (!b.has(x)) changedItems.add(x);
    for (const x of b) if (!a.has(x)) changedItems.add(x);
  }
  const oldOutermost = new Map(oldM.outermost.map((f) => [f.key, f]));
  const culprits: { f: FunctionRecord; added: string[]; removed: string[] }[] = [];
  for (const f of candidates) {
    if (out.has(f)) continue;
    const before = oldOutermost.get(f.key);
    const was = (before && oldS.topUses.get(before.start)) ?? new Set<string>();
    const now = newS.topUses.get(f.start) ?? new Set<string>();
    const added = [...now].filter((x) => !was.has(x) && changedItems.has(x));
    const removed = [...was].filter((x) => !now.has(x) && changedItems.has(x));
    if (added.length || removed.length) culprits.push({ f, added, removed });
  }
  if (culprits.length === 0) {
    // Not attributable to one function (should not happen): send none of them rather than a text V8
    // would take without applying.
    for (const f of candidates) {
      if (!out.has(f)) out.set(f, { code: Codes.ScopeReshape, line: f.line, message: notPatched(f.name, `this save changes which top-level variables the file's functions capture, and V8 would keep the old code of every function in the file, for good. Restart to use it`) });
    }
    return out;
  }
  for (const { f, added, removed } of culprits) {
    const plainAdds = added.every((x) => !x.includes('#') && /^0:/.test(x));
    if (removed.length === 0 && plainAdds) {
      out.set(f, {
        code: Codes.UsesNewDeclaration,
        line: f.line,
        message: notPatched(f.name, `it now uses top-level ${describeItems(added)}, which no function of the running code uses, and V8 cannot give a running module's functions access to it (restart, or keep the value in a variable a function already uses)`),
      });
      continue;
    }
    const plainAdded = added.filter((x) => !x.includes('#'));
    const specialAdded = added.filter((x) => x.includes('#'));
    const parts = [
      ...(plainAdded.length ? [`now uses ${describeItems(plainAdded)}, which no function captured before`] : []),
      ...(specialAdded.length ? [`now uses ${describeItems(specialAdded)}`] : []),
      ...(removed.length ? [`no longer uses ${describeItems(removed)}, the last function that did`] : []),
    ];
    const plain = removed.map((x) => x.replace(/^\d+:/, '')).find((x) => !x.startsWith('#'));
    const keep = plain ? `, or keep a use of ${plain} in ${f.name} (\`void ${plain};\`)` : '';
    out.set(f, {
      code: Codes.ScopeReshape,
      line: f.line,
      message: notPatched(f.name, `it ${parts.join(' and ')}, and V8 would keep the old code of every function in the file, for good. Restart to use it${keep}`),
    });
  }
  return out;
}

/** Where a function's retry boundary sits in `text` (docs/retry.md), or null when it has none. */
function boundaryOf(text: string, f: FunctionRecord): { prefixAt: number; prefix: string; suffixAt: number; suffix: string } | null {
  if (text[f.bodyStart] !== '{') return null;
  const body = text.slice(f.bodyStart, f.bodyEnd);
  for (const [prefix, suffix] of [[SYNC_PREFIX, SYNC_SUFFIX], [ASYNC_PREFIX, ASYNC_SUFFIX]]) {
    if (!body.endsWith(suffix + '}')) continue;
    const at = body.indexOf(prefix);
    if (at < 0) continue;
    return { prefixAt: f.bodyStart + at, prefix, suffixAt: f.bodyEnd - 1 - suffix.length, suffix };
  }
  return null;
}

/**
 * The saved text without the retry boundaries of functions that ran without one (an empty body gets
 * none; a body gets one once it has a statement). A boundary added to a running function moves its
 * end, which V8 cannot match (endUnmatchable): `function f() {}` to `function f() {try{ return 1;
 * }finally{void 0xEC}}` answers Ok and keeps the empty function (reproduced on Node 20-26). Without
 * it the edit applies; retry then says the function has no boundary until a restart.
 */
export function withoutNewBoundaries(oldM: ScriptModel, newM: ScriptModel, running: string, saved: string): string {
  const oldByKey = new Map(oldM.functions.map((f) => [f.key, f]));
  const cuts: { at: number; length: number }[] = [];
  // where the boundaries that stay are (their prefixes and suffixes), and the ones taken out
  const kept: number[] = [];
  const bare: NonNullable<ReturnType<typeof boundaryOf>>[] = [];
  for (const f of newM.functions) {
    const b = boundaryOf(saved, f);
    if (!b) continue;
    const before = oldByKey.get(f.key);
    if (!before || boundaryOf(running, before)) { kept.push(b.prefixAt, b.suffixAt); continue; }
    cuts.push({ at: b.prefixAt, length: b.prefix.length }, { at: b.suffixAt, length: b.suffix.length });
    bare.push(b);
  }
  if (cuts.length === 0) return saved;
  // node's marker of the line (boundary.ts quietEnds), after the body's opening boundary or before its
  // closing one: it goes with the boundary unless another boundary stays on that line
  for (const b of bare) {
    for (const at of [b.prefixAt + b.prefix.length, b.suffixAt - QUIET_LINE.length]) {
      if (at < 0 || !saved.startsWith(QUIET_LINE, at)) continue;
      const from = saved.lastIndexOf('\n', at - 1) + 1;
      const nl = saved.indexOf('\n', at);
      const to = nl === -1 ? saved.length : nl;
      if (!kept.some((k) => k >= from && k <= to)) cuts.push({ at, length: QUIET_LINE.length });
    }
  }
  let out = saved;
  for (const c of cuts.sort((a, b) => b.at - a.at)) out = out.slice(0, c.at) + out.slice(c.at + c.length);
  return out;
}
