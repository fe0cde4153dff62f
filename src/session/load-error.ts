// The real error at an exception stop: a SyntaxError thrown while node compiles one of the program's
// files has no frame in that file (the stop is in node's loader). Find the file from the loader's
// frames (its `filename`), parse it as node would, and say where the error is. And: an exception the
// user has already been shown, caught and thrown again by node or a library, does not stop twice.
import * as fs from 'node:fs';
import { acornParser } from '../util/acorn';
import type { Protocol } from 'devtools-protocol';
import type { Connection } from '../cdp/connection';
import type { Pause } from './pause';
import { isLibraryFile, isEditContinueFile } from '../util/origin';
import { debug } from '../util/log';
import { ENDING_MARK } from '../inject/mark';

const log = debug('pause');

export interface LoadError {
  file: string;
  /** 1-based */
  line: number;
  /** 0-based */
  column: number;
  message: string;
  text: string;
}

/** The same load error seen again (node 20.19+ compiles a file that fails twice: as CommonJS, then to see if it is ESM). */
export function loadErrorKey(e: LoadError): string {
  return `${e.file}:${e.line}:${e.column}:${e.message}`;
}

/** Where a SyntaxError in the program's file is, by parsing it as a script and then as a module. */
export function syntaxErrorIn(file: string, text: string): LoadError | null {
  let firstError: (Error & { loc?: { line: number; column: number } }) | null = null;
  for (const sourceType of ['script', 'module'] as const) {
    try {
      acornParser().parse(text, { ecmaVersion: 'latest', sourceType, allowHashBang: true, allowReturnOutsideFunction: sourceType === 'script', allowAwaitOutsideFunction: sourceType === 'module' });
      return null;
    } catch (err) {
      firstError ??= err as Error & { loc?: { line: number; column: number } };
    }
  }
  if (!firstError?.loc) return null;
  return { file, line: firstError.loc.line, column: firstError.loc.column, message: firstError.message.replace(/ \(\d+:\d+\)$/, ''), text };
}

/** A SyntaxError's own line in its stack, node's code included (`SyntaxError [ERR_…]: message`): the message. */
export const SYNTAX_ERROR_LINE = /^SyntaxError(?: \[\w+\])?: (.*)$/m;

/** A file node strips the types of (its own type stripping: acorn cannot read it as it is). */
const TYPESCRIPT = /\.[cm]?tsx?$/i;

/**
 * Where node's type stripping found the error in a TypeScript file, from the error's own stack: it
 * begins with `file:LINE`, then the lines around it with a row of `^` under the error (Node 22-26).
 * Null when the stack has no such place.
 */
export function typeScriptErrorIn(file: string, text: string, description: string | undefined): LoadError | null {
  const lines = (description ?? '').split('\n');
  const line = Number(/:(\d+)$/.exec(lines[0] ?? '')?.[1]);
  const caret = lines.findIndex((l, i) => i > 0 && /^\s*\^+\s*$/.test(l));
  const message = SYNTAX_ERROR_LINE.exec(description ?? '')?.[1];
  if (!Number.isInteger(line) || line < 1 || caret < 0 || !message) return null;
  return { file, line, column: lines[caret].indexOf('^'), message, text };
}

/** A SyntaxError stop in node's loader: the program's file it was compiling, and where. */
export async function loadErrorOf(cdp: Connection, p: Pause): Promise<LoadError | null> {
  if (p.kind !== 'exception' || p.exception?.className !== 'SyntaxError') return null;
  // (several of the loader's frames name the same file, and each is tried: node's stripper asked again
  // from node's own typescript frames gave no place on Node 24, from the loader's frames below it did)
  for (const frame of p.callFrames.slice(0, 8)) {
    const r = await cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: 'typeof filename === "string" ? filename : undefined' }).catch(() => null);
    const file = r && !r.exceptionDetails && typeof r.result.value === 'string' ? fileOf(r.result.value) : null;
    if (!file || isLibraryFile(file) || isEditContinueFile(file)) continue;
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    const found = TYPESCRIPT.test(file)
      ? typeScriptErrorIn(file, text, p.exception?.description) ?? typeScriptErrorIn(file, text, await strippingError(cdp, frame.callFrameId, text))
      : syntaxErrorIn(file, text);
    if (found) return found;
    log('no place for the load error in', file, JSON.stringify((p.exception?.description ?? '').slice(0, 300)));
  }
  return null;
}

/**
 * The stack of the error node's type stripping gives this text, asked in the program (its own
 * stripper, as at load). Node 26 adds the place to a load error's stack only after the throw the
 * stop is at; a stripper's error has it at once. Its warning (experimental on Node 22) is not shown.
 */
async function strippingError(cdp: Connection, callFrameId: string, text: string): Promise<string | undefined> {
  const expression = `(() => { const w = process.emitWarning; process.emitWarning = () => {}; try { process.getBuiltinModule('module').stripTypeScriptTypes(${JSON.stringify(text)}); return undefined; } catch (e) { return String(e && e.stack); } finally { process.emitWarning = w; } })()`;
  const r = await cdp.Debugger.evaluateOnCallFrame({ callFrameId, expression, returnByValue: true, silent: true }).catch(() => null);
  return r && !r.exceptionDetails && typeof r.result.value === 'string' ? r.result.value : undefined;
}

function fileOf(name: string): string | null {
  if (name.startsWith('file://')) { try { return new URL(name).pathname; } catch { return null; } }
  return name.startsWith('/') ? name : null;
}

const SHOWN = "Symbol.for('edit-continue.shown')";

/** Mark the exception of a stop the user was shown (an object only); `ending`: shown as uncaught. */
export async function markShown(cdp: Connection, exception: Protocol.Runtime.RemoteObject | undefined, ending = false): Promise<void> {
  if (!exception?.objectId) return;
  const marks = `Object.defineProperty(this, ${SHOWN}, { value: true, configurable: true });${ending ? ` Object.defineProperty(this, Symbol.for(${JSON.stringify(ENDING_MARK)}), { value: true, configurable: true });` : ''}`;
  await cdp.Runtime.callFunctionOn({ objectId: exception.objectId, functionDeclaration: `function () { try { ${marks} } catch {} }` }).catch(() => {});
}

/** Was this exception shown at an earlier stop (node or a library caught it and threw it again)? */
export async function wasShown(cdp: Connection, exception: Protocol.Runtime.RemoteObject | undefined): Promise<boolean> {
  if (!exception?.objectId) return false;
  const r = await cdp.Runtime.callFunctionOn({ objectId: exception.objectId, functionDeclaration: `function () { return this[${SHOWN}] === true; }`, returnByValue: true }).catch(() => null);
  return r?.result.value === true;
}
