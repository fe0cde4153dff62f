// `#x in o` at the prompt, where V8 cannot compile it: in a frame of a swapped-in method (its code
// stands outside the class) or in any frame outside the class. V8's debug-evaluate reads `o.#x` on any
// object, but answers `#x in o` with "Private field '#x' must be declared in an enclosing class" (or
// "#x is not defined"), and does not read `o.#x` inside a function of the expression either. So the
// prompt answers each `#x in E` itself (PauseSession.evaluateSeeing): E is evaluated in the frame, and
// the answer is whether that object has a private member named #x (Runtime.getProperties'
// privateProperties), which then stands in the expression as `true` or `false`.
import type * as acorn from 'acorn';
import { acornParser } from '../util/acorn';
import { forEachChild, type Node } from '../inject/boundary';

/** The global that holds the object while its private methods are looked for (PauseSession.hasPrivateMethod). */
export const PRIVATE_IN_HOLDER = '__ec$in';

/** One `#name in right` of an expression: offsets into the expression's text. */
export interface PrivateIn {
  name: string;
  start: number;
  end: number;
  right: { start: number; end: number };
}

/** The message V8 gives for a private name it cannot resolve where the expression is compiled. */
export function isUnresolvedPrivate(message: string): boolean {
  return /Private field '#[\w$]+' must be declared in an enclosing class|ReferenceError: #[\w$]+ is not defined/.test(message);
}

/**
 * The outermost `#name in E` of an expression (not those inside E, which E's own evaluation answers,
 * nor those inside a function of the expression, which V8 would compile as it is), in source order.
 * Null when the text does not parse as an expression, or has none.
 */
export function privateInsOf(expression: string): PrivateIn[] | null {
  if (!expression.includes('#')) return null;
  let node: acorn.Expression;
  try {
    node = acornParser().parseExpressionAt(expression, 0, { ecmaVersion: 'latest', checkPrivateFields: false, allowAwaitOutsideFunction: true });
  } catch {
    return null;
  }
  if (expression.slice(node.end).trim() !== '') return null;
  const out: PrivateIn[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'BinaryExpression' && n.operator === 'in' && n.left.type === 'PrivateIdentifier') {
      out.push({ name: n.left.name, start: n.start, end: n.end, right: { start: n.right.start, end: n.right.end } });
      return;
    }
    if (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'ClassExpression') return;
    forEachChild(n, visit);
  };
  visit(node as Node);
  return out.length ? out : null;
}

/** The expression with each `#name in E` replaced by its answer, last first (offsets stay valid). */
export function withAnswers(expression: string, parts: PrivateIn[], answers: boolean[]): string {
  let out = expression;
  for (let i = parts.length - 1; i >= 0; i--) out = out.slice(0, parts[i].start) + `(${answers[i]})` + out.slice(parts[i].end);
  return out;
}

