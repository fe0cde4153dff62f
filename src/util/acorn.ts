// acorn, loaded at its first use. It is the biggest module the controller has (250 kB): a program
// that never pauses, fails to load or gets a save never needs it, and each start of edit-continue
// would otherwise compile it (node 20 has no compile cache; bench/ANALYSIS.md, "Attaching").
// Types come from `import type * as acorn from 'acorn'`, which loads nothing.
import type * as Acorn from 'acorn';

let loaded: typeof Acorn | undefined;

export function acornParser(): typeof Acorn {
  return (loaded ??= require('acorn') as typeof Acorn);
}
