// Node 20 and 22 (V8 11.3 and 12.4) end the program, SIGSEGV or SIGBUS, when code that runs in an
// interrupt executes a regular expression while the code it interrupted was inside a match of one
// (docs/v8.md, "A regular expression inside an interrupt's regular expression"). Node runs an
// inspector command that comes while the program runs in an interrupt, wherever its main thread is,
// and programs spend real time in regular expressions (a router matching paths, a loader matching
// file names). So an evaluate of ours that may run one while the program runs (a loader's compile,
// node's source-map hook, node's type stripping) first looks whether the program is inside a match,
// and then runs nothing and is asked again a moment later.
import type { Protocol } from 'devtools-protocol';
import type { Connection } from './connection';

/** The methods that run a match, as V8 names their builtins' frames and as code calls them (`re.test(s)`). */
export const MATCHING_METHODS: readonly string[] = ['test', 'exec', 'match', 'matchAll', 'replace', 'replaceAll', 'split', 'search'];

/**
 * The frames V8 shows for the builtins that run a match (seen on node 20–26: the builtin is the
 * frame right below an interrupt that came inside the match; `next` is a matchAll iterator's).
 */
const MATCHING = [...MATCHING_METHODS, 'next', '[Symbol.match]', '[Symbol.matchAll]', '[Symbol.replace]', '[Symbol.search]', '[Symbol.split]'];

/** An expression, for code run in the program: is its V8 before 13 (node 20, 22), where a match inside a match can end it? */
export const V8_BEFORE_13 = `Number(String(process.versions.v8).split('.')[0]) < 13`;

/**
 * A function's text, for an expression run in the program: `read` (a function's text, `(frames) =>
 * value`) given the call sites of the stack below this code, innermost first, its own frame
 * included; `otherwise` (an expression's text) when the stack cannot be read. What it changes to read
 * them (Error.prepareStackTrace, Error.stackTraceLimit) is put back.
 */
export function stackReaderFn(read: string, otherwise: string, depth = 64): string {
  return `function () {
  const prepare = Error.prepareStackTrace, limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = ${depth};
    Error.prepareStackTrace = (_e, frames) => frames;
    const frames = new Error().stack;
    return Array.isArray(frames) ? (${read})(frames) : ${otherwise};
  } catch { return ${otherwise}; } finally { Error.prepareStackTrace = prepare; Error.stackTraceLimit = limit; }
}`;
}

/**
 * A function's text, for an expression run in the program: does a frame on the stack below this
 * code satisfy `predicate` (a function's text, `(name, file) => boolean`, given each call site's
 * function name and file)? False when the stack cannot be read.
 */
export function onStackFn(predicate: string): string {
  return stackReaderFn(`(frames) => { const test = ${predicate}; return frames.some((f) => test(f.getFunctionName(), f.getFileName())); }`, 'false');
}

/**
 * A function's text, `(name, file) => boolean`: is this call site a builtin that runs a match? (No
 * file and such a name; a `replace` with a string pattern counts too: that costs a second ask, not a
 * crash.)
 */
export const MATCHING_FRAME = `(name, file) => !file && ${JSON.stringify(MATCHING)}.includes(name)`;

/** A function's text, for an expression run in the program: is a builtin that runs a match on the stack below this code? */
export const IN_REGEXP_FN = onStackFn(MATCHING_FRAME);

/** What a guarded expression gives instead of running, inside a match. */
const INSIDE_A_MATCH = 'edit-continue: the program is inside a regular expression';

/** `expression`, run only when the program is not inside a match (INSIDE_A_MATCH otherwise). */
export function outsideRegExp(expression: string): string {
  return `((${IN_REGEXP_FN})() ? ${JSON.stringify(INSIDE_A_MATCH)} : (${expression}))`;
}

/** How long an evaluate waits for the program to leave its regular expressions, and how often it asks. */
const WAIT_MS = 5000;
const AGAIN_MS = 3;

/**
 * Runtime.evaluate of `params.expression` in the running program, at a moment it is not inside a
 * regular expression (asked again every few ms until then). The expression's value must not be the
 * guard's own string. Rejects after WAIT_MS of a program that was in a match each time.
 */
export async function evaluateOutsideRegExp(cdp: Connection, params: Protocol.Runtime.EvaluateRequest, waitMs = WAIT_MS): Promise<Protocol.Runtime.EvaluateResponse> {
  const guarded = { ...params, expression: outsideRegExp(params.expression), returnByValue: true };
  const until = Date.now() + waitMs;
  for (;;) {
    const r = await cdp.Runtime.evaluate(guarded);
    if (r.exceptionDetails || r.result.value !== INSIDE_A_MATCH) return r;
    if (Date.now() >= until) throw new Error(`the program was inside a regular expression each time it was asked for ${waitMs / 1000} s (running code of ours there can end it on this node: docs/v8.md)`);
    await new Promise((resolve) => setTimeout(resolve, AGAIN_MS));
  }
}
