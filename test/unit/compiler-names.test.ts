// Compiled code's variables whose names the written source (the .ts) never has are its compiler's
// (esbuild's `__defProp`, `import_express`; tsc's `express_1`, `exports`): `locals` lists them apart.
import { markCompilerNames, type ScopeVariable } from '../../src/session/pause-session';

const v = (name: string, scopeType = 'closure'): ScopeVariable => ({ name, value: { type: 'undefined' }, scopeNumber: 0, scopeType });
const added = (vars: ScopeVariable[], written: string) => {
  markCompilerNames(vars, written);
  return vars.filter((x) => x.compilerAdded).map((x) => x.name);
};

describe('markCompilerNames', () => {
  const TS = [
    "import express from 'express';",
    'const café = 1; let $store = new Map<string, number>();',
    '// exports of this file: see index.ts',
    'export function total(cart: { n: number }): number { return cart.n * café; }',
  ].join('\n');

  test("esbuild's and tsc's helpers and import names are the compiler's; the file's own names, $ and non-ASCII ones included, are not", () => {
    const vars = ['cart', 'total', 'café', '$store', '__defProp', '__toESM', 'import_express', 'express_1', '__importDefault', 'require', 'module'].map((n) => v(n));
    expect(added(vars, TS)).toEqual(['__defProp', '__toESM', 'import_express', 'express_1', '__importDefault', 'require', 'module']);
  });

  test('a name the file has only in a comment or a string counts as written (never hidden wrongly)', () => {
    expect(added([v('exports'), v('express')], TS)).toEqual([]);
  });

  test('a part of a longer name is not the name', () => {
    expect(added([v('tot'), v('car'), v('express_')], TS)).toEqual(['tot', 'car', 'express_']);
  });

  test('each text is read for itself: a name one file has is still the compiler\'s in another that lacks it', () => {
    expect(added([v('total')], TS)).toEqual([]);
    expect(added([v('total')], 'export const sum = 1;')).toEqual(['total']);
    expect(added([v('total')], TS)).toEqual([]);
  });

  test("names of the global script scope come from other files: never marked", () => {
    expect(added([v('__defProp', 'script'), v('__defProp', 'block'), v('x', 'local')], TS)).toEqual(['__defProp', 'x']);
  });
});
