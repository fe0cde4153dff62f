// Pure: what a function's code refers to outside itself, resolved through its own scopes (parameters,
// var, let/const/class in blocks, catch, nested functions). The swap compiler (./swap-compile.ts)
// rewrites a changed function's references to outer locals into reads of its environment object, and
// refuses what it cannot compile elsewhere (`super`, `arguments` or `new.target` of an arrow).
import { forEachChild, type Node } from '../inject/boundary';

export interface FreeReference {
  name: string;
  /** Offset of the identifier. */
  start: number;
  /** `{ a }`: the identifier is both key and value. */
  shorthand: boolean;
  /** `a(…)` or a`…`: called, so a rewrite to `o.a` must not make `o` its `this`. */
  callee?: boolean;
}

export interface FunctionUses {
  /** Identifier references inside the function that resolve outside it. */
  free: FreeReference[];
  /** Used by the function's own code (nested arrows count; nested functions and classes do not). */
  usesThis: boolean;
  usesArguments: boolean;
  usesSuper: boolean;
  usesNewTarget: boolean;
  /**
   * Its `import(…)` calls, nested functions' included: offset of the `import` keyword, and whether
   * the call passes options (a second argument).
   */
  imports: { start: number; options: boolean }[];
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function patternNames(p: Node | null | undefined, out: Set<string>): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier': out.add(p.name); break;
    case 'ObjectPattern': for (const q of p.properties) patternNames(q.type === 'RestElement' ? q.argument : q.value, out); break;
    case 'ArrayPattern': for (const e of p.elements) patternNames(e, out); break;
    case 'RestElement': patternNames(p.argument, out); break;
    case 'AssignmentPattern': patternNames(p.left, out); break;
  }
}

/** `var` names and sloppy function declarations in blocks: everything a function scope hoists. */
function hoisted(body: Node, out: Set<string>): void {
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'VariableDeclaration' && node.kind === 'var') for (const d of node.declarations) patternNames(d.id, out);
    if (node.type === 'FunctionDeclaration' && node.id) out.add(node.id.name);
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const v = node[key];
      const push = (c: Node) => { if (c && typeof c.type === 'string' && !FUNCTIONS.has(c.type) && c.type !== 'ClassBody') stack.push(c); else if (c && c.type === 'FunctionDeclaration' && c.id) out.add(c.id.name); };
      if (Array.isArray(v)) v.forEach(push); else if (v && typeof v.type === 'string') push(v);
    }
  }
}

/** let/const/class/function declared directly in a list of statements. */
function lexical(statements: Node[], out: Set<string>): void {
  for (const st of statements) {
    const d = st.type === 'ExportNamedDeclaration' ? st.declaration : st;
    if (!d) continue;
    if (d.type === 'VariableDeclaration' && d.kind !== 'var') for (const x of d.declarations) patternNames(x.id, out);
    if ((d.type === 'ClassDeclaration' || d.type === 'FunctionDeclaration') && d.id) out.add(d.id.name);
  }
}

/** Resolve every reference inside `fn` (a function node). */
const usesOf = new WeakMap<Node, FunctionUses>();
/** (Worked out once per node: a save's plan and its compile both ask, for every function they swap.) */
export function functionUses(fn: Node): FunctionUses {
  let uses = usesOf.get(fn);
  if (!uses) { uses = usesIn(fn); usesOf.set(fn, uses); }
  return uses;
}

function usesIn(fn: Node): FunctionUses {
  const uses: FunctionUses = { free: [], usesThis: false, usesArguments: false, usesSuper: false, usesNewTarget: false, imports: [] };
  const scopes: Set<string>[] = [];
  const declared = (name: string) => scopes.some((s) => s.has(name));
  // depth of non-arrow functions / class bodies below fn: 0 means fn's own code
  let opaque = 0;

  const ref = (id: Node, shorthand: boolean, callee = false) => {
    if (id.name === 'arguments' && opaque === 0 && !declared('arguments')) uses.usesArguments = true;
    if (!declared(id.name)) uses.free.push({ name: id.name, start: id.start, shorthand, ...(callee ? { callee } : {}) });
  };

  const pattern = (p: Node | null, declaring: boolean): void => {
    if (!p) return;
    switch (p.type) {
      case 'Identifier': if (!declaring) ref(p, false); break;
      case 'ObjectPattern':
        for (const q of p.properties) {
          if (q.type === 'RestElement') { pattern(q.argument, declaring); continue; }
          if (q.computed) walk(q.key);
          if (q.shorthand && !declaring && q.value.type === 'Identifier') { ref(q.value, true); continue; }
          if (q.shorthand && !declaring && q.value.type === 'AssignmentPattern') { ref(q.value.left, true); walk(q.value.right); continue; }
          pattern(q.value, declaring);
        }
        break;
      case 'ArrayPattern': for (const e of p.elements) pattern(e, declaring); break;
      case 'RestElement': pattern(p.argument, declaring); break;
      case 'AssignmentPattern': pattern(p.left, declaring); walk(p.right); break;
      default: walk(p); // a member expression as an assignment target
    }
  };

  const withScope = (names: Set<string>, body: () => void) => { scopes.push(names); try { body(); } finally { scopes.pop(); } };

  const func = (node: Node) => {
    const own = new Set<string>();
    if (node.type === 'FunctionExpression' && node.id) own.add(node.id.name);
    for (const p of node.params) patternNames(p, own);
    if (node.type !== 'ArrowFunctionExpression') own.add('arguments');
    if (node.body.type === 'BlockStatement') { hoisted(node.body, own); lexical(node.body.body, own); }
    const arrow = node.type === 'ArrowFunctionExpression';
    if (!arrow && node !== fn) opaque++;
    withScope(own, () => {
      for (const p of node.params) pattern(p, true);
      if (node.body.type === 'BlockStatement') for (const st of node.body.body) walk(st); else walk(node.body);
    });
    if (!arrow && node !== fn) opaque--;
  };

  const walk = (node: Node | null | undefined): void => {
    if (!node || typeof node.type !== 'string') return;
    switch (node.type) {
      case 'Identifier': ref(node, false); return;
      case 'ThisExpression': if (opaque === 0) uses.usesThis = true; return;
      case 'Super': if (opaque === 0) uses.usesSuper = true; return;
      case 'MetaProperty': if (opaque === 0 && node.meta.name === 'new') uses.usesNewTarget = true; return;
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression': func(node); return;
      case 'BlockStatement': case 'StaticBlock': {
        const names = new Set<string>();
        lexical(node.body, names);
        withScope(names, () => { if (node.type === 'StaticBlock') opaque++; for (const st of node.body) walk(st); if (node.type === 'StaticBlock') opaque--; });
        return;
      }
      case 'SwitchStatement': {
        walk(node.discriminant);
        const names = new Set<string>();
        for (const c of node.cases) lexical(c.consequent, names);
        withScope(names, () => { for (const c of node.cases) { walk(c.test); for (const st of c.consequent) walk(st); } });
        return;
      }
      case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': {
        const names = new Set<string>();
        const init = node.type === 'ForStatement' ? node.init : node.left;
        if (init?.type === 'VariableDeclaration' && init.kind !== 'var') for (const d of init.declarations) patternNames(d.id, names);
        withScope(names, () => {
          if (node.type === 'ForStatement') { walk(node.init); walk(node.test); walk(node.update); }
          else { if (node.left.type === 'VariableDeclaration') walk(node.left); else pattern(node.left, false); walk(node.right); }
          walk(node.body);
        });
        return;
      }
      case 'CatchClause': {
        const names = new Set<string>();
        patternNames(node.param, names);
        withScope(names, () => { pattern(node.param, true); walk(node.body); });
        return;
      }
      case 'VariableDeclaration': for (const d of node.declarations) { pattern(d.id, true); walk(d.init); } return;
      case 'AssignmentExpression': pattern(node.left, false); walk(node.right); return;
      case 'MemberExpression': walk(node.object); if (node.computed) walk(node.property); return;
      case 'CallExpression': case 'TaggedTemplateExpression': {
        const callee = node.type === 'CallExpression' ? node.callee : node.tag;
        if (callee.type === 'Identifier') ref(callee, false, true); else walk(callee);
        if (node.type === 'CallExpression') for (const a of node.arguments) walk(a); else walk(node.quasi);
        return;
      }
      case 'Property':
        if (node.computed) walk(node.key);
        if (node.shorthand && node.value.type === 'Identifier') { ref(node.value, true); return; }
        walk(node.value);
        return;
      case 'PropertyDefinition': case 'MethodDefinition':
        if (node.computed) walk(node.key);
        if (node.value) { if (node.type === 'PropertyDefinition') opaque++; walk(node.value); if (node.type === 'PropertyDefinition') opaque--; }
        return;
      case 'ClassDeclaration': case 'ClassExpression': {
        walk(node.superClass);
        const names = new Set<string>();
        if (node.id) names.add(node.id.name);
        withScope(names, () => walk(node.body));
        return;
      }
      case 'LabeledStatement': walk(node.body); return;
      case 'BreakStatement': case 'ContinueStatement': return;
      case 'PrivateIdentifier': return;
      case 'ImportExpression': uses.imports.push({ start: node.start, options: !!node.options }); forEachChild(node, walk); return;
      default: forEachChild(node, walk);
    }
  };
  func(fn);
  return uses;
}
