// The swap compiler's scope resolver: which references of a function resolve outside it.
import * as acorn from 'acorn';
import { functionUses } from '../../src/patch/swap-scope';
import type { Node } from '../../src/inject/boundary';

function uses(code: string) {
  const program = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowSuperOutsideMethod: true }) as unknown as Node;
  const fn = (program.body[0].type === 'ExpressionStatement' ? program.body[0].expression : program.body[0]) as Node;
  const u = functionUses(fn);
  return { ...u, names: [...new Set(u.free.map((r) => r.name))].sort() };
}

describe('functionUses', () => {
  test('parameters, var, let/const in blocks, catch, for heads and nested functions shadow; the rest is free', () => {
    const u = uses(`function f(a, { b, c = d }, ...e) {
      var v = a + b + c + e + out1;
      { let x = 1; x + y; }
      x;
      for (let i = 0; i < n; i++) i;
      try { t } catch (err) { err + z }
      function inner(q) { return q + w + v; }
      class K extends Base { m() { return this.p + kk; } }
      return inner + K;
    }`);
    expect(u.names).toEqual(['Base', 'd', 'kk', 'n', 'out1', 't', 'w', 'x', 'y', 'z']);
  });

  test('object shorthand and shorthand assignment targets are marked as such', () => {
    const u = uses('(() => { ({ a } = o); return { b, c: c }; })');
    expect(u.free.filter((r) => r.shorthand).map((r) => r.name).sort()).toEqual(['a', 'b']);
    expect(u.names).toEqual(['a', 'b', 'c', 'o']);
  });

  test('this, arguments, super and new.target of an arrow: its own code and nested arrows count, nested functions and classes do not', () => {
    expect(uses('(() => () => this.x + arguments[0])')).toMatchObject({ usesThis: true, usesArguments: true });
    expect(uses('(() => function () { return this + arguments.length + new.target; })')).toMatchObject({ usesThis: false, usesArguments: false, usesNewTarget: false });
    expect(uses('(() => class { f = this; m() { super.m(); } })')).toMatchObject({ usesThis: false, usesSuper: false });
    expect(uses('(() => super.m())')).toMatchObject({ usesSuper: true });
  });

  test('member properties, labels and property keys are not references', () => {
    expect(uses('(function () { lbl: for (;;) { break lbl; } return o.p + ({ k: 1 }).k; })').names).toEqual(['o']);
  });
});
