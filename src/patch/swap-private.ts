// Pure: a swapped-in function of a class with #private names is compiled outside the class (with the
// module's scope object: ./swap-compile.ts), where `#x` cannot be written. Its uses of the class's
// private names become calls of the accessors the static block of the class that declares each name
// made at load (src/inject/boundary.ts privateAccessors), held by a global (`holder` below):
//
//   this.#x          → holder.x.g(this)             #x in o          → holder.x.h(o)
//   this.#x = v      → holder.x.s(this, v)          this.#m(a, b)    → holder.m.c(this, a, b)
//   this.#x += v     → holder.x.s(this, holder.x.g(this) + (v))
//   obj.#x += v      → holder.x.u(obj, (o) => o + (v))     (obj read once)
//   this.#x++        → holder.x.i(this, 1, 1)       --this.#x        → holder.x.i(this, 0, 0)
//   this.#x ||= v    → (holder.x.g(this) || holder.x.s(this, v))   (&&=, ??= alike)
//
// Each insertion is delimited and each piece of the user's text it stands for is blanked to spaces
// (its line breaks kept), so lines and columns stay the user's. What has no such form is refused
// with a reason: optional chains through a private name, destructuring into one, a logical
// assignment to another object than `this`, a tagged template, a compound assignment to another object than `this` whose value
// awaits or yields (it runs in an arrow), and parentheses where the rewrite needs the bare form.
// The holder is a plain object literal (fast properties), and the accessors inline: a hot method
// swapped this way ran as fast as before its save (bench/ANALYSIS.md).
import { delimited, forEachChild, privateReferences, type Node } from '../inject/boundary';

export interface Edit { at: number; text: string; end?: number }

export type PrivateRewrite = { edits: Edit[] } | { refused: string };

const LOGICAL = new Set(['&&=', '||=', '??=']);

/** The user's text from..to as spaces, its line breaks kept. */
function blank(text: string, from: number, to: number): string {
  return text.slice(from, to).replace(/[^\n\r\u2028\u2029]/g, ' ');
}

/** Is there an optional link (`?.`) in this chain below the node (its object or callee side)? */
function optionalBelow(node: Node): boolean {
  for (let n: Node | null = node; n && (n.type === 'MemberExpression' || n.type === 'CallExpression'); n = n.type === 'MemberExpression' ? n.object : n.callee) {
    if (n.optional) return true;
  }
  return false;
}

/** Member expressions that are targets of a destructuring assignment or a for-in/of head. */
function patternTargets(root: Node): Set<Node> {
  const out = new Set<Node>();
  const pattern = (p: Node | null | undefined): void => {
    if (!p) return;
    switch (p.type) {
      case 'MemberExpression': out.add(p); break;
      case 'ObjectPattern': for (const q of p.properties) pattern(q.type === 'RestElement' ? q.argument : q.value); break;
      case 'ArrayPattern': for (const e of p.elements) pattern(e); break;
      case 'RestElement': pattern(p.argument); break;
      case 'AssignmentPattern': pattern(p.left); break;
    }
  };
  const visit = (node: Node): void => {
    if (node.type === 'AssignmentExpression' && node.left.type !== 'MemberExpression') pattern(node.left);
    if ((node.type === 'ForInStatement' || node.type === 'ForOfStatement') && node.left.type !== 'VariableDeclaration') pattern(node.left);
    forEachChild(node, visit);
  };
  visit(root);
  return out;
}

/** Does an await or a yield of this function's own code stand in the expression (not in a function inside it)? */
function suspends(node: Node): boolean {
  if (node.type === 'AwaitExpression' || node.type === 'YieldExpression') return true;
  if (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' || node.type === 'FunctionDeclaration') return false;
  let found = false;
  forEachChild(node, (c) => { found ||= suspends(c); });
  return found;
}

/**
 * The edits that make `fn`'s uses of #private names into calls of the accessors of the class that
 * declares each (`holderOf`: the global holding them; undefined: no running class has the name); or
 * why they cannot be made.
 */
export function privateEdits(fn: Node, text: string, holderOf: (name: string) => string | undefined): PrivateRewrite {
  const edits: Edit[] = [];
  const targets = patternTargets(fn);
  const refs = privateReferences(fn);
  for (const { name, node, parent } of refs) {
    const what = `#${name}`;
    const holder = holderOf(name);
    if (holder === undefined) return { refused: `it uses ${what}, which the running class does not have` };
    const acc = (op: string) => delimited(`${holder}.${name}.${op}(`);
    if (node.type === 'BinaryExpression') {
      if (text.slice(node.left.end, node.right.start).replace(/\s+/g, '') !== 'in') return { refused: `the form of its \`${what} in …\` cannot be rewritten (write it without comments inside)` };
      edits.push({ at: node.start, end: node.right.start, text: acc('h') + blank(text, node.start, node.right.start) }, { at: node.end, text: delimited(')') });
      continue;
    }
    if (node.optional || optionalBelow(node.object) || (parent?.type === 'CallExpression' && parent.callee === node && parent.optional)) {
      return { refused: `it uses ${what} in an optional chain (?.), which has no form outside the class` };
    }
    // `obj.#x`: the dot (with nothing but spaces up to the name) ends the object's text, its parentheses included
    const dot = text.lastIndexOf('.', node.property.start);
    if (dot < node.object.end || text.slice(dot + 1, node.property.start).trim() !== '' || text.slice(node.object.end, dot).replace(/[\s)]/g, '') !== '') {
      return { refused: `the form of its use of ${what} cannot be rewritten (write \`obj.${what}\` without comments inside)` };
    }
    if (targets.has(node)) return { refused: `it destructures into ${what}` };
    if (parent?.type === 'TaggedTemplateExpression' && parent.tag === node) return { refused: `it tags a template with ${what}` };
    if (parent?.type === 'CallExpression' && parent.callee === node) {
      const args: Node[] = parent.arguments;
      const to = args.length ? args[0].start : parent.end;
      if (parent.start !== node.start || text.slice(node.end, to).replace(/\s+/g, '') !== (args.length ? '(' : '()')) return { refused: `the form of its call of ${what} cannot be rewritten (write \`obj.${what}(…)\` without parentheses around it)` };
      edits.push({ at: node.start, text: acc('c') }, { at: dot, end: to, text: delimited(args.length ? ',' : ')') + blank(text, dot, to) });
      continue;
    }
    if (parent?.type === 'AssignmentExpression' && parent.left === node) {
      const onThis = node.object.type === 'ThisExpression' && node.start === node.object.start;
      if (LOGICAL.has(parent.operator) && !onThis) return { refused: `it assigns ${what} of another object than this with ${parent.operator}, which has no form outside the class` };
      if (parent.start !== node.start || text.slice(node.end, parent.right.start).replace(/\s+/g, '') !== parent.operator) return { refused: `the form of its assignment to ${what} cannot be rewritten (write \`obj.${what} ${parent.operator} …\` without parentheses or comments around it)` };
      if (LOGICAL.has(parent.operator)) {
        // `this` may be read twice: the write happens only when the operator would make it
        const op = parent.operator.slice(0, -1);
        edits.push({ at: node.start, text: delimited(`(${holder}.${name}.g(`) }, { at: dot, end: parent.right.start, text: delimited(`)${op}${holder}.${name}.s(this,`) + blank(text, dot, parent.right.start) }, { at: parent.end, text: delimited('))') });
      } else if (parent.operator === '=') {
        edits.push({ at: node.start, text: acc('s') }, { at: dot, end: parent.right.start, text: delimited(',') + blank(text, dot, parent.right.start) }, { at: parent.end, text: delimited(')') });
      } else {
        const op = parent.operator.slice(0, -1);
        // `this` may be read twice; another object is read once, the new value made by a closure
        const value = onThis ? `,${holder}.${name}.g(this)${op}(` : `,(__ec$o)=>__ec$o${op}(`;
        if (value.startsWith(',(') && suspends(parent.right)) return { refused: `its \`${what} ${parent.operator}\` on another object than this takes a value that awaits or yields` };
        edits.push({ at: node.start, text: acc(value.startsWith(',(') ? 'u' : 's') }, { at: dot, end: parent.right.start, text: delimited(value) + blank(text, dot, parent.right.start) }, { at: parent.end, text: delimited('))') });
      }
      continue;
    }
    if (parent?.type === 'UpdateExpression') {
      const up = parent.operator === '++' ? 1 : 0;
      const around = parent.prefix ? text.slice(parent.start, node.start) : text.slice(node.end, parent.end);
      if (around.replace(/\s+/g, '') !== parent.operator) return { refused: `the form of its ${parent.operator} of ${what} cannot be rewritten (write it without parentheses or comments)` };
      if (parent.prefix) {
        edits.push({ at: parent.start, end: node.start, text: acc('i') + blank(text, parent.start, node.start) }, { at: dot, end: node.end, text: delimited(`,${up},0)`) + blank(text, dot, node.end) });
      } else {
        edits.push({ at: node.start, text: acc('i') }, { at: dot, end: parent.end, text: delimited(`,${up},1)`) + blank(text, dot, parent.end) });
      }
      continue;
    }
    edits.push({ at: node.start, text: acc('g') }, { at: dot, end: node.end, text: delimited(')') + blank(text, dot, node.end) });
  }
  return { edits };
}
