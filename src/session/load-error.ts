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

/** A SyntaxError stop in node's loader: the program's file it was compiling, and where. */
export async function loadErrorOf(cdp: Connection, p: Pause): Promise<LoadError | null> {
  if (p.kind !== 'exception' || p.exception?.className !== 'SyntaxError') return null;
  for (const frame of p.callFrames.slice(0, 8)) {
    const r = await cdp.Debugger.evaluateOnCallFrame({ callFrameId: frame.callFrameId, expression: 'typeof filename === "string" ? filename : undefined' }).catch(() => null);
    const file = r && !r.exceptionDetails && typeof r.result.value === 'string' ? fileOf(r.result.value) : null;
    if (!file || isLibraryFile(file) || isEditContinueFile(file)) continue;
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    const found = syntaxErrorIn(file, text);
    if (found) return found;
  }
  return null;
}

function fileOf(name: string): string | null {
  if (name.startsWith('file://')) { try { return new URL(name).pathname; } catch { return null; } }
  return name.startsWith('/') ? name : null;
}

const SHOWN = "Symbol.for('edit-continue.shown')";

/** Mark the exception of a stop the user was shown (an object only). */
export async function markShown(cdp: Connection, exception: Protocol.Runtime.RemoteObject | undefined): Promise<void> {
  if (!exception?.objectId) return;
  await cdp.Runtime.callFunctionOn({ objectId: exception.objectId, functionDeclaration: `function () { try { Object.defineProperty(this, ${SHOWN}, { value: true, configurable: true }); } catch {} }` }).catch(() => {});
}

/** Was this exception shown at an earlier stop (node or a library caught it and threw it again)? */
export async function wasShown(cdp: Connection, exception: Protocol.Runtime.RemoteObject | undefined): Promise<boolean> {
  if (!exception?.objectId) return false;
  const r = await cdp.Runtime.callFunctionOn({ objectId: exception.objectId, functionDeclaration: `function () { return this[${SHOWN}] === true; }`, returnByValue: true }).catch(() => null);
  return r?.result.value === true;
}
