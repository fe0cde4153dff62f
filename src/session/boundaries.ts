// Pure: read a running text back in terms of the user's file. It finds every function, which of them
// carry a retry boundary (inject/boundary.ts) and where the boundary's own text sits, so that the
// controller can tell whether a frame can be retried, and show positions and code as the user wrote
// them (the boundary text removed, columns moved back).
import * as acorn from 'acorn';
import { LineIndex } from '../util/line-index';
import { ownText } from '../util/own-text';
import { boundNames, parseSource, quietCuts, swapCuts, ASYNC_PREFIX, ASYNC_SUFFIX, BOUNDARY_MARK, SWAP_MARK, SYNC_PREFIX, SYNC_SUFFIX, type SourceKind } from '../inject/boundary';

export interface FunctionSpan {
  start: number;
  end: number;
  async: boolean;
  generator: boolean;
  arrow: boolean;
  /** The boundary's protected range (the `try` block's inside), when the function has one. */
  guarded: { start: number; end: number } | null;
  /**
   * The constructor of a class that extends another: V8 aborts the process when such a frame is
   * restarted (docs/v8.md, "Restarting a derived class's constructor"). Set only when true.
   */
  derivedConstructor?: true;
}

type Node = acorn.Node & Record<string, any>;

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

export { LineIndex };

/** The innermost of nested spans (sorted by start) that contains an offset, or null. */
export function innermostAt<S extends { start: number; end: number }>(spans: readonly S[], offset: number): S | null {
  let best: S | null = null;
  for (const f of spans) {
    if (f.start > offset) break;
    if (offset < f.end && (!best || f.start >= best.start)) best = f;
  }
  return best;
}

export class BoundaryMap {
  readonly functions: FunctionSpan[] = [];
  /**
   * Every loop statement (for, for-in, for-of, while, do-while), sorted by start; `names`: what its
   * head declares with let or const (`for (let i …)`, `for (const x of …)`), each iteration's own.
   */
  readonly loops: { start: number; end: number; names: string[] }[] = [];
  /** Ranges of text the boundary added, sorted. */
  readonly cuts: { start: number; end: number }[] = [];
  readonly lines: LineIndex;
  readonly parsed: boolean;

  constructor(readonly text: string, kind: SourceKind) {
    this.lines = new LineIndex(text);
    let program: acorn.Program | null = null;
    try {
      program = parseSource(text, kind, 0, true); // a running text (a swapped-in method may use #private names)
    } catch {
      program = null;
    }
    this.parsed = program !== null;
    if (program) this.scan(program as Node);
    // the swap engine's insertions (docs/swap.md) are cut out like the boundary's; in a swap text the
    // boundary's own text is delimited as well: a cut inside another counts once
    for (const c of swapCuts(text)) this.cuts.push({ start: c.start, end: c.end });
    // LiveEdit's text: node's marker on the lines its boundaries are on (boundary.ts quietEnds)
    this.cuts.push(...quietCuts(text));
    this.functions.sort((a, b) => a.start - b.start);
    this.loops.sort((a, b) => a.start - b.start);
    this.cuts.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: { start: number; end: number }[] = [];
    for (const c of this.cuts) if (!merged.length || c.start >= merged[merged.length - 1].end) merged.push(c);
    this.cuts.splice(0, this.cuts.length, ...merged);
    if (text.endsWith(BOUNDARY_MARK)) this.cuts.push({ start: text.length - BOUNDARY_MARK.length, end: text.length });
    if (text.endsWith(SWAP_MARK)) this.cuts.push({ start: text.length - SWAP_MARK.length, end: text.length });
  }

  private scan(root: Node): void {
    const stack: Node[] = [root];
    // (a class is visited before the functions in its body)
    const derived = new Set<Node>();
    while (stack.length) {
      const node = stack.pop()!;
      if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.superClass) {
        for (const m of node.body.body) if (m.type === 'MethodDefinition' && m.kind === 'constructor') derived.add(m.value);
      }
      if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') {
        this.functions.push({ start: node.start, end: node.end, async: !!node.async, generator: !!node.generator, arrow: node.type === 'ArrowFunctionExpression', guarded: this.guardOf(node), ...(derived.has(node) ? { derivedConstructor: true as const } : {}) });
      }
      if (LOOPS.has(node.type)) {
        const head: Node | null = node.type === 'ForStatement' ? node.init : node.type === 'ForOfStatement' || node.type === 'ForInStatement' ? node.left : null;
        const names: string[] = [];
        if (head?.type === 'VariableDeclaration' && head.kind !== 'var') for (const d of head.declarations) boundNames(d.id, names);
        this.loops.push({ start: node.start, end: node.end, names });
      }
      for (const key of Object.keys(node)) {
        const value = node[key];
        if (Array.isArray(value)) { for (const v of value) if (v && typeof v.type === 'string') stack.push(v); }
        else if (value && typeof value.type === 'string' && key !== 'type') stack.push(value);
      }
    }
  }

  /** Does this function's body have our boundary? Record its text as cuts. */
  private guardOf(fn: Node): { start: number; end: number } | null {
    if (fn.body.type !== 'BlockStatement') return null;
    const statements: Node[] = fn.body.body;
    const last = statements[statements.length - 1];
    if (!last || last.type !== 'TryStatement' || !last.finalizer) return null;
    const t = this.text;
    const suffixStart = last.block.end - 1;
    if (fn.async) {
      const decl = statements[statements.length - 2];
      const prefixStart = decl ? decl.start : -1;
      if (!decl || t.slice(prefixStart, last.block.start + 1) !== ASYNC_PREFIX || t.slice(suffixStart, last.end) !== ASYNC_SUFFIX) return null;
      this.cuts.push({ start: prefixStart, end: last.block.start + 1 }, { start: suffixStart, end: last.end });
    } else {
      if (t.slice(last.start, last.block.start + 1) !== SYNC_PREFIX || t.slice(suffixStart, last.end) !== SYNC_SUFFIX) return null;
      this.cuts.push({ start: last.start, end: last.block.start + 1 }, { start: suffixStart, end: last.end });
    }
    return { start: last.block.start + 1, end: suffixStart };
  }

  /** The innermost function containing an offset. */
  functionAt(offset: number): FunctionSpan | null {
    return innermostAt(this.functions, offset);
  }

  /**
   * The outermost loop of the innermost function at this offset that the offset lies in: what starts
   * over when that function runs again from its first line (null: no loop of its own around it).
   */
  loopAround(offset: number): { start: number; end: number } | null {
    const fn = this.functionAt(offset);
    for (const l of this.loops) {
      if (l.start > offset) break;
      if (offset < l.end && (!fn || l.start > fn.start) && this.functionAt(l.start) === fn) return l;
    }
    return null;
  }

  /**
   * The names the heads of the loops around this offset declare (`for (let i …)`), in the innermost
   * function at it, outer loop first, each with its loop's start. Each iteration has its own copy of
   * them, and at a loop's head (where a Ctrl+C stop in a busy loop lands, between two iterations) V8
   * shows none: the prompt says so rather than leave them out unexplained.
   */
  loopNamesAt(offset: number): { name: string; start: number }[] {
    const fn = this.functionAt(offset);
    const out: { name: string; start: number }[] = [];
    for (const l of this.loops) {
      if (l.start > offset) break;
      if (offset < l.end && this.functionAt(l.start) === fn) for (const name of l.names) out.push({ name, start: l.start });
    }
    return out;
  }

  /**
   * Will an exception thrown at this offset stop in a boundary of the same frame? Only when the
   * innermost function has one and the offset lies inside its protected range (a default parameter,
   * for one, is outside).
   */
  guardedAt(offset: number): FunctionSpan | null {
    const f = this.functionAt(offset);
    return f && f.guarded && offset >= f.guarded.start && offset < f.guarded.end ? f : null;
  }

  /** Is this offset inside the boundary's own `finally`? (Where a step from a throw lands.) */
  inFinally(offset: number): FunctionSpan | null {
    const f = this.functionAt(offset);
    return f && f.guarded && offset >= f.guarded.end ? f : null;
  }

  /** A function's own text (util/own-text.ts): nested functions stand as one placeholder each. */
  ownText(fn: FunctionSpan): string {
    return ownText(this.text, fn, this.functions);
  }

  /** Own texts of every function, to tell which functions of another version changed. */
  ownTexts(): Set<string> {
    return new Set(this.functions.map((f) => this.ownText(f)));
  }

  /** 0-based line and column in the running text → the same place in the text as the user wrote it. */
  original(line: number, column: number): { line: number; column: number } {
    const offset = this.lines.offset(line, column);
    const lineStart = this.lines.offset(line, 0);
    let removed = 0;
    for (const c of this.cuts) {
      if (c.start >= offset) break;
      if (c.start < lineStart) continue;
      removed += Math.min(c.end, offset) - c.start;
    }
    return { line, column: column - removed };
  }

  /**
   * The inverse of `original`: a 0-based line and column of the text as the user wrote it → the same
   * place in the running text (a place where our text was inserted stands after it).
   */
  running(line: number, column: number): { line: number; column: number } {
    const lineStart = this.lines.offset(line, 0);
    let at = column;
    for (const c of this.cuts) {
      if (c.start < lineStart) continue;
      if (c.start - lineStart > at) break;
      at += c.end - c.start;
    }
    return { line, column: at };
  }

  /** The text as the user wrote it (same lines), or of the running text's range [from, to). */
  originalText(from = 0, to = this.text.length): string {
    let out = '';
    let at = from;
    for (const c of this.cuts) {
      if (c.end <= at || c.start >= to) continue;
      out += this.text.slice(at, Math.max(at, c.start));
      at = c.end;
    }
    return out + this.text.slice(at, to);
  }
}
