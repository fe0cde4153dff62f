// A stop inside a regular expression's match, and the prompt's expressions there.
//
// Ctrl+C stops a program where it is, and a program that matches regular expressions (a router, a
// parser, a log scanner) is often inside one: V8 takes the pause in an interrupt of the match. On
// node 20 and 22 (V8 before 13) an expression evaluated at that stop that runs a regular expression
// of its own that backtracks ends the program (SIGSEGV, no message; docs/v8.md, "A regular
// expression inside an interrupt's regular expression", `scripts/v8/regexp-at-pause.js`). So at such
// a stop the prompt runs plain reads (`p name`, `p obj.list[0]`, `set n = 3`) as always, and refuses an
// expression that calls anything or has a regular expression literal, saying why and how to leave
// the match first. Node 24 and later run it.
import type * as Acorn from 'acorn';
import { acornParser } from '../util/acorn';
import { MATCHING_FRAME, MATCHING_METHODS, V8_BEFORE_13, stackReaderFn } from '../cdp/regexp-guard';

/**
 * An expression, evaluated on the stopped frame: 'new' on V8 13 and later (nothing to fear);
 * 'builtin' when the first frame below the evaluate's own code is a builtin that runs a match (the
 * interrupt came inside it); else 'no'. Optimized code calls the match without such a frame (V8
 * inlines `re.test(s)`): atMatchingCall looks at the code where the frame stands. It runs no regular
 * expression (names are compared with `includes`), and restores what it changes.
 */
export const INSIDE_A_MATCH = `(() => {
  if (!(${V8_BEFORE_13})) return 'new';
  return (${stackReaderFn(`(frames) => {
    const test = ${MATCHING_FRAME};
    // the evaluate's own frames: code with no file, named eval or nothing
    let i = 0;
    while (i < frames.length && !frames[i].getFileName() && [null, '', 'eval'].includes(frames[i].getFunctionName())) i++;
    return i < frames.length && test(frames[i].getFunctionName(), frames[i].getFileName()) ? 'builtin' : 'no';
  }`, "'no'", 16)})();
})()`;

/** The methods that run a match, called where a frame stands (`re.test(`, `s.replace(`, `?.exec(`). */
const MATCHING_CALL = new RegExp(`^(?:${MATCHING_METHODS.join('|')})\\s*\\(`);

/**
 * Does the code at `offset` (where a stopped frame stands: V8 places a call at its method's name)
 * call a method that runs a match? A `replace` or `split` of a string by a string counts too: a
 * refusal too many, never a crash.
 */
export function atMatchingCall(text: string, offset: number): boolean {
  if (!MATCHING_CALL.test(text.slice(offset, offset + 16))) return false;
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === '.';
}

/**
 * Can this prompt expression run a regular expression? When it calls anything (a call, `new`, a
 * tagged template) or has a regular expression literal. Reads, operators and literals do not (a
 * getter or a `toString` that runs one is the case left). An expression that does not parse is left
 * to V8, which says what is wrong with it.
 */
export function mayRunRegExp(expression: string): boolean {
  const acorn = acornParser();
  let program: Acorn.Program;
  try {
    program = acorn.parse(expression, { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true });
  } catch {
    return false;
  }
  let found = false;
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    const n = node as { type?: unknown; regex?: unknown };
    if (n.type === 'CallExpression' || n.type === 'NewExpression' || n.type === 'TaggedTemplateExpression' || n.type === 'ImportExpression' || (n.type === 'Literal' && n.regex)) { found = true; return; }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const v of value) visit(v);
      else if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') visit(value);
    }
  };
  visit(program);
  return found;
}

/** What the prompt says instead of evaluating such an expression at such a stop. */
export function insideAMatchRefusal(where: string): string {
  return `not evaluated: the program stopped inside a regular expression's match (in ${where}), and on this node (V8 before 13: node 20 and 22) code that runs a regular expression here can end the program. \`next\` lets the match finish first; a plain read (\`p name\`, \`p obj.items[0]\`) works here`;
}
