// A save of a .ts file whose compiled output the program runs (dist/x.js of src/x.ts, tsc): made into
// the .js tsc would write (./tsc.ts) and applied to that script, as a save of it would be.
import { Codes } from '../patch/codes';
import type { PatchEngine } from '../patch/engine';
import type { ScriptRegistry } from '../session/registry';
import { transpileLikeTsc } from './tsc';

export function routeCompiled(inner: PatchEngine, registry: ScriptRegistry): PatchEngine {
  return {
    async apply(file, savedText, options) {
      if (registry.scriptsOf(file).length === 0) {
        const compiled = registry.compiledFrom(file);
        if (compiled.length > 0) {
          const out = transpileLikeTsc(file, savedText, compiled[0].file);
          if (!out.ok) return { status: 'not-patched', reasons: [{ code: Codes.SyntaxError, message: out.message }] };
          return inner.apply(compiled[0].file, out.text, options);
        }
      }
      return inner.apply(file, savedText, options);
    },
  };
}
