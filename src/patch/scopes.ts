// Pure: which variables of each scope V8 keeps in a context (heap slots), as far as a save can change it.
//
// V8 LiveEdit compares, for every function it maps from the running text to the new one, the
// context-allocated variables of each enclosing scope (docs/v8.md, section 4). When one that the new
// text allocates is not at the same slot in the running text, the function is "damaged": V8 answers
// Ok, keeps running the old code, and the running closures never take a later save either. This
// module models V8's allocation rules closely enough for that comparison:
// - a variable is in a context when a function nested deeper than its scope refers to it;
// - a direct `eval` puts every variable of every enclosing scope there;
// - a sloppy function with simple parameters that uses `arguments` puts its parameters there;
// - `this`, `arguments` and `new.target` used in an arrow put the enclosing function's in a context,
//   `super` the class's home object, a class's own name used in it the class scope's binding;
// - ES module imports and exports live in the module, not a context: using them changes nothing.
// Slots: parameters, `this`, `arguments`, the function's own name are "special" (any change counts);
// other variables take slots in declaration order, so dropping the last ones keeps the rest in place.
import type * as acorn from 'acorn';
import type { ModuleKind } from './functions';
import { CJS_WRAPPER, boundNames } from '../inject/boundary';

type Node = acorn.Node & Record<string, any>;

/** What V8 keeps in the context of one scope. */
export interface ScopeLayout {
  /** A readable name for messages: `top level`, `function make`, `block in make`, `class C`. */
  label: string;
  /** True for the file's own scopes (the top level and blocks outside every function). */
  topLevel: boolean;
  /** Start offset of the function this scope belongs to (its own scope or a block in it); null at top level. */
  owner: number | null;
  /** A block, loop or catch inside that function rather than its own scope. */
  block: boolean;
  /** Special slots, sorted: `param:a`, `this`, `arguments`, `fname`, `home`, `new.target`, `eval`. */
  special: string[];
  /** Other context-allocated variables, in declaration order. */
  locals: string[];
}

/** Per function (by its start offset): the layouts of the scopes around it, innermost first. */
export type ScopeChains = Map<number, ScopeLayout[]>;

export interface ScopeModel {
  chains: ScopeChains;
  /**
   * Per outermost function (by start offset): what it makes V8 keep in a context of the file's own
   * scopes (`2:name` is variable name of the file's scope number 2, `2:#this` its `this`, `#eval`).
   */
  topUses: Map<number, Set<string>>;
  /** The layouts of the file's own scopes, by number. */
  topLayouts: ScopeLayout[];
}

interface Scope {
  kind: 'top' | 'function' | 'arrow' | 'block' | 'class';
  label: string;
  /** Start of the outermost function this scope is in (null: the file's own scopes). */
  outer: number | null;
  /** For the file's own scopes: their number in walk order. */
  index: number;
  /** Start offset of the nearest function (or field initializer) this scope is or is in. */
  owner: number | null;
  parent: Scope | null;
  topLevel: boolean;
  decls: Map<string, 'param' | 'local' | 'fname' | 'module'>;
  order: string[];
  ctx: Set<string>;
  special: Set<string>;
  evalInside: boolean;
  strict: boolean;
  simpleParams: boolean;
  /** For function scopes: `arguments` is referred to (from it or an arrow in it). */
  usesArguments: boolean;
}

let topIndex = 0;

function newScope(kind: Scope['kind'], label: string, parent: Scope | null, strict: boolean, start = -1): Scope {
  const topLevel = kind !== 'function' && kind !== 'arrow' && (parent === null || parent.topLevel);
  const outer = topLevel ? null : parent!.outer ?? start;
  return {
    kind, label, parent, topLevel, outer, index: topLevel ? topIndex++ : -1,
    owner: kind === 'function' || kind === 'arrow' ? start : parent?.owner ?? null,
    decls: new Map(), order: [], ctx: new Set(), special: new Set(), evalInside: false, strict, simpleParams: true, usesArguments: false,
  };
}

function declare(scope: Scope, name: string, kind: 'param' | 'local' | 'fname' | 'module'): void {
  const had = scope.decls.get(name);
  if (had === 'module' || had === 'param') return;
  if (!had) scope.order.push(name);
  scope.decls.set(name, kind);
}

function hasUseStrict(body: Node[]): boolean {
  for (const s of body) {
    if (typeof s.directive !== 'string') return false;
    if (s.directive === 'use strict') return true;
  }
  return false;
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function isReference(node: Node, parent: Node | undefined): boolean {
  if (!parent) return true;
  if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) return false;
  if ((parent.type === 'Property' || parent.type === 'PropertyDefinition' || parent.type === 'MethodDefinition') && parent.key === node && !parent.computed) {
    return parent.type === 'Property' && parent.shorthand === true && parent.value === node;
  }
  if (parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') return false;
  if (parent.type === 'ImportSpecifier' || parent.type === 'ImportDefaultSpecifier' || parent.type === 'ImportNamespaceSpecifier') return false;
  if (parent.type === 'ExportSpecifier') return parent.local === node;
  if (parent.type === 'MetaProperty') return false;
  return true;
}

/**
 * The scope chains of every function of a parsed text. `program` must be the parse of the text as
 * V8 holds it (for a CommonJS file: the body of node's module wrapper).
 */
export function scopeModel(program: acorn.Program, kind: ModuleKind): ScopeModel {
  topIndex = 0;
  const top = newScope('top', 'top level', null, kind === 'module' || hasUseStrict((program as Node).body));
  if (kind === 'script') {
    // node's CommonJS wrapper: function (exports, require, module, __filename, __dirname)
    for (const p of CJS_WRAPPER) declare(top, p, 'param');
  }
  const refs: { scope: Scope; name: string }[] = [];
  const specials: { scope: Scope; what: 'this' | 'new.target' | 'super' }[] = [];
  const fnScopes = new Map<number, Scope>();
  const evalCalls: Scope[] = [];
  const topScopes: Scope[] = [top];
  const bindingIds = new Set<Node>();

  const nearestVarScope = (s: Scope): Scope => {
    let x = s;
    while (x.kind === 'block' || x.kind === 'class') x = x.parent!;
    return x;
  };

  const declareHere = (scope: Scope, decl: Node, kindName: string, exported: boolean) => {
    const names: string[] = [];
    for (const d of decl.declarations) { boundNames(d.id, names); collectIds(d.id); }
    const target = kindName === 'var' ? nearestVarScope(scope) : scope;
    for (const n of names) declare(target, n, exported || (target === top && exportedLocals.has(n)) ? 'module' : 'local');
  };
  const collectIds = (p: Node | null | undefined) => {
    if (!p) return;
    if (p.type === 'Identifier') bindingIds.add(p);
    else if (p.type === 'ObjectPattern') for (const q of p.properties) collectIds(q.type === 'RestElement' ? q.argument : q.value);
    else if (p.type === 'ArrayPattern') for (const e of p.elements) collectIds(e);
    else if (p.type === 'RestElement') collectIds(p.argument);
    else if (p.type === 'AssignmentPattern') collectIds(p.left);
  };

  // Names exported by `export { a, b as c }` are module variables too.
  const exportedLocals = new Set<string>();
  if (kind === 'module') {
    for (const s of (program as Node).body) {
      if (s.type === 'ExportNamedDeclaration' && !s.source && !s.declaration) {
        for (const sp of s.specifiers) if (sp.local.type === 'Identifier') exportedLocals.add(sp.local.name);
      }
    }
  }

  const visitFunction = (node: Node, parent: Node | undefined, scope: Scope, label: string) => {
    const arrow = node.type === 'ArrowFunctionExpression';
    const bodyStrict = node.body.type === 'BlockStatement' && hasUseStrict(node.body.body);
    const fs = newScope(arrow ? 'arrow' : 'function', label, scope, scope.strict || bodyStrict, node.start);
    fnScopes.set(node.start, fs);
    if (node.type === 'FunctionExpression' && node.id) { declare(fs, node.id.name, 'fname'); bindingIds.add(node.id); }
    for (const p of node.params) {
      if (p.type !== 'Identifier') fs.simpleParams = false;
      const names: string[] = [];
      boundNames(p, names);
      collectIds(p);
      for (const n of names) declare(fs, n, 'param');
    }
    for (const p of node.params) walk(p, node, fs);
    if (node.body.type === 'BlockStatement') {
      for (const s of node.body.body) walk(s, node.body, fs);
    } else {
      walk(node.body, node, fs);
    }
    void parent;
  };

  const walk = (node: Node, parent: Node | undefined, scope: Scope): void => {
    if (!node || typeof node.type !== 'string') return;
    switch (node.type) {
      case 'Identifier':
        if (!bindingIds.has(node) && isReference(node, parent)) refs.push({ scope, name: node.name });
        return;
      case 'ThisExpression': specials.push({ scope, what: 'this' }); return;
      case 'Super': specials.push({ scope, what: 'super' }); return;
      case 'MetaProperty':
        if (node.meta.name === 'new') specials.push({ scope, what: 'new.target' });
        return;
      case 'VariableDeclaration': {
        const exported = parent?.type === 'ExportNamedDeclaration' && kind === 'module';
        declareHere(scope, node, node.kind, exported);
        break;
      }
      case 'FunctionDeclaration': {
        const exported = (parent?.type === 'ExportNamedDeclaration' || parent?.type === 'ExportDefaultDeclaration') && kind === 'module';
        if (node.id) { bindingIds.add(node.id); declare(scope, node.id.name, exported || exportedLocals.has(node.id.name) ? 'module' : 'local'); }
        visitFunction(node, parent, scope, `function ${node.id?.name ?? 'default'}`);
        return;
      }
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        visitFunction(node, parent, scope, node.id?.name ? `function ${node.id.name}` : 'a function');
        return;
      case 'ClassDeclaration':
      case 'ClassExpression': {
        if (node.type === 'ClassDeclaration' && node.id) {
          const exported = (parent?.type === 'ExportNamedDeclaration' || parent?.type === 'ExportDefaultDeclaration') && kind === 'module';
          declare(scope, node.id.name, exported || exportedLocals.has(node.id.name) ? 'module' : 'local');
        }
        if (node.id) bindingIds.add(node.id);
        if (node.superClass) walk(node.superClass, node, scope);
        const cs = newScope('class', `class ${node.id?.name ?? ''}`.trim(), scope, true);
        if (cs.topLevel) topScopes.push(cs);
        if (node.id) declare(cs, node.id.name, 'local');
        for (const m of node.body.body) {
          if (m.computed) walk(m.key, m, cs);
          if (m.type === 'MethodDefinition') walk(m.value, m, cs);
          else if (m.type === 'PropertyDefinition' && m.value) {
            // a field initializer runs in a function of its own (this is the instance)
            const init = newScope('function', `${cs.label} field`, cs, true, m.start);
            walk(m.value, m, init);
          } else if (m.type === 'StaticBlock') {
            const init = newScope('function', `${cs.label} static block`, cs, true, m.start);
            const bs = newScope('block', init.label, init, true);
            for (const s of m.body) walk(s, m, bs);
          }
        }
        return;
      }
      case 'ImportDeclaration':
        for (const sp of node.specifiers) { bindingIds.add(sp.local); declare(scope, sp.local.name, 'module'); }
        return;
      case 'BlockStatement':
      case 'StaticBlock': {
        const bs = newScope('block', scope.topLevel ? 'a block at top level' : `a block in ${nearestVarScope(scope).label}`, scope, scope.strict);
        if (bs.topLevel) topScopes.push(bs);
        for (const s of node.body) walk(s, node, bs);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'SwitchStatement': {
        const bs = newScope('block', scope.topLevel ? 'a loop at top level' : `a loop in ${nearestVarScope(scope).label}`, scope, scope.strict);
        if (bs.topLevel) topScopes.push(bs);
        for (const key of Object.keys(node)) {
          if (key === 'type' || key === 'start' || key === 'end') continue;
          walkValue(node[key], node, bs);
        }
        return;
      }
      case 'CatchClause': {
        const cs = newScope('block', scope.topLevel ? 'a catch at top level' : `a catch in ${nearestVarScope(scope).label}`, scope, scope.strict);
        if (cs.topLevel) topScopes.push(cs);
        if (node.param) {
          const names: string[] = [];
          boundNames(node.param, names);
          collectIds(node.param);
          // V8 always keeps a catch binding in a context: it never changes
          for (const n of names) declare(cs, n, 'module');
          walk(node.param, node, cs);
        }
        walk(node.body, node, cs);
        return;
      }
      case 'CallExpression':
        if (node.callee.type === 'Identifier' && node.callee.name === 'eval') {
          // a direct eval may read and write every variable of every enclosing scope
          for (let s: Scope | null = scope; s; s = s.parent) s.evalInside = true;
          evalCalls.push(scope);
        }
        break;
    }
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      walkValue(node[key], node, scope);
    }
  };
  const walkValue = (value: any, parent: Node, scope: Scope) => {
    if (Array.isArray(value)) { for (const c of value) if (c && typeof c.type === 'string') walk(c, parent, scope); }
    else if (value && typeof value.type === 'string') walk(value, parent, scope);
  };

  for (const s of (program as Node).body) walk(s, program as Node, top);

  const topUses = new Map<number, Set<string>>();
  const use = (from: Scope, item: string) => {
    if (from.outer === null) return;
    let set = topUses.get(from.outer);
    if (!set) topUses.set(from.outer, set = new Set());
    set.add(item);
  };
  // Resolve names: crossing a function boundary puts the variable in a context.
  for (const { scope, name } of refs) {
    let crossed = false;
    let s: Scope | null = scope;
    for (; s; s = s.parent) {
      if (s.decls.has(name)) {
        if (crossed || s.evalInside) s.ctx.add(name);
        if (crossed && s.topLevel) use(scope, `${s.index}:${name}`);
        break;
      }
      if (name === 'arguments' && (s.kind === 'function' || (s.kind === 'top' && kind === 'script'))) {
        s.usesArguments = true;
        if (crossed) s.special.add('arguments');
        if (crossed && s.topLevel) use(scope, `${s.index}:#arguments`);
        break;
      }
      if (s.kind === 'function' || s.kind === 'arrow') crossed = true;
    }
  }
  for (const scope of evalCalls) use(scope, '#eval');
  for (const { scope, what } of specials) {
    let crossed = false;
    for (let s: Scope | null = scope; s; s = s.parent) {
      if (what === 'super') {
        if (s.kind === 'class') { s.special.add('home'); if (s.topLevel) use(scope, `${s.index}:#home`); break; }
        if (s.kind === 'function' || s.kind === 'arrow') crossed = true;
        continue;
      }
      if (s.kind === 'function' || (s.kind === 'top' && kind === 'script')) {
        if (crossed) s.special.add(what);
        if (crossed && s.topLevel) use(scope, `${s.index}:#${what}`);
        break;
      }
      if (s.kind === 'top') break;
      if (s.kind === 'arrow') crossed = true;
    }
  }

  const layouts = new Map<Scope, ScopeLayout>();
  const layoutOf = (s: Scope): ScopeLayout => {
    const known = layouts.get(s);
    if (known) return known;
    const special = new Set(s.special);
    if (s.evalInside) special.add('eval');
    const mapped = s.kind === 'function' && s.usesArguments && !s.strict && s.simpleParams;
    const locals: string[] = [];
    for (const n of s.order) {
      const k = s.decls.get(n)!;
      if (k === 'module') continue;
      const inContext = s.evalInside || s.ctx.has(n) || (k === 'param' && mapped);
      if (!inContext) continue;
      if (k === 'param') special.add(`param:${n}`);
      else if (k === 'fname') special.add('fname');
      else locals.push(n);
    }
    const layout = { label: s.label, topLevel: s.topLevel, owner: s.owner, block: s.kind === 'block' || s.kind === 'class', special: [...special].sort(), locals };
    layouts.set(s, layout);
    return layout;
  };
  const hasDeclarations = (s: Scope) => s.kind !== 'block' || s.decls.size > 0;

  const chains: ScopeChains = new Map();
  for (const [start, fs] of fnScopes) {
    const chain: ScopeLayout[] = [];
    for (let s = fs.parent; s; s = s.parent) if (hasDeclarations(s)) chain.push(layoutOf(s));
    chains.set(start, chain);
  }
  return { chains, topUses, topLayouts: topScopes.map(layoutOf) };
}

/** Why V8 would reshape `before` into `after` (null when every slot the new text uses stays where it was). */
export function reshapeOf(before: ScopeLayout, after: ScopeLayout): string | null {
  const gained = after.special.filter((x) => !before.special.includes(x));
  const lost = before.special.filter((x) => !after.special.includes(x));
  const say = (x: string) => x.startsWith('param:') ? `parameter ${x.slice(6)}` : x === 'fname' ? 'the function\'s own name' : x === 'home' ? '`super`' : x === 'eval' ? 'a direct eval' : `\`${x}\``;
  const parts: string[] = [];
  if (gained.length) parts.push(`now captures ${gained.map(say).join(', ')}`);
  if (lost.length) parts.push(`no longer captures ${lost.map(say).join(', ')}`);
  // V8 keeps the slots of the variables the new text still captures; dropping the last ones is fine
  let same = 0;
  while (same < after.locals.length && after.locals[same] === before.locals[same]) same++;
  if (same < after.locals.length) {
    const added = after.locals.filter((n) => !before.locals.includes(n));
    const removed = before.locals.filter((n) => !after.locals.includes(n));
    if (added.length) parts.push(`now captures ${added.join(', ')}`);
    if (removed.length) parts.push(`no longer captures ${removed.join(', ')}`);
    if (!added.length && !removed.length) parts.push('captures its variables in another order');
  }
  return parts.length ? parts.join(' and ') : null;
}
