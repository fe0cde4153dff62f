// Pure: parse a script and describe its functions (names, ranges, scopes).
// Works on the JavaScript text V8 holds (for .ts files: the type-stripped text).
import * as acorn from 'acorn';
import { parseSource } from '../inject/boundary';
import { LineIndex } from '../util/line-index';

export type ModuleKind = 'script' | 'module';

export interface FunctionRecord {
  /** Stable identity across versions of the file: parent key + name + ordinal among same-named siblings. */
  key: string;
  /** What a user reads: `render`, `Server.handle`, `makeCounter.increment`, `(anonymous:12)`. */
  name: string;
  /** An anonymous function called where it stands (`(() => { … })()`, tsx's module wrapper): its name is no part of those inside it. Set only when true. */
  wrapper?: true;
  /** An arrow function, or a class's or object literal's method (`m() {}`, a getter, a setter): set only when true. */
  arrow?: true;
  method?: true;
  /** A wrapper's declarations with their kind and line, as a module's top level keeps them (ScriptModel.topDeclared). */
  wrapperDeclared?: Map<string, { kind: string; line: number }>;
  start: number;
  end: number;
  /** The body: a block including braces, or the expression of a concise arrow. */
  bodyStart: number;
  bodyEnd: number;
  /** 1-based line of the function's start. */
  line: number;
  async: boolean;
  generator: boolean;
  parent: FunctionRecord | null;
  children: FunctionRecord[];
  /** Names declared directly in this function's scope (params, var/let/const/function/class). */
  declared: Set<string>;
  /** Identifier names referenced anywhere inside this function, nested functions included. */
  referenced: Set<string>;
}

export interface ScriptModel {
  text: string;
  functions: FunctionRecord[];
  /** Functions whose nearest enclosing function is the top level. */
  outermost: FunctionRecord[];
  /** Names declared at the top level, with their kind and 1-based line. */
  topDeclared: Map<string, { kind: string; line: number }>;
  /** The fields of the classes at the top level (and in a loader's module wrapper), in text order. */
  fields: ClassField[];
}

/**
 * A field of a class defined at the top level: `x = 1`, `static count = 0`, `#n;`. Its initializer is
 * no function of the model (it runs at each `new`, a static one once when the class is defined), so a
 * save that changes it changes the top level's text: the planners say what it does (skeleton.ts
 * fieldChanges).
 */
export interface ClassField {
  /** The class's name as its members are named (`Bot` for `Bot.reply`). */
  cls: string;
  /** The field's name (`extra`, `#n`, `[key]`), after `static ` for a static one. */
  name: string;
  isStatic: boolean;
  start: number;
  end: number;
  /** 1-based lines of the definition's start and end. */
  line: number;
  endLine: number;
}

export interface SyntaxProblem {
  message: string;
  /** 1-based line and column of the problem. */
  line: number;
  column: number;
}

type Node = acorn.Node & Record<string, any>;

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

export function parseScript(text: string, kind: ModuleKind): acorn.Program {
  return parseSource(text, kind);
}

/** Parse, or explain why it does not parse. */
export function tryParse(text: string, kind: ModuleKind): { ok: true; program: acorn.Program } | { ok: false; problem: SyntaxProblem } {
  try {
    return { ok: true, program: parseScript(text, kind) };
  } catch (err) {
    const e = err as Error & { loc?: { line: number; column: number } };
    const message = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    return { ok: false, problem: { message, line: e.loc?.line ?? 1, column: (e.loc?.column ?? 0) + 1 } };
  }
}

function propertyName(key: Node, computed: boolean, text: string): string {
  if (!computed && key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateIdentifier') return '#' + key.name;
  if (key.type === 'Literal') return String(key.value);
  return '[' + text.slice(key.start, key.end) + ']';
}

function memberText(node: Node, text: string): string {
  const raw = text.slice(node.start, node.end).replace(/\s+/g, '');
  return raw.replace(/^module\.exports\./, '').replace(/^exports\./, '');
}

/** Collect the names a binding pattern declares (and, if asked, its identifier nodes). */
function patternNames(pattern: Node | null | undefined, out: Set<string>, nodes?: Set<Node>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier': out.add(pattern.name); nodes?.add(pattern); break;
    case 'ObjectPattern': for (const p of pattern.properties) patternNames(p.type === 'RestElement' ? p.argument : p.value, out, nodes); break;
    case 'ArrayPattern': for (const e of pattern.elements) patternNames(e, out, nodes); break;
    case 'RestElement': patternNames(pattern.argument, out, nodes); break;
    case 'AssignmentPattern': patternNames(pattern.left, out, nodes); break;
  }
}

/** The name a function literal gets from where it stands (what a user calls it). */
function contextualName(fn: Node, parent: Node | undefined, text: string): string | null {
  if (fn.id?.name) return fn.id.name;
  if (!parent) return null;
  switch (parent.type) {
    case 'VariableDeclarator': return parent.id.type === 'Identifier' ? parent.id.name : null;
    case 'AssignmentExpression': return parent.right === fn ? memberText(parent.left, text) : null;
    case 'AssignmentPattern': return parent.left.type === 'Identifier' ? parent.left.name : null;
    case 'Property': return parent.value === fn ? propertyName(parent.key, parent.computed, text) : null;
    case 'PropertyDefinition': return propertyName(parent.key, parent.computed, text);
    case 'MethodDefinition': {
      const base = propertyName(parent.key, parent.computed, text);
      const prefix = parent.kind === 'get' ? 'get ' : parent.kind === 'set' ? 'set ' : '';
      return prefix + base;
    }
    case 'ExportDefaultDeclaration': return 'default';
    // esbuild's keepNames (tsx): `const fmt = __name((n) => …, "fmt")` names the function as written
    case 'CallExpression': return parent.callee.type === 'Identifier' && parent.callee.name === '__name' && parent.arguments[0] === fn && parent.arguments[1]?.type === 'Literal' && typeof parent.arguments[1].value === 'string' ? parent.arguments[1].value : null;
    default: return null;
  }
}

/**
 * What a compiler made of a call of an imported function, as it was written: esbuild (tsx), tsc and
 * Babel turn `schedule(...)` into `(0, import_s.schedule)(...)`, `(0, s_1.schedule)(...)` or
 * `(0, _s.schedule)(...)`, and a default import `def(...)` into `(0, import_s.default)(...)`, whose
 * local name the output no longer has: the module's name stands in (`s`). Other callees: null.
 */
function importedCallee(callee: Node): string | null {
  if (callee.type !== 'SequenceExpression' || callee.expressions.length !== 2) return null;
  const [zero, member] = callee.expressions;
  if (zero.type !== 'Literal' || zero.value !== 0 || member.type !== 'MemberExpression' || member.computed) return null;
  if (member.object.type !== 'Identifier' || member.property.type !== 'Identifier') return null;
  if (member.property.name !== 'default') return member.property.name;
  return member.object.name.replace(/^import_/, '').replace(/^_(?=.)/, '').replace(/_\d+$/, '') || member.object.name;
}

/** A callee of names, members and calls, with each call's arguments as `…`; null: it has other parts. */
function chainText(node: Node): string | null {
  switch (node.type) {
    case 'Identifier': return node.name;
    case 'ThisExpression': return 'this';
    case 'MemberExpression': {
      const object = chainText(node.object);
      if (object === null) return null;
      return node.computed ? `${object}[…]` : node.property.type === 'Identifier' ? `${object}.${node.property.name}` : null;
    }
    case 'CallExpression': {
      const callee = chainText(node.callee);
      return callee === null ? null : `${callee}(${node.arguments.length ? '…' : ''})`;
    }
    default: return null;
  }
}

/** `app.get('/a') callback`: where an anonymous function is passed, which is how users tell them apart. */
function callbackName(fn: Node, parent: Node | undefined, text: string): string | null {
  if (!parent || (parent.type !== 'CallExpression' && parent.type !== 'NewExpression') || parent.callee === fn) return null;
  const written = text.slice(parent.callee.start, parent.callee.end).replace(/\s+/g, '');
  let callee = importedCallee(parent.callee) ?? (parent.callee.type === 'SequenceExpression' ? `(${written})` : written);
  // a long chain (`readline.createInterface({ input: process.stdin }).on('line', …)`) without the
  // arguments of its calls: `readline.createInterface(…).on`
  if (callee.length > 40) callee = chainText(parent.callee) ?? callee;
  if (callee.length > 40) return null;
  const literals = parent.arguments
    .filter((a: Node) => a.type === 'Literal' && typeof a.value === 'string' && a.value.length <= 40)
    .map((a: Node) => JSON.stringify(a.value).replace(/^"|"$/g, "'"));
  return `${callee}(${literals.join(', ')}) callback`;
}

/** The name an object literal's methods are qualified with: `api` in `const api = { get() {} }`. */
function objectName(obj: Node, parent: Node | undefined, text: string, outer: string | null): string | null {
  if (!parent) return null;
  if (parent.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent.type === 'AssignmentExpression' && parent.right === obj) {
    const target = memberText(parent.left, text);
    return target === 'module.exports' || target === 'exports' ? null : target;
  }
  if (parent.type === 'Property' && parent.value === obj && outer) return `${outer}.${propertyName(parent.key, parent.computed, text)}`;
  if (parent.type === 'ExportDefaultDeclaration') return 'default';
  return null;
}

/** Name of the class whose body holds this member, if any. */
function className(classNode: Node, parent: Node | undefined): string {
  if (classNode.id?.name) return classNode.id.name;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent?.type === 'AssignmentExpression') return parent.left.type === 'Identifier' ? parent.left.name : 'class';
  return 'class';
}

function isReference(node: Node, parent: Node | undefined): boolean {
  if (!parent) return true;
  if ((parent.type === 'MemberExpression') && parent.property === node && !parent.computed) return false;
  if ((parent.type === 'Property' || parent.type === 'PropertyDefinition' || parent.type === 'MethodDefinition') && parent.key === node && !parent.computed) {
    // `{ a }` shorthand is both key and value: the value is a reference.
    return parent.type === 'Property' && parent.shorthand === true;
  }
  if (parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') return false;
  if (parent.type === 'ImportSpecifier' || parent.type === 'ExportSpecifier' || parent.type === 'MetaProperty') return false;
  return true;
}

/** Build the model of a script. Throws a SyntaxError-like error from acorn when it does not parse. */
/**
 * Models of the last few texts: the running text of a file is described on every save, and after a
 * patch it is the text just described as the save.
 */
const recentModels: { text: string; kind: ModuleKind; model: ScriptModel }[] = [];

/** The model of a text (`program`: its parse, when the caller has one already: one parse less per save). */
export function describeScript(text: string, kind: ModuleKind, program?: acorn.Program): ScriptModel {
  const known = recentModels.find((m) => m.kind === kind && m.text === text);
  if (known) return known.model;
  const model = buildModel(text, kind, program);
  recentModels.unshift({ text, kind, model });
  if (recentModels.length > 8) recentModels.pop();
  return model;
}

function buildModel(text: string, kind: ModuleKind, parsed?: acorn.Program): ScriptModel {
  const program = (parsed ?? parseScript(text, kind)) as unknown as Node;
  const lines = new LineIndex(text);
  const functions: FunctionRecord[] = [];
  const outermost: FunctionRecord[] = [];
  const topDeclared = new Map<string, { kind: string; line: number }>();
  const fields: ClassField[] = [];
  const bindings = new Set<Node>();
  const siblingCounts = new Map<string, number>();
  // anonymous functions called where they stand (`(() => { … })()`): no part of the names of the
  // functions inside them. tsx wraps each CommonJS module in one, which read `(anonymous:1).decorate`
  const wrappers = new Set<FunctionRecord>();
  const prefixOf = (f: FunctionRecord | null): string | null => (!f ? null : wrappers.has(f) ? prefixOf(f.parent) : f.name);

  const declare = (fn: FunctionRecord | null, names: Set<string>, kindName: string, at: number) => {
    for (const n of names) {
      const top = fn ? (fn.wrapper ? (fn.wrapperDeclared ??= new Map()) : null) : topDeclared;
      if (fn) fn.declared.add(n);
      if (top && !top.has(n)) top.set(n, { kind: kindName, line: lines.lineOf(at) });
    }
  };

  // parent: the node above (names and references depend on it); qualifier: enclosing class or object name
  const visit = (node: Node, parent: Node | undefined, fn: FunctionRecord | null, qualifier: string | null): void => {

    if (node.type === 'Identifier' && !bindings.has(node) && isReference(node, parent)) {
      for (let f = fn; f; f = f.parent) f.referenced.add(node.name);
    }

    // declarations in the current scope
    if (node.type === 'VariableDeclaration') {
      for (const d of node.declarations) {
        const names = new Set<string>();
        patternNames(d.id, names, bindings);
        // `var` is function-scoped; let/const at function level or in blocks: both count for the scope layout
        declare(fn, names, node.kind, d.start);
      }
    } else if (node.type === 'FunctionDeclaration' && node.id) {
      bindings.add(node.id);
      declare(fn, new Set([node.id.name]), 'function', node.start);
    } else if (node.type === 'ClassDeclaration' && node.id) {
      bindings.add(node.id);
      declare(fn, new Set([node.id.name]), 'class', node.start);
    } else if (node.type === 'ImportDeclaration') {
      for (const sp of node.specifiers) bindings.add(sp.local);
      const names = new Set<string>(node.specifiers.map((sp: Node) => sp.local.name));
      declare(fn, names, 'import', node.start);
    } else if (node.type === 'CatchClause' && node.param) {
      patternNames(node.param, new Set(), bindings);
    } else if (node.type === 'ClassExpression' && node.id) {
      bindings.add(node.id);
    }

    if (node.type === 'PropertyDefinition' && qualifier && (!fn || fn.wrapper)) {
      const name = propertyName(node.key, node.computed, text);
      fields.push({ cls: qualifier, name: node.static ? `static ${name}` : name, isStatic: !!node.static, start: node.start, end: node.end, line: lines.lineOf(node.start), endLine: lines.lineOf(node.end) });
    }

    let currentFn = fn;
    let currentQualifier = qualifier;
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      currentQualifier = className(node, parent);
    } else if (node.type === 'ObjectExpression') {
      currentQualifier = objectName(node, parent, text, qualifier);
    }

    if (FUNCTION_TYPES.has(node.type)) {
      let name = contextualName(node, parent, text) ?? callbackName(node, parent, text);
      const member = parent && (parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition' || (parent.type === 'Property' && parent.value === node));
      if (member && qualifier && name) name = `${qualifier}.${name}`;
      const line = lines.lineOf(node.start);
      const baseName = name ?? `(anonymous:${line})`;
      const qualified = member && qualifier && name;
      const prefix = qualified ? null : prefixOf(fn);
      const displayName = prefix ? `${prefix}.${baseName}` : baseName;
      const keyBase = `${fn ? fn.key : ''}/${name ?? '(anonymous)'}`;
      const ordinal = siblingCounts.get(keyBase) ?? 0;
      siblingCounts.set(keyBase, ordinal + 1);
      const body = node.body as Node;
      const record: FunctionRecord = {
        key: `${keyBase}#${ordinal}`,
        name: displayName,
        start: node.start,
        end: node.end,
        bodyStart: body.start,
        bodyEnd: body.end,
        line,
        async: !!node.async,
        generator: !!node.generator,
        parent: fn,
        children: [],
        declared: new Set(),
        referenced: new Set(),
      };
      if (node.type === 'FunctionExpression' && node.id) { record.declared.add(node.id.name); bindings.add(node.id); }
      for (const p of node.params) patternNames(p, record.declared, bindings);
      if (node.type !== 'ArrowFunctionExpression') record.declared.add('arguments');
      if (!name && parent?.type === 'CallExpression' && parent.callee === node) { wrappers.add(record); record.wrapper = true; }
      if (node.type === 'ArrowFunctionExpression') record.arrow = true;
      else if (parent?.type === 'MethodDefinition' || (parent?.type === 'Property' && parent.value === node && (parent.method || parent.kind !== 'init'))) record.method = true;
      functions.push(record);
      if (fn) fn.children.push(record);
      else outermost.push(record);
      currentFn = record;
      currentQualifier = null;
    }

    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child.type === 'string') visit(child, node, currentFn, currentQualifier);
      } else if (value && typeof value.type === 'string') {
        visit(value, node, currentFn, currentQualifier);
      }
    }
  };
  visit(program, undefined, null, null);

  return { text, functions, outermost, topDeclared, fields };
}

/**
 * `fn`'s text with the body of each function nested directly in it as `{…}`: the nested functions'
 * heads (names, parameters, defaults) stay. The swap engine compares versions of a function with it
 * (a change to a nested head counts for the enclosing function too). Not util/own-text.ts's ownText,
 * which leaves out each nested function whole (LiveEdit's planner, retry).
 */
export function withNestedBodiesBlanked(text: string, fn: FunctionRecord): string {
  let out = '';
  let at = fn.start;
  for (const c of fn.children) {
    out += text.slice(at, c.bodyStart) + '{…}';
    at = c.bodyEnd;
  }
  return out + text.slice(at, fn.end);
}

/** Names of `fn`'s scope that its nested functions refer to (what V8 keeps in a context). */
export function capturedNames(fn: FunctionRecord): Set<string> {
  const out = new Set<string>();
  for (const c of fn.children) for (const n of c.referenced) if (fn.declared.has(n) && !c.declared.has(n)) out.add(n);
  return out;
}
