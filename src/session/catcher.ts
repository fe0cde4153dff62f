// Pure: which frame of a stopped stack catches the exception it is throwing, read from the source
// texts (V8 tells only whether *something* catches: `uncaught`). A frame catches when its position (the
// throw, or the call it is in) lies inside the block of a `try` that has a `catch` clause, in the same
// function. The retry boundary's try/finally has none, so it never counts. Used by the `unhandled`
// break-on mode: stop when the catcher is not the program's own code (docs/retry.md, "Which
// exceptions stop").
import type * as acorn from 'acorn';
import { acornParser } from '../util/acorn';
import type { SourceKind } from '../inject/boundary';

type Node = acorn.Node & Record<string, any>;

/** The [start, end) ranges of the `try` blocks that have a `catch`, innermost function kept apart. */
export class CatchRanges {
  /** try blocks with a handler; each with the function (start) that contains it */
  private readonly ranges: { start: number; end: number }[] = [];
  /** function spans, to tell whether a position is in a nested function inside a try block */
  private readonly functions: { start: number; end: number }[] = [];
  readonly parsed: boolean;

  constructor(text: string, kind: SourceKind) {
    let program: acorn.Program | null = null;
    for (const k of [kind, kind === 'script' ? 'module' : 'script'] as SourceKind[]) {
      try {
        program = acornParser().parse(text, { ecmaVersion: 'latest', sourceType: k, allowHashBang: true, allowReturnOutsideFunction: k === 'script', allowAwaitOutsideFunction: true, checkPrivateFields: false });
        break;
      } catch { /* try the other kind */ }
    }
    this.parsed = program !== null;
    if (!program) return;
    const stack: Node[] = [program as Node];
    while (stack.length) {
      const node = stack.pop()!;
      if (node.type === 'TryStatement' && node.handler) this.ranges.push({ start: node.block.start, end: node.block.end });
      if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') {
        this.functions.push({ start: node.start, end: node.end });
      }
      for (const key of Object.keys(node)) {
        const v = node[key];
        if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === 'string') stack.push(c); }
        else if (v && typeof v.type === 'string' && key !== 'type') stack.push(v);
      }
    }
  }

  /** Does code at `offset` run inside a `try { … } catch` of its own function? */
  catchesAt(offset: number): boolean {
    for (const r of this.ranges) {
      if (offset <= r.start || offset >= r.end) continue;
      // a function inside the try block (a callback defined there) does not run under it
      const inner = this.functions.some((f) => f.start > r.start && f.end < r.end && offset > f.start && offset < f.end);
      if (!inner) return true;
    }
    return false;
  }
}

export type CatcherOrigin = 'program' | 'library' | 'node' | 'edit-continue';

export interface StackFrameInfo {
  origin: CatcherOrigin;
  /** null when its text could not be read or parsed */
  catches: boolean | null;
  name: string;
}

export type Verdict =
  /**
   * the program's own code catches it (`byProgram`), or it never passed through the program's code
   * (node's or a library's business): go on
   */
  | { stop: false; why: string; byProgram?: boolean }
  /** it passed through the program's code and something else takes it (or nothing on the stack does) */
  | { stop: true; catcher: { origin: CatcherOrigin; name: string; frame: number } | null };

/**
 * Decide for a caught exception (frames innermost first): stop when it was thrown in, or passed
 * through, the program's code and the first frame that catches it is not the program's. A throw
 * that nothing on the stack catches (V8 still predicts a handler: a promise's rejection handler, a
 * framework's `.then(null, next)`) stops as well when the program's code is on the stack.
 */
export function verdict(frames: StackFrameInfo[]): Verdict {
  let programSeen = false;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (f.catches) {
      if (f.origin === 'program') return { stop: false, why: `caught by the program (${f.name})`, byProgram: true };
      if (f.origin === 'edit-continue') return { stop: false, why: 'caught by edit-continue (a retried call)' };
      return programSeen ? { stop: true, catcher: { origin: f.origin, name: f.name, frame: i } } : { stop: false, why: `thrown and caught in ${f.origin} code` };
    }
    if (f.origin === 'program') programSeen = true;
  }
  return programSeen ? { stop: true, catcher: null } : { stop: false, why: 'not the program\'s code' };
}
