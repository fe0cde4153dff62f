// The prompt finds an enclosing function's locals in a swapped closure's environment object by the
// names of its accessors (ENV_NAMES, run by Runtime.callFunctionOn in the target). Run here on the
// two forms the compiled code has made: the class instance of today (accessors on the prototype,
// own fields `__ec$g0`…) and the object literal with accessors of the first version.
import * as vm from 'node:vm';
import { envClass } from '../../src/patch/swap-compile';
import { ENV_NAMES, envNames } from '../../src/session/pause-session';

function namesOf(env: object): string[] {
  const fn = vm.runInNewContext(`(${ENV_NAMES})`) as (this: object) => unknown;
  return envNames(fn.call(env));
}

describe('the names of an environment object', () => {
  test('a class instance (new slot.E(reader, writer, …)): its accessors, not its fields or constructor', () => {
    let n = 1;
    let total = 2;
    const E = vm.runInNewContext(`(${envClass(['n', 'total'])})`);
    const env = new E(() => n, (v: number) => { n = v; }, () => total, (v: number) => { total = v; });
    expect(Object.getOwnPropertyNames(env).every((k) => k.startsWith('__ec$'))).toBe(true);
    expect(namesOf(env)).toEqual(['n', 'total']);
    env.n = 7;
    expect(n).toBe(7);
  });

  test('a local named constructor is a name; the class constructor is not', () => {
    const E = vm.runInNewContext(`(${envClass(['constructor'])})`);
    expect(namesOf(new E(() => 1, () => {}))).toEqual(['constructor']);
  });

  test('an object literal with accessors', () => {
    let n = 3;
    const env = vm.runInNewContext('(r, w) => ({ get n() { return r(); }, set n(v) { w(v); } })')(() => n, (v: number) => { n = v; });
    expect(namesOf(env)).toEqual(['n']);
  });

  test('our names and anything that is not an identifier are left out', () => {
    expect(envNames(['n', '__ec$g0', 'a b', 3, null])).toEqual(['n']);
    expect(envNames(undefined)).toEqual([]);
  });
});
