// A save of a TypeScript file that a loader compiled (tsx, ts-node, @swc-node/register, …) becomes the
// same kind of text the loader produced at start, by asking the running program's own loader: its
// require hook for the file's extension (`require.extensions['.ts']`) runs on a throwaway module whose
// `_compile` keeps the text instead of running it, with `fs.readFileSync` answering the saved text for
// that one file. Same transpiler, same options, same tsconfig, same module format, same source map.
// An ES module a loader compiled through its module hooks: the program's hook chain is asked by
// src/inject/compile-hooks.ts (loaded into the program by require), reading the saved file itself.
import * as path from 'node:path';
import type { Connection } from '../cdp/connection';
import { withWorkersFree } from '../cdp/worker-wait';
import { addBoundaries, type SourceKind } from '../inject/boundary';
import { inlineMapOf, moveInlineMap } from './sourcemap';
import { debug } from '../util/log';

const log = debug('patch');

/** Did a loader make this running text of a TypeScript file (it carries the loader's inline source map)? */
export function isLoaderOutput(typescript: boolean, running: string): boolean {
  return typescript && inlineMapOf(running) !== null;
}

/** The expression, evaluated in the target, that returns the loader's output for `text` as `file`. */
export function loaderTransformExpression(file: string, text: string): string {
  return `(() => {
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
})()`;
}

export type LoaderResult = { ok: true; text: string } | { ok: false; message: string; code?: 'paused' | 'stale' };

/** The file, run in the program, that asks an ES module loader's hooks (src/inject/compile-hooks.ts). */
const COMPILE_HOOKS = path.join(__dirname, '..', 'inject', 'compile-hooks.js');

/** How long a module loader is awaited: it answers only while the program runs (Node 20, 22). */
export const MODULE_LOADER_WAIT_MS = 10_000;

/**
 * The expression, evaluated in the target, that returns (or promises) the loader's output for the ES
 * module `file` as it is on disk, which must be `savedText` (else a newer save is on its way).
 */
export function moduleTransformExpression(file: string, savedText: string, hooks = COMPILE_HOOKS): string {
  return `(() => {
  const file = ${JSON.stringify(file)}, saved = ${JSON.stringify(savedText)}, hooks = ${JSON.stringify(hooks)};
  const fs = process.getBuiltinModule('fs');
  const check = (r) => {
    if (!r || !r.ok) return r;
    let now = null;
    try { now = fs.readFileSync(file, 'utf8'); } catch {}
    return now === saved ? r : { ok: false, code: 'stale', message: 'the file changed again while the loader compiled it: the newer save follows' };
  };
  let r;
  try { r = process.getBuiltinModule('module').createRequire(hooks)(hooks).compileModule(file); } catch (e) { return { ok: false, message: String(e && e.message || e) }; }
  if (!r || typeof r.then !== 'function') return check(r);
  // asked for below with awaitPromise, which V8 answers only while the program runs
  const pending = (globalThis[Symbol.for('edit-continue.compiling.pending')] ??= new Map());
  const id = (pending.size ? Math.max(...pending.keys()) : 0) + 1;
  pending.set(id, r.then(check).catch((e) => ({ ok: false, message: String(e && e.message || 'the loader failed') })));
  return { pending: id };
})()`;
}

/** The expression that takes the promise moduleTransformExpression left as `id`. */
function pendingExpression(id: number): string {
  return `(() => { const m = globalThis[Symbol.for('edit-continue.compiling.pending')], p = m.get(${id}); m.delete(${id}); return p; })()`;
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
export function loaderTransform(cdp: Connection, file: string, text: string, module?: { savedText: string }): Promise<LoaderResult> {
  // the loader may start a worker and wait for it (esbuild's sync API): it must not wait for us (cdp/worker-wait.ts)
  return withWorkersFree(cdp, () => askLoader(cdp, file, text, module));
}

async function askLoader(cdp: Connection, file: string, text: string, module?: { savedText: string }): Promise<LoaderResult> {
  const expression = module ? moduleTransformExpression(file, module.savedText) : loaderTransformExpression(file, text);
  try {
    log('asking the program\'s loader', file, module ? 'module hooks' : 'require hook');
    let r = await cdp.Runtime.evaluate({ expression, returnByValue: true, silent: true });
    const pending = (r.result.value as { pending?: number } | undefined)?.pending;
    log('the loader', typeof pending === 'number' ? 'answers later' : 'answered');
    if (typeof pending === 'number') {
      // the loader answers later (Node 20, 22): awaited, which V8 does only while the program runs
      const asked = cdp.Runtime.evaluate({ expression: pendingExpression(pending), returnByValue: true, silent: true, awaitPromise: true });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), MODULE_LOADER_WAIT_MS); });
      const answer = await Promise.race([asked, late]).finally(() => clearTimeout(timer));
      if (answer === 'late') {
        asked.catch(() => {});
        return { ok: false, code: 'paused', message: `the loader's module hooks did not answer in ${MODULE_LOADER_WAIT_MS / 1000} s: on Node 20 and 22 the first ES module a loader compiles for edit-continue must be compiled while the program runs (it is stopped?); continue, then save again` };
      }
      r = answer;
    }
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
