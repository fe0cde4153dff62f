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
export function defineSwapHelper(g: typeof globalThis = globalThis): void {
  const define = Object.defineProperty;
  const own = Object.prototype.hasOwnProperty;
  if (own.call(g, SWAP_PROLOGUE_HELPER)) return;
  const slot: PropertyDescriptor = { __proto__: null, value: undefined, configurable: true } as PropertyDescriptor;
  define(g, SWAP_PROLOGUE_HELPER, {
    value: function prologue(prefix: string, n: number, scope: unknown): void {
      for (let i = 0; i < n; i++) {
        const name = prefix + i;
        if (!own.call(g, name)) define(g, name, slot);
      }
      define(g, prefix + 'e', { __proto__: null, value: scope, configurable: true } as PropertyDescriptor);
      // a module loaded again (its cache entry deleted): saves compile in the newest copy's scope
      if (own.call(g, prefix + 'v')) delete (g as Record<string, unknown>)[prefix + 'v'];
    },
    configurable: true,
  });
}
