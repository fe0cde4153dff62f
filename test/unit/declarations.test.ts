import { declarationKind, declarationOf } from '../../src/session/declarations';

const at = (text: string, marker: string) => text.indexOf(marker);

describe('declarationKind', () => {
  const job = `const items = [];
function work(item) {
  const spec = item.spec;
  return spec.weight; /*here*/
}
function main() {
  let total = 0;
  for (const item of items) {
    total += work(item); /*loop*/
  }
}`;
  test.each([
    ['spec', '/*here*/', 'const'],
    ['item', '/*here*/', 'param'],
    ['items', '/*here*/', 'const'],
    ['work', '/*here*/', 'function'],
    ['total', '/*loop*/', 'let'],
    ['item', '/*loop*/', 'const'],
    ['nosuch', '/*loop*/', null],
  ])('%s seen at %s is %s', (name, marker, kind) => {
    expect(declarationKind(job, 'script', at(job, marker), name)).toBe(kind);
  });

  test('a let in an inner block shadows an outer const only inside that block', () => {
    const text = `const x = 1;\nfunction f() { { let x = 2; x; /*in*/ } x; /*out*/ }`;
    expect(declarationKind(text, 'script', at(text, '/*in*/'), 'x')).toBe('let');
    expect(declarationKind(text, 'script', at(text, '/*out*/'), 'x')).toBe('const');
  });

  test('var is function-scoped, destructured consts count, imports are imports', () => {
    const text = `import { a } from 'x';\nfunction f() { if (1) { var v = 1; } const { p, q: [r] } = o; /*h*/ }`;
    expect(declarationKind(text, 'module', at(text, '/*h*/'), 'v')).toBe('var');
    expect(declarationKind(text, 'module', at(text, '/*h*/'), 'r')).toBe('const');
    expect(declarationKind(text, 'module', at(text, '/*h*/'), 'a')).toBe('import');
  });

  test('a text that does not parse answers null', () => {
    expect(declarationKind('function (', 'script', 0, 'x')).toBeNull();
  });
});

describe('declarationOf: the scope a name seen from a place belongs to', () => {
  const text = ['let running = true;', 'function spin() { let x = 0; return x; }', 'while (running) spin();', ''].join('\n');
  test('a top-level let seen from a function that does not use it: the file is its scope', () => {
    const inSpin = text.indexOf('return x');
    expect(declarationOf(text, 'script', inSpin, 'running')).toEqual({ kind: 'let', scopeStart: 0, scopeEnd: text.length, own: false });
    expect(declarationOf(text, 'script', text.indexOf('while'), 'running')).toEqual({ kind: 'let', scopeStart: 0, scopeEnd: text.length, own: true });
  });
  test('a function\'s own variable is scoped to that function; an undeclared name has none', () => {
    const d = declarationOf(text, 'script', text.indexOf('return x'), 'x');
    expect(d?.kind).toBe('let');
    expect(text.slice(d!.scopeStart, d!.scopeEnd)).toBe('{ let x = 0; return x; }');
    expect(declarationOf(text, 'script', text.indexOf('while'), 'x')).toBeNull();
    expect(declarationOf(text, 'script', 0, 'process')).toBeNull();
  });
  test("own: declared by the function the place is in (a loop's per-iteration let at the loop's head), not by an enclosing one", () => {
    const loop = ['let acc = 0;', 'function main(n) {', '  for (let i = 0; ; i++) {', '    acc += i;', '  }', '}', ''].join('\n');
    const head = loop.indexOf('for (');
    expect(declarationOf(loop, 'script', head, 'i')).toMatchObject({ kind: 'let', own: true });
    expect(declarationOf(loop, 'script', head, 'n')).toMatchObject({ kind: 'param', own: true });
    expect(declarationOf(loop, 'script', head, 'acc')).toMatchObject({ kind: 'let', own: false });
    expect(declarationOf(loop, 'script', head, 'main')).toMatchObject({ kind: 'function', own: false });
    const inner = ['function outer() {', '  let kept = 1;', '  return () => 2;', '}', ''].join('\n');
    expect(declarationOf(inner, 'script', inner.indexOf('2;'), 'kept')).toMatchObject({ own: false });
  });
});
