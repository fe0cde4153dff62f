// Pure: the retry boundary. Every function of the user's own files gets its body wrapped, on the same
// lines, so that an exception leaving it stops (one debugger step later) inside the function's own
// frame, where V8 can safely restart it (docs/retry.md):
//
//   function work(item) {            →  function work(item) {try{
//     return item.spec.weight;            return item.spec.weight;
//   }                                   }finally{void 0xEC}}
//
// An async function gets a slot the controller can fill with the promise of the retried call; its
// `finally` then returns that promise, so the caller's `await` receives the retried result:
//
//   async function work(item) {let __ec$r;try{ … }finally{if(__ec$r)return __ec$r}}
//
// No line is added or removed, so stack traces and breakpoints keep their lines; columns move only on
// the lines where a body opens or closes. The same function runs in the program when a file loads and
// in the controller on every saved text before LiveEdit, so the two always agree. Generators and
// empty bodies are left alone; so is a text acorn cannot parse (V8 then reports the error itself).
import * as acorn from 'acorn';
import { BOUNDARY_MARK } from './mark';

export const SYNC_PREFIX = 'try{';
export const SYNC_SUFFIX = '}finally{void 0xEC}';
/** The variable an async boundary returns when the controller sets it. */
export const RETRY_SLOT = '__ec$r';
export const ASYNC_PREFIX = `let ${RETRY_SLOT};try{`;
export const ASYNC_SUFFIX = `}finally{if(${RETRY_SLOT})return ${RETRY_SLOT}}`;
/** Appended on a line of its own, so that a running text says it carries boundaries (./mark.ts). */
export { BOUNDARY_MARK };

export type SourceKind = 'script' | 'module';

export interface TransformOptions {
  /**
   * The swap engine's indirection (docs/swap.md): every function first checks its slot. `module` names
   * the module's slots (a short id derived from its file by the load hook, ./hooks.ts).
   */
  swap?: { module: string };
}

type Node = acorn.Node & Record<string, any>;

interface Insertion {
  at: number;
  text: string;
}

/** Parse a script as node runs it (a CommonJS body may `return`; a module may `await`). Throws on a syntax error. */
export function parseSource(text: string, kind: SourceKind): acorn.Program {
  return acorn.parse(text, {
    ecmaVersion: 'latest',
    sourceType: kind,
    allowHashBang: true,
    allowReturnOutsideFunction: kind === 'script',
    allowAwaitOutsideFunction: kind === 'module',
  });
}

function parse(text: string, kind: SourceKind): acorn.Program | null {
  try { return parseSource(text, kind); } catch { return null; }
}

function isFunction(node: Node): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

function forEachFunction(root: Node, visit: (fn: Node) => void): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (isFunction(node)) visit(node);
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) if (value[i] && typeof value[i].type === 'string') stack.push(value[i]);
      } else if (value && typeof value.type === 'string') {
        stack.push(value);
      }
    }
  }
}

/**
 * Would this body mean something else, or fail, inside a block? A block may not declare a name both
 * with `var` and `function` (a body may), strict code may not declare a function twice in one block,
 * and a direct eval that declares a var clashes with a block's function. Such bodies stay as they are.
 */
function blockChangesMeaning(body: Node, text: string, textHasEval: boolean): boolean {
  const functions = new Set<string>();
  for (const st of body.body as Node[]) {
    if (st.type !== 'FunctionDeclaration' || !st.id) continue;
    if (functions.has(st.id.name)) return true;
    functions.add(st.id.name);
  }
  // the common case, cheaply: no function declared in the body, and no eval anywhere in it
  // (whether the text has `eval` at all is asked once per text: a search per function would be
  // functions × file size)
  if (functions.size === 0 && !textHasEval) return false;
  let clash = false;
  const stack: Node[] = [...body.body];
  while (stack.length && !clash) {
    const node = stack.pop()!;
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const d of node.declarations as Node[]) if (d.id.type === 'Identifier' && functions.has(d.id.name)) clash = true;
    }
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'eval') clash = true;
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) { for (const v of value) if (v && typeof v.type === 'string' && !isFunction(v)) stack.push(v); }
      else if (value && typeof value.type === 'string' && key !== 'type' && !isFunction(value)) stack.push(value);
    }
  }
  return clash;
}

function insertionsFor(fn: Node, text: string, textHasEval: boolean): Insertion[] {
  if (fn.generator || fn.body.type !== 'BlockStatement') return [];
  if (blockChangesMeaning(fn.body, text, textHasEval)) return [];
  const statements: Node[] = fn.body.body;
  let first = 0;
  while (first < statements.length && typeof statements[first].directive === 'string') first++;
  if (first === statements.length) return []; // nothing that could throw
  const open = first === 0 ? fn.body.start + 1 : statements[first - 1].end;
  // a directive without its semicolon would run into `try` on the same line
  const lead = first > 0 && !text.slice(statements[first - 1].start, open).endsWith(';') ? ';' : '';
  const close = fn.body.end - 1;
  return fn.async
    ? [{ at: open, text: lead + ASYNC_PREFIX }, { at: close, text: ASYNC_SUFFIX }]
    : [{ at: open, text: lead + SYNC_PREFIX }, { at: close, text: SYNC_SUFFIX }];
}

/** The text with boundaries, or the text as it was when it does not parse or already has them. */
export function addBoundaries(text: string, kind: SourceKind, _options: TransformOptions = {}): string {
  if (text.endsWith(BOUNDARY_MARK)) return text;
  const program = parse(text, kind);
  if (!program) return text;
  const insertions: Insertion[] = [];
  const textHasEval = text.includes('eval');
  forEachFunction(program as Node, (fn) => { insertions.push(...insertionsFor(fn, text, textHasEval)); });
  insertions.sort((a, b) => a.at - b.at);
  let out = '';
  let at = 0;
  for (const ins of insertions) {
    out += text.slice(at, ins.at) + ins.text;
    at = ins.at;
  }
  return out + text.slice(at) + BOUNDARY_MARK;
}

export function hasBoundaries(text: string): boolean {
  return text.endsWith(BOUNDARY_MARK);
}
