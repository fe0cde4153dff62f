// A save of a .ts file whose compiled output the program runs (dist/x.js of src/x.ts, tsc): made into
// the .js tsc would write (./tsc.ts) and applied to that script, as a save of it would be.
import { Codes } from '../patch/codes';
import type { PatchEngine } from '../patch/engine';
import type { ScriptRegistry } from '../session/registry';
import { transpileLikeTsc } from './tsc';
import { TraceMap } from '@jridgewell/trace-mapping';
import { tsPositionOf, type CompiledSource } from './compiled';
import { mapOutcomeLines } from './mapped';

/** The same source with the map tsc would write for the saved text. */
function withMap(src: CompiledSource, mapText: string): CompiledSource | null {
  try {
    const map = new TraceMap(mapText, src.ts);
    return { ...src, map, source: map.resolvedSources[0] ?? src.source };
  } catch {
    return null;
  }
}

export function routeCompiled(inner: PatchEngine, registry: ScriptRegistry): PatchEngine {
  return {
    async apply(file, savedText, options) {
      if (registry.scriptsOf(file).length === 0) {
        const compiled = registry.compiledFrom(file);
        if (compiled.length > 0) {
          const out = transpileLikeTsc(file, savedText, compiled[0].file);
          if (!out.ok) return { status: 'not-patched', reasons: [{ code: Codes.SyntaxError, message: out.message }] };
          const record = compiled[0];
          const outcome = await inner.apply(record.file, out.text, options);
          const fresh = out.map ? withMap(record.compiledFrom!, out.map) : null;
          // the script now runs this text: its new map reads its frames (lines after an added line move)
          if (fresh && outcome.status === 'patched') record.compiledFrom = fresh;
          const map = fresh ?? record.compiledFrom!;
          return mapOutcomeLines(outcome, (line, column) => { const p = tsPositionOf(map, { line: line - 1, column: column ?? 0 }); return p ? p.line + 1 : null; }, null);
        }
      }
      return inner.apply(file, savedText, options);
    },
  };
}
