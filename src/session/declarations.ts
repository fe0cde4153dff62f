// Pure: how a name seen from a place in a script was declared (to warn when `set` overwrites a const).
import * as acorn from 'acorn';
import { boundNames, parseSource, type SourceKind } from '../inject/boundary';

type Node = acorn.Node & Record<string, any>;
export type DeclarationKind = 'const' | 'let' | 'var' | 'param' | 'function' | 'class' | 'import';

const isFunction = (n: Node) => n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';

/** Where a name is declared: its kind and the scope (function, block or file) it belongs to. */
export interface Declaration {
  kind: DeclarationKind;
  /** The declaring scope's range: code inside it sees this binding unless a nearer one shadows it. */
  scopeStart: number;
  scopeEnd: number;
  /**
   * Declared by the function the place is in (its parameters, its `var`s, or a block of its own), not
   * by an enclosing one: when V8 shows no such binding there, the place is outside the block's scope
   * (a loop's head between two iterations), not a variable the function does not use.
   */
  own: boolean;
}

/**
 * The kind of the declaration of `name` that code at `offset` sees: the one in the innermost
 * enclosing scope (function or block) that declares it. Null when the text does not parse or no
 * declaration is found (a global).
 */
export function declarationKind(text: string, kind: SourceKind, offset: number, name: string): DeclarationKind | null {
  return declarationOf(text, kind, offset, name)?.kind ?? null;
}

/** The declaration of `name` that code at `offset` sees (null: none in the text, or it does not parse). */
export function declarationOf(text: string, kind: SourceKind, offset: number, name: string): Declaration | null {
  let program: Node;
  try {
    program = parseSource(text, kind, 0, true) as Node;
  } catch {
    return null;
  }
  let best: (Declaration & { owner: Node }) | null = null;
  // (the innermost function the place is in, or the program)
  let placeIn: Node = program;
  const consider = (scope: Node, k: DeclarationKind, names: string[], owner: Node) => {
    if (!names.includes(name) || offset < scope.start || offset >= scope.end) return;
    if (!best || scope.start >= best.scopeStart) best = { scopeStart: scope.start, scopeEnd: scope.end, kind: k, own: false, owner };
  };
  const visit = (node: Node, fnScope: Node, blockScope: Node) => {
    if (isFunction(node)) {
      if (offset >= node.start && offset < node.end) placeIn = node;
      const params: string[] = [];
      for (const p of node.params) boundNames(p, params);
      consider(node, 'param', params, node);
      if (node.type === 'FunctionDeclaration' && node.id) consider(fnScope, 'function', [node.id.name], fnScope);
      for (const p of node.params) visit(p, node, node);
      visit(node.body, node, node);
      return;
    }
    if (node.type === 'VariableDeclaration') {
      const names: string[] = [];
      for (const d of node.declarations) boundNames(d.id, names);
      consider(node.kind === 'var' ? fnScope : blockScope, node.kind, names, fnScope);
    } else if (node.type === 'ClassDeclaration' && node.id) {
      consider(blockScope, 'class', [node.id.name], fnScope);
    } else if (node.type === 'ImportDeclaration') {
      consider(program, 'import', node.specifiers.map((s: Node) => s.local.name), program);
    }
    const opensBlock = node.type === 'BlockStatement' || node.type === 'ForStatement' || node.type === 'ForOfStatement' || node.type === 'ForInStatement' || node.type === 'SwitchStatement';
    const inner = opensBlock ? node : blockScope;
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) { for (const v of value) if (v && typeof v.type === 'string') visit(v, fnScope, inner); }
      else if (value && typeof value.type === 'string' && key !== 'type') visit(value, fnScope, inner);
    }
  };
  visit(program, program, program);
  if (!best) return null;
  const { owner, ...found } = best as Declaration & { owner: Node };
  return { ...found, own: owner === placeIn };
}

