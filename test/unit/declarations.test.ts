import { declarationKind } from '../../src/session/declarations';

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
