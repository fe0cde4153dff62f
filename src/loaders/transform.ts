// A save of a TypeScript file that a loader compiled (tsx, ts-node, @swc-node/register, …) becomes the
// same kind of text the loader produced at start, by asking the running program's own loader: its
// require hook for the file's extension (`require.extensions['.ts']`) runs on a throwaway module whose
// `_compile` keeps the text instead of running it, with `fs.readFileSync` answering the saved text for
// that one file. Same transpiler, same options, same tsconfig, same module format, same source map.
// An ES module a loader compiled through its module hooks: the program's hook chain is asked by
// src/inject/compile-hooks.ts (loaded into the program by require), reading the saved file itself.
import * as path from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { Connection } from '../cdp/connection';
import { MATCHING_FRAME, onStackFn } from '../cdp/regexp-guard';
import { withWorkersFree } from '../cdp/worker-wait';
import { addBoundaries, type SourceKind } from '../inject/boundary';
import { inlineMapOf, moveInlineMap } from './sourcemap';
import { debug } from '../util/log';

const log = debug('patch');

/** Did a loader make this running text of a TypeScript file (it carries the loader's inline source map)? */
export function isLoaderOutput(typescript: boolean, running: string): boolean {
  return typescript && inlineMapOf(running) !== null;
}

/** Where the program keeps the answers of loaders asked to compile later (by id). */
const PENDING = `globalThis[Symbol.for('edit-continue.compiling.pending')]`;

/**
 * An expression, evaluated in the target, that runs `body` (a function's text that returns the
 * loader's answer or a promise of it) and gives the answer, `{ pending: id }` for an answer that
 * comes later (take it with pendingExpression), or `{ busy: true }` without running anything when
 * the program's main thread is inside a synchronous request of another thread: ask again soon.
 *
 * There node dispatches our evaluate in an interrupt, on top of the program's own frames: in the
 * request's Atomics.wait, or in the code just before it. That request is most often the program
 * loading a module through an off-thread loader (`--loader ts-node/esm`, a register(): with in-thread
 * hooks beside them, each load on Node 22+ is a synchronous request to the loader's thread, and on
 * Node 20 import.meta.resolve is), or tsx's require hook in esbuild's synchronous API. A compile
 * asked there is a second request on the same channel, inside the first: it takes the first one's
 * answer, or the first never hears its own. The program's module loading and our compile hung (a
 * start check made while the program loaded modules, Node 24), or the program's require would throw
 * (esbuild checks the ids of its answers). Not later from the program (a microtask or timer): a
 * program that requires module after module in one synchronous loop gets to neither until the loop
 * is done, while it is between two requests most of the time (docs/v8.md). Busy too: inside a
 * match of a regular expression, where the loader's own regular expressions would end the program on
 * node 20 and 22 (../cdp/regexp-guard.ts).
 */
function askedWhenFree(body: string): string {
  // (one look at the stack for both: a synchronous request's frames, or a builtin that runs a match)
  const busy = onStackFn(`(name, file) => (name === 'wait' && !file) || file === 'node:internal/modules/esm/hooks' || ${JSON.stringify(SYNC_CALLERS)}.includes(name) || (${MATCHING_FRAME})(name, file)`);
  return `(() => {
  if ((${busy})()) return { busy: true };
  let r;
  try { r = (${body})(); } catch (e) { return { ok: false, message: String(e && e.message || e) }; }
  if (!r || typeof r.then !== 'function') return r;
  const pending = (${PENDING} ??= new Map());
  const id = (pending.size ? Math.max(...pending.keys()) : 0) + 1;
  const entry = { done: false, value: null };
  pending.set(id, entry);
  r.then((v) => v, (e) => ({ ok: false, message: String(e && e.message || 'the loader failed') })).then((v) => { entry.done = true; entry.value = v; });
  return { pending: id };
})()`;
}

/**
 * Functions that make a synchronous request of another thread, seen on the stack between sending it
 * and waiting for its answer: node's loader hooks proxy (Node 20 HooksProxy, 24+
 * AsyncLoaderHookWorker, in node:internal/modules/esm/hooks) and esbuild's synchronous API.
 */
const SYNC_CALLERS = ['makeSyncRequest', 'waitForWorker', 'runCallSync'];

/** The expression, evaluated in the target, that returns the loader's output for `text` as `file`. */
export function loaderTransformExpression(file: string, text: string): string {
  return askedWhenFree(`() => {
  const file = ${JSON.stringify(file)}, text = ${JSON.stringify(text)};
  const Module = process.getBuiltinModule('module'), fs = process.getBuiltinModule('fs'), path = process.getBuiltinModule('path');
  const ext = path.extname(file);
  const hook = Module._extensions[ext];
  if (typeof hook !== 'function') return { ok: false, message: 'no require hook for ' + ext + ' files: the loader that compiled this file did not register one (an ES module loader hook cannot be asked yet)' };
  const m = new Module(file, null);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  let out = null;
  m._compile = function (code) { out = code; };
  const read = fs.readFileSync;
  fs.readFileSync = function (p, options) {
    if (p === file) return (typeof options === 'string' || (options && options.encoding)) ? text : Buffer.from(text, 'utf8');
    return read.apply(this, arguments);
  };
  try { hook(m, file); } catch (e) { return { ok: false, message: String(e && e.message || e) }; } finally { fs.readFileSync = read; }
  if (typeof out !== 'string') return { ok: false, message: 'the require hook for ' + ext + ' files gave no JavaScript' };
  return { ok: true, text: out };
}`);
}

/**
 * The loader's output, or why there is none. `late`: the loader did not answer in time (the program
 * stayed inside its own loads, or is stopped before a first compile that must be made while it runs):
 * the edit waits, and the next ask of the same text takes the answer if it has come since.
 */
export type LoaderResult = { ok: true; text: string } | { ok: false; message: string; code?: 'late' | 'stale' };

export interface LoaderAsk {
  /** This text was asked for before and was late: look briefly (the edit waits meanwhile), not for MODULE_LOADER_WAIT_MS. */
  again?: boolean;
}

/** The file, run in the program, that asks an ES module loader's hooks (src/inject/compile-hooks.ts). */
const COMPILE_HOOKS = path.join(__dirname, '..', 'inject', 'compile-hooks.js');

/**
 * How long a loader's answer is waited for, asked again or read back: it comes only while the program
 * runs and is not inside a call to its loader (Node 20 and 22's first compile; a program loading
 * modules). Less than the updater's "still patching" warning (SLOW_APPLY_MS), which would say the
 * program does not answer, when it answers busy.
 */
export const MODULE_LOADER_WAIT_MS = 8_000;
/**
 * How long a waiting edit's loader is looked at again (LoaderAsk.again): the updater asks every
 * half second or so, in the queue every file's saves share, so each look is short.
 */
export const LOADER_LOOK_AGAIN_MS = 250;

/**
 * The expression, evaluated in the target, that returns (or promises) the loader's output for the ES
 * module `file` as it is on disk, which must be `savedText` (else a newer save is on its way).
 */
export function moduleTransformExpression(file: string, savedText: string, hooks = COMPILE_HOOKS): string {
  return askedWhenFree(`() => {
  const file = ${JSON.stringify(file)}, saved = ${JSON.stringify(savedText)}, hooks = ${JSON.stringify(hooks)};
  const fs = process.getBuiltinModule('fs');
  const check = (r) => {
    if (!r || !r.ok) return r;
    let now = null;
    try { now = fs.readFileSync(file, 'utf8'); } catch {}
    return now === saved ? r : { ok: false, code: 'stale', message: 'the file changed again while the loader compiled it: the newer save follows' };
  };
  const r = process.getBuiltinModule('module').createRequire(hooks)(hooks).compileModule(file);
  return r && typeof r.then === 'function' ? r.then(check) : check(r);
}`);
}

/** The expression that takes the answer moduleTransformExpression left as `id`, once there: `{ done, value }`. */
export function pendingExpression(id: number): string {
  return `(() => { const m = ${PENDING}, e = m && m.get(${id}); if (!e) return { done: true, value: { ok: false, message: 'the answer of the loader was lost' } }; if (!e.done) return { done: false }; m.delete(${id}); return { done: true, value: e.value }; })()`;
}

/** The expression that drops a later answer nobody waits for any more. */
function forgetExpression(id: number): string {
  return `(() => { const m = ${PENDING}; if (m) m.delete(${id}); })()`;
}

/**
 * Have the program's module loader compile `file` once, soon, from a timer of the program's own (not
 * within whatever it is doing): on Node 20 and 22 the first compile must be made while the program
 * runs, and it lets the later ones be made while it is stopped (src/inject/compile-hooks.ts). The
 * result is not used.
 */
export function warmModuleLoader(cdp: Connection, file: string, hooks = COMPILE_HOOKS): void {
  const expression = `setTimeout(() => { try { const r = process.getBuiltinModule('module').createRequire(${JSON.stringify(hooks)})(${JSON.stringify(hooks)}).compileModule(${JSON.stringify(file)}); if (r && typeof r.then === 'function') r.then(() => {}, () => {}); } catch {} }, 0), undefined`;
  void cdp.Runtime.evaluate({ expression, silent: true }).catch(() => {});
}

/**
 * Run the program's loader on a saved text: its require hook for a CommonJS module, its module hooks
 * for an ES module (`module`: the text as saved on disk, which the loader reads itself).
 */
export function loaderTransform(cdp: Connection, file: string, text: string, module?: { savedText: string; hooks?: string }, ask: LoaderAsk = {}): Promise<LoaderResult> {
  // the loader may start a worker and wait for it (esbuild's sync API): it must not wait for us (cdp/worker-wait.ts)
  return withWorkersFree(cdp, () => askLoader(cdp, file, text, module, ask));
}

/**
 * Compiles asked of a program's loader that were late, by file: the expression and the id its later
 * answer is kept under in the program. Asking the same text again reads that answer instead of
 * compiling once more (a program stopped for minutes would otherwise queue a compile per look).
 */
const outstanding = new WeakMap<Connection, Map<string, { expression: string; id: number }>>();

function outstandingOf(cdp: Connection): Map<string, { expression: string; id: number }> {
  let m = outstanding.get(cdp);
  if (!m) outstanding.set(cdp, (m = new Map()));
  return m;
}

async function askLoader(cdp: Connection, file: string, text: string, module: { savedText: string; hooks?: string } | undefined, ask: LoaderAsk): Promise<LoaderResult> {
  const expression = module ? moduleTransformExpression(file, module.savedText, module.hooks) : loaderTransformExpression(file, text);
  const left = outstandingOf(cdp);
  try {
    const deadline = Date.now() + (ask.again ? LOADER_LOOK_AGAIN_MS : MODULE_LOADER_WAIT_MS);
    let pending: number | undefined;
    let r: Protocol.Runtime.EvaluateResponse | undefined;
    const before = left.get(file);
    left.delete(file);
    if (before?.expression === expression) {
      pending = before.id; // asked before, late: its answer may have come since
      log('looking again for the loader\'s answer', file);
    } else {
      if (before) await forget(cdp, before.id); // an older text's
      log('asking the program\'s loader', file, module ? 'module hooks' : 'require hook');
      r = await cdp.Runtime.evaluate({ expression, returnByValue: true, silent: true });
      for (let i = 0; (r.result.value as { busy?: boolean } | undefined)?.busy === true; i++) {
        if (i === 0) log('the program is inside a synchronous request or a regular expression: asking again');
        if (Date.now() >= deadline) return late(ask);
        await sleep(BUSY_RETRY_MS[Math.min(i, BUSY_RETRY_MS.length - 1)]);
        r = await cdp.Runtime.evaluate({ expression, returnByValue: true, silent: true });
      }
      pending = (r.result.value as { pending?: number } | undefined)?.pending;
      log('the loader', typeof pending === 'number' ? 'answers later' : 'answered');
    }
    if (typeof pending === 'number') {
      const answer = await laterAnswer(cdp, pending, deadline);
      if (answer === 'late') {
        left.set(file, { expression, id: pending });
        return late(ask);
      }
      r = answer;
    }
    if (!r) return { ok: false, message: 'the loader gave no answer' };
    if (r.exceptionDetails) {
      const desc = r.exceptionDetails.exception?.description ?? r.exceptionDetails.text;
      return { ok: false, message: firstLines(desc) };
    }
    const v = r.result.value as { ok: boolean; text?: string; message?: string; code?: 'stale' } | undefined;
    if (!v || (v.ok && typeof v.text !== 'string')) return { ok: false, message: 'the loader gave no JavaScript' };
    return v.ok ? { ok: true, text: v.text! } : { ok: false, message: firstLines(v.message ?? 'the loader failed'), ...(v.code ? { code: v.code } : {}) };
  } catch (err) {
    return { ok: false, message: `could not ask the program's loader: ${(err as Error).message}` };
  }
}

/** How often a later answer is looked for (ms): at first soon, as a loader's compile takes a few ms; then less often. */
const LATER_POLL_MS = [5, 10, 20, 40, 80, 100];
/** How soon a program inside a synchronous request is asked again (ms): it is between two soon. */
const BUSY_RETRY_MS = [2, 5, 10, 20, 50];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function late(ask: LoaderAsk): LoaderResult {
  const wait = ask.again ? 'has not answered yet' : `did not answer in ${MODULE_LOADER_WAIT_MS / 1000} s`;
  return { ok: false, code: 'late', message: `the program's loader ${wait}: it compiles for edit-continue only while the program is not inside a call to it (loading modules all that time?); will apply when it answers` };
}

function forget(cdp: Connection, id: number): Promise<void> {
  return cdp.Runtime.evaluate({ expression: forgetExpression(id), silent: true }).then(() => {}, () => {});
}

/**
 * The answer the program's loader gives later (pendingExpression), looked for now and then. Not one
 * evaluate with awaitPromise: the connection holds every command behind an evaluate until it is
 * answered (cdp/connection.ts RUNS_CODE), so an answer that never came (a program stopped, or busy
 * for good) held the prompt and every later save with it. Each look is answered at once.
 */
async function laterAnswer(cdp: Connection, id: number, deadline: number): Promise<Protocol.Runtime.EvaluateResponse | 'late'> {
  for (let i = 0; ; i++) {
    const r = await cdp.Runtime.evaluate({ expression: pendingExpression(id), returnByValue: true, silent: true });
    const v = r.result.value as { done?: boolean; value?: unknown } | undefined;
    if (r.exceptionDetails || !v) return r;
    if (v.done) return { result: { type: 'object', value: v.value } };
    if (Date.now() >= deadline) return 'late'; // kept: the next ask of the same text reads it (askLoader)
    await sleep(LATER_POLL_MS[Math.min(i, LATER_POLL_MS.length - 1)]);
  }
}

/** A transpiler's error, without the stack (esbuild and TypeScript put the useful part first). */
function firstLines(desc: string): string {
  const lines = desc.split('\n').filter((l) => l.trim() !== '' && !/^\s+at /.test(l));
  return lines.slice(0, 4).join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * Retry boundaries on a loader's output as the load hook puts them (src/inject/hooks.ts transformText),
 * with its inline source map moved along, so that an unchanged save is the running text byte for byte.
 */
export function addBoundariesKeepingMap(text: string, kind: SourceKind): string {
  const insertions: { at: number; length: number }[] = [];
  const out = addBoundaries(text, kind, { insertions });
  return out === text ? out : moveInlineMap(text, out, insertions);
}

/** `text` with its inline source map comment replaced by the one `from` carries. */
export function withMapOf(text: string, from: string): string {
  const a = inlineMapOf(text);
  const b = inlineMapOf(from);
  if (!a || !b) return text;
  return text.slice(0, a.start) + from.slice(b.start, b.end) + text.slice(a.end);
}
