// Pure: a script's top level, the one definition. Its skeleton is the text with each outermost
// function standing as one placeholder (the same as in a function's own text, util/own-text.ts) and
// as many newlines as it had, so that its lines are the file's lines. Both planners ask it whether a
// save changed the top level (plan.ts for LiveEdit, swap-plan.ts for the swap engine).
import * as acorn from 'acorn';
import { NESTED_MARK } from '../util/own-text';
import { Codes } from './codes';
import type { ModuleKind, ScriptModel } from './functions';
import type { NotApplied } from './plan';

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
export function topLevelTokens(model: ScriptModel, kind: ModuleKind): string {
  const known = tokenCache.get(model);
  if (known !== undefined) return known;
  let text = '';
  let at = 0;
  for (const f of model.outermost) { text += model.text.slice(at, f.start) + ` ${MARK} `; at = f.end; }
  text += model.text.slice(at);
  let tokens: string;
  try {
    const out: string[] = [];
    for (const t of acorn.tokenizer(text, { ecmaVersion: 'latest', sourceType: kind, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true })) out.push(text.slice(t.start, t.end));
    tokens = out.join(' ');
  } catch {
    tokens = text.replace(/\s+/g, ' ');
  }
  tokenCache.set(model, tokens);
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
export function declarationChanges(oldM: ScriptModel, newM: ScriptModel): { notApplied: NotApplied[]; added: Set<string> } {
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
  return { notApplied, added };
}
