// Runs in the user's program: the one function every swap text's prologue calls (./boundary.ts
// swapInsertions). Defined once per thread as the hooks install, it is compiled once and soon
// optimized, where a copy in each module was parsed and compiled once per module: 2,000 modules
// spent ~20-40 ms of their start on those copies (docs/swap.md, "Load time").
import { SWAP_PROLOGUE_HELPER } from './mark';

/**
 * Define `prefix0` … `prefix(n-1)` (undefined, not enumerable, configurable) where they are not own
 * properties yet, and `prefixe`, the factory of the module's scope object (./boundary.ts
 * moduleScopeExpression makes it when a save first needs it). V8 treats a global that is never written as a
 * constant; a slot that is missing would make every check of it slow.
 *
 * The slots share one descriptor, made without a prototype (so that a program that adds `get` or
 * `value` to Object.prototype cannot change what it says), and each name is built once: for 2,000
 * modules of five slots this took the helper from ~13 to ~11 ms of CPU (docs/swap.md, Measurements).
 */
export function defineSwapHelper(g: typeof globalThis = globalThis, helperName: string = SWAP_PROLOGUE_HELPER): void {
  // (self-contained, so that a test can run its source in another node: test/unit/swap-compile.test.ts)
  const define = Object.defineProperty;
  const own = Object.prototype.hasOwnProperty;
  if (own.call(g, helperName)) return;
  const slot: PropertyDescriptor = { __proto__: null, value: undefined, configurable: true } as PropertyDescriptor;
  const prologue = function prologue(prefix: string, n: number, scope: unknown): void {
    for (let i = 0; i < n; i++) {
      const name = prefix + i;
      if (!own.call(g, name)) define(g, name, slot);
    }
    define(g, prefix + 'e', { __proto__: null, value: scope, configurable: true } as PropertyDescriptor);
    // a module loaded again (its cache entry deleted): saves compile in the newest copy's scope
    if (own.call(g, prefix + 'v')) delete (g as Record<string, unknown>)[prefix + 'v'];
  };
  define(prologue, 'p', { value: privateHolder(g), configurable: true });
  define(g, helperName, { value: prologue, configurable: true });

  /**
   * `__ec$s.p(name, cls, accessors)`, called by the static block of a class with #private names each
   * time the class is made: define global `name`, the accessors swapped-in code calls
   * (src/patch/swap-private.ts). A class made once (most) gets its own accessors there, as fast as a
   * plain read. A class made again (a class in a factory, a mixin) is a new class with its own
   * #private names: the global then holds accessors that find, for each object, those of the class it
   * was made by (the nearest on its prototype chain, or the class itself for statics), so that code
   * swapped before or after the class was made again serves the instances of every one of them.
   * The classes are looked up in a WeakMap: a class, its instances and its accessors go once unused.
   * An object of none of them gets the latest class's accessors, which throw what `o.#x` throws.
   */
  function privateHolder(g: typeof globalThis) {
    const ACCESSORS = ['g', 's', 'h', 'c', 'u', 'i'] as const;
    const protoOf = Object.getPrototypeOf;
    return function privates(name: string, cls: { prototype: object }, accessors: Accessors): void {
      const key = name + 'w';
      const first = !own.call(g, key);
      const made = (first ? { byClass: new WeakMap(), latest: accessors, any: null } : (g as any)[key]) as Made;
      if (first) define(g, key, { __proto__: null, value: made, configurable: true } as PropertyDescriptor);
      made.byClass.set(cls, accessors);
      if (cls.prototype !== null && typeof cls.prototype === 'object') made.byClass.set(cls.prototype, accessors);
      made.latest = accessors;
      if (!first) made.any ??= anyClass(made, Object.keys(accessors));
      define(g, name, { __proto__: null, value: first ? accessors : made.any, configurable: true } as PropertyDescriptor);
    };

    function anyClass(made: Made, names: string[]): Accessors {
      const of = (o: unknown): Accessors => {
        for (let p = o; (typeof p === 'object' && p !== null) || typeof p === 'function'; p = protoOf(p)) {
          const found = made.byClass.get(p as object);
          if (found !== undefined) return found;
        }
        return made.latest;
      };
      const out: Accessors = {};
      for (const n of names) {
        const one = {} as Accessors[string];
        for (const a of ACCESSORS) one[a] = (o: unknown, ...rest: unknown[]) => of(o)[n][a](o, ...rest);
        define(out, n, { value: one, enumerable: true, configurable: true }); // (a class may name one #__proto__)
      }
      return out;
    }
  }
}

/** The accessors of one class's #private names, as ./boundary.ts privateAccessors writes them. */
type Accessors = Record<string, Record<'g' | 's' | 'h' | 'c' | 'u' | 'i', (...a: any[]) => unknown>>;
/** What a class's holder global keeps beside it: which accessors serve which class. */
interface Made { byClass: WeakMap<object, Accessors>; latest: Accessors; any: Accessors | null }

