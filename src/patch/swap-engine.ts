// The swap engine: live patching without LiveEdit (docs/swap.md). Every user function carries, from
// the load-time transform (src/inject/boundary.ts with { swap }), a first statement that calls a newer
// implementation when its slot (a global property) holds one. A save compiles the new versions of the
// changed functions in their own lexical scope and installs them in their slots, in one
// Runtime.evaluate; nothing walks the heap, and a function that is running or suspended is no obstacle:
// its next call runs the new code.
import { fileURLToPath } from 'node:url';
import type { Connection } from '../cdp/connection';
import { protocolMessage } from '../cdp/connection';
import type { CompiledCode, ScriptRecord, ScriptRegistry } from '../session/registry';
import { Codes } from './codes';
import { applyToEachScript, stripTypesInProgram, syntaxRefusal, waitingForLoader, type ApplyOptions, type LiveEditEvents, type PatchEngine, type PatchOutcome, type Preview } from './engine';
import { likeRunning } from './text';
import { LoaderMap, followSource, lineMapperOf, mapOutcomeLines } from '../loaders/mapped';
import { isLoaderOutput, loaderTransform, withMapOf } from '../loaders/transform';
import { isUnitUrl, NodeMapsKept, nodeMapNames, unitMap, unitUrl, updateNodeMaps, type NodeMapTarget } from '../loaders/save-maps';
import { inlineMapComment } from '../loaders/sourcemap';
import { BOUNDARY_MARK } from '../inject/mark';
import { forEachFunction, parseSource, type Node } from '../inject/boundary';
import type { NotApplied } from './plan';
import { notPatched } from './skeleton';
import { addedGlobalsOf, planSwap, readLoaded, type SwapState } from './swap-plan';
import { compileUnit, countersFor, hiddenFrames, installExpression, recordInstalled, type CompiledUnit } from './swap-compile';
import { debug } from '../util/log';

const log = debug('swap');

/**
 * The name compiled code carries: what stack traces of the module's own code show (a CommonJS module
 * is named by its path, an ES module by its file:// URL), and what URL breakpoints match (both).
 */
function sourceUrlOf(record: ScriptRecord): string {
  if (record.isModule || !record.url.startsWith('file:')) return record.url;
  try { return fileURLToPath(record.url); } catch { return record.url; }
}

/**
 * A script this long (characters as loaded, transform included) is read back ahead of its first
 * save, once the program has been quiet for READ_AHEAD_QUIET_MS: reading back a 50,000-line module
 * (2.6 MB loaded) takes ~0.5 s, which the first save would otherwise wait for. Smaller ones take a
 * few ms and are read at their first save (2,000 modules read ahead would cost the start).
 */
const READ_AHEAD_FROM = 256 * 1024;
const READ_AHEAD_QUIET_MS = 200;

export class SwapEngine implements PatchEngine {
  /** Per script: what was loaded and what runs now (null: the script has no swap indirection). */
  private readonly states = new Map<string, Promise<SwapState | null>>();
  /** Big scripts waiting to be read ahead (see READ_AHEAD_FROM). */
  private readonly readAhead: ScriptRecord[] = [];
  private readonly bigScripts = new Set<string>();
  private readAheadTimer: NodeJS.Timeout | null = null;
  /** Per script: does node keep a source map of it (a loader's output under tsx)? */
  private readonly nodeMaps: NodeMapsKept;
  /** Per script of a loader's output: the .ts text its maps answer for now (followMap). */
  private readonly followed = new Map<string, string>();
  /** Code compiled with a URL of its own so far (src/loaders/save-maps.ts unitUrl). */
  private unitCount = 0;

  constructor(
    private readonly cdp: Connection,
    private readonly registry: ScriptRegistry,
    private readonly events: LiveEditEvents = {},
  ) {
    this.nodeMaps = new NodeMapsKept(cdp);
    // the event comes before the registry's record of it (LiveSession listens after us)
    cdp.Debugger.on('scriptParsed', (e) => { if (e.length !== undefined && e.length >= READ_AHEAD_FROM) this.bigScripts.add(e.scriptId); });
    registry.onScript((record) => {
      if (!this.bigScripts.delete(record.scriptId)) return;
      this.readAhead.push(record);
      this.armReadAhead();
    });
  }

  /** Read the queued big scripts back one at a time, once no script has arrived for a while. */
  private armReadAhead(): void {
    if (this.readAheadTimer) clearTimeout(this.readAheadTimer);
    this.readAheadTimer = setTimeout(() => {
      this.readAheadTimer = null;
      const record = this.readAhead.shift();
      if (!record) return;
      const t0 = performance.now();
      void this.state(record).then(
        () => log('read ahead', record.file, `${(performance.now() - t0).toFixed(0)} ms`),
        () => { /* gone, or not readable: its first save says so */ },
      ).finally(() => { if (this.readAhead.length) this.armReadAhead(); });
    }, READ_AHEAD_QUIET_MS);
    this.readAheadTimer.unref?.();
  }

  apply(file: string, savedText: string, options: ApplyOptions = {}): Promise<PatchOutcome> {
    return applyToEachScript(this.registry.scriptsOf(file), (record) => this.applyToScript(record, savedText, options), this.registry.dataSaved(file));
  }

  /** The swap engine never sends a whole text: no running function keeps an edit back, so nothing is previewed. */
  async preview(file: string, _savedText: string): Promise<Preview[]> {
    return this.registry.scriptsOf(file).map((record) => ({ record, text: null }));
  }

  /** No LiveEdit needed. */
  async checkLiveEdit(): Promise<{ ok: true }> {
    return { ok: true };
  }

  /** The script's state, read back once (a read ahead and a save share the same one). */
  private state(record: ScriptRecord): Promise<SwapState | null> {
    let state = this.states.get(record.scriptId);
    if (!state) {
      state = (async () => {
        const running = await this.registry.runningText(record.scriptId);
        return readLoaded(running, record.isModule ? 'module' : 'script');
      })();
      this.states.set(record.scriptId, state);
      // a failed read is tried again at the next save
      state.catch(() => { if (this.states.get(record.scriptId) === state) this.states.delete(record.scriptId); });
    }
    return state;
  }

  private async applyToScript(record: ScriptRecord, savedText: string, options: ApplyOptions): Promise<PatchOutcome> {
    const shown: { text: string | null } = { text: null };
    const outcome = await this.swapScript(record, savedText, shown, options);
    // a loader's output: the lines reported are the .ts file's (src/loaders/mapped.ts)
    const map = shown.text !== null ? LoaderMap.of(record.file, shown.text) : null;
    return map ? mapOutcomeLines(outcome, lineMapperOf(map), shown.text, record.isModule ? 'module' : 'script') : outcome;
  }

  private async swapScript(record: ScriptRecord, savedText: string, shownOut: { text: string | null }, options: ApplyOptions): Promise<PatchOutcome> {
    let state: SwapState | null;
    try {
      state = await this.state(record);
    } catch (err) {
      return { status: 'not-patched', reasons: [{ code: Codes.ProtocolError, message: `could not read the running script: ${protocolMessage(err)}` }] };
    }
    if (!state) return this.withoutIndirection(record, savedText);
    let saved = likeRunning(savedText, state.original);
    /** The text the swapped-in code is shown from (frames, the code frame). */
    let shown: string | null = null;
    if (isLoaderOutput(record.typescript, state.original)) {
      // compiled by a loader (tsx, ts-node, …): ask that loader, in the program (src/loaders/transform.ts);
      // the running text's source map comment stays, so that it is no top-level change
      const out = await loaderTransform(this.cdp, record.file, saved, record.isModule ? { savedText } : undefined, { again: options.again });
      if (!out.ok) return out.code === 'late' ? waitingForLoader(out.message) : { status: 'not-patched', reasons: [{ code: Codes.SyntaxError, message: out.message }] };
      saved = withMapOf(out.text, state.original);
      shown = out.text; // the swapped-in code's positions are the new output's: its own map reads them
      shownOut.text = shown;
    } else if (record.typescript) {
      const stripped = await stripTypesInProgram(this.cdp, saved, null); // (as the load hook did)
      if (!stripped.ok) return { status: 'not-patched', reasons: [{ code: Codes.SyntaxError, message: stripped.message }] };
      saved = stripped.text;
    }
    const t0 = performance.now();
    const plan = planSwap(state, saved);
    log('plan', record.file, plan.kind, `${(performance.now() - t0).toFixed(1)} ms`);
    switch (plan.kind) {
      case 'unchanged':
        if (plan.next) state.last = plan.next;
        // the same JavaScript with another map (a comment or a type changed in the .ts): the lines moved
        if (shown !== null && (await this.followMap(record, shown))) return { status: 'patched', functions: [], notApplied: [], warnings: [] };
        return { status: 'unchanged' };
      case 'syntax-error':
        return syntaxRefusal(plan.problem, savedText);
      case 'nothing':
        return { status: 'not-patched', reasons: plan.notApplied };
      case 'swap':
        break;
    }
    const counters = countersFor(state, plan);
    const url = sourceUrlOf(record);
    // a loader's output node keeps a map of (tsx): each function swapped in gets a URL and a map of
    // its own, so that the program's error.stack names its .ts lines (src/loaders/save-maps.ts)
    const ownMaps = shown !== null && (await this.nodeMaps.of(record)).evalMaps;
    const compiled: CompiledUnit[] = plan.units.map((u) => {
      const c = compileUnit(state, plan.model, saved, u, ownMaps ? unitUrl(record.file, ++this.unitCount) : url, counters);
      const map = ownMaps ? unitMap(shown!, c.code, u.record.start, u.record.end) : null;
      if (map) c.code += '\n' + inlineMapComment(map);
      return c;
    });
    const t1 = performance.now();
    // the changed functions first: their new code runs as soon as they are in; then the functions
    // that only moved, placed again at their lines (a failure there leaves them where they run, and
    // the next save says so)
    const changed = compiled.filter((c) => !c.unit.moved);
    const moved = compiled.filter((c) => c.unit.moved);
    if (changed.length) {
      const installed = await this.install(changed, shown ?? saved, ownMaps, state, record);
      log('install', record.file, changed.length, `${(performance.now() - t1).toFixed(1)} ms`);
      if (!installed.ok) return { status: 'not-patched', reasons: [installed.reason] };
    }
    let placed = moved;
    if (moved.length) {
      const t2 = performance.now();
      const installed = await this.install(moved, shown ?? saved, ownMaps, state, record);
      log('install', record.file, moved.length, 'moved', installed.ok ? '' : installed.reason.message, `${(performance.now() - t2).toFixed(1)} ms`);
      if (!installed.ok) placed = [];
    }
    recordInstalled(state, [...changed, ...placed], saved, counters, placed.length === moved.length ? plan : { driftNote: plan.driftNote });
    if (shown !== null) await this.followMap(record, shown);
    if (compiled.length) await this.events.onPatched?.(record);
    // functions that only moved were placed again at their lines: not a patch of the file's code when
    // nothing else could be applied (a top-level change alone)
    if (plan.changed.length === 0 && plan.notApplied.length) return { status: 'not-patched', reasons: [...plan.notApplied, ...plan.warnings] };
    return { status: 'patched', functions: plan.changed, notApplied: plan.notApplied, warnings: plan.warnings };
  }

  /**
   * A loader's output saved (`shown`, with its own map): the code that still runs from what loaded, and
   * from earlier saves, keeps its maps, whose .ts lines our frames now read through a shift to this
   * save's .ts (src/loaders/mapped.ts), and so does node, for the program's `error.stack`
   * (src/loaders/save-maps.ts). False: the .ts text is the one already followed.
   */
  private async followMap(record: ScriptRecord, shown: string): Promise<boolean> {
    const running = await this.registry.runningText(record.scriptId);
    const loaded = LoaderMap.of(record.file, running);
    // (per script: each thread of the program that loaded the file has its own maps to follow)
    const before = this.followed.get(record.scriptId) ?? loaded?.ownSourceText() ?? null;
    const now = followSource(record.file, shown);
    if (now === null || now === before) return false;
    this.followed.set(record.scriptId, now);
    // node holds the map the module loaded with, and one per function swapped in with a URL of its own
    const targets: NodeMapTarget[] = [{ names: nodeMapNames(record.file, record.url), update: { map: null, shift: loaded?.shift() ?? null, source: now } }];
    for (const c of this.registry.compiledOf(record.file)) {
      const map = isUnitUrl(c.url) && c.shownText !== undefined ? LoaderMap.of(record.file, c.shownText) : null;
      if (map && map.ownSourceText() !== now) targets.push({ names: [c.url], update: { map: null, shift: map.shift(), source: null } });
    }
    if (await this.nodeMaps.toTell(record)) await updateNodeMaps(this.cdp, targets);
    return true;
  }

  /**
   * The global holding a top-level function a save added to this file under `name` (its first
   * version, which passes each call to the newest), or null: the prompt calls it by name
   * (PauseSession.evaluateSeeing), though the running module has no binding of it.
   */
  async addedFunction(file: string, name: string): Promise<string | null> {
    for (const record of this.registry.scriptsOf(file)) {
      const state = await this.states.get(record.scriptId)?.catch(() => null);
      const slot = state ? addedGlobalsOf(state).get(name) : undefined;
      if (slot) return slot;
    }
    return null;
  }

  /**
   * `ownMaps`: the units carry source maps node is to keep (src/loaders/save-maps.ts). node keeps the
   * map of code made by eval in its hook that decides whether code may be made from strings, which V8
   * calls only where the context does not allow it outright: an inspector's evaluate allows it unless
   * told not to (allowUnsafeEvalBlockedByCSP: false).
   */
  private async install(compiled: CompiledUnit[], saved: string, ownMaps: boolean, state: SwapState, record: ScriptRecord): Promise<{ ok: true } | { ok: false; reason: NotApplied }> {
    const hide = hiddenFrames(state, sourceUrlOf(record), compiled);
    const expression = installExpression(compiled, hide);
    const byUrl = new Map<string, CompiledCode[]>();
    for (const c of compiled) byUrl.set(c.url, [...(byUrl.get(c.url) ?? []), { code: c.code, start: c.savedStart }]);
    for (const [url, codes] of byUrl) this.registry.expectCompiled(url, codes, saved);
    try {
      const r = await this.cdp.Runtime.evaluate({ expression, returnByValue: true, silent: true, ...(ownMaps ? { allowUnsafeEvalBlockedByCSP: false } : {}) });
      if (r.exceptionDetails) {
        return { ok: false, reason: { code: Codes.ProtocolError, message: r.exceptionDetails.exception?.description ?? r.exceptionDetails.text } };
      }
      const failure = r.result.value as string | null;
      if (failure === null) {
        if (hide) for (const c of compiled) state.hiddenKeys.add(c.unit.record.key);
        return { ok: true };
      }
      if (failure.startsWith('many ')) {
        return { ok: false, reason: { code: Codes.SwapUnsupported, message: notPatched(failure.slice(5), `it reads its class's own name, and that class is made more than once (a named class expression evaluated again): swapped-in code would reach only the latest class's; restart to use it`) } };
      }
      if (failure.startsWith('no eval')) {
        return { ok: false, reason: { code: Codes.SwapUnavailable, message: `there is no scope to compile it in (${failure.slice(8)} is missing: the module, or the class, has not been created yet); restart to use it` } };
      }
      const first = failure.split('\n').slice(0, 2).join(' ').replace(/^compile \S+ /, '');
      if (/EvalError|code generation from strings/i.test(first)) {
        return { ok: false, reason: { code: Codes.SwapUnavailable, message: `the program forbids compiling code (--disallow-code-generation-from-strings): ${first}` } };
      }
      return { ok: false, reason: { code: Codes.CompileError, message: `V8 could not compile it: ${first}` } };
    } catch (err) {
      return { ok: false, reason: { code: Codes.ProtocolError, message: protocolMessage(err) } };
    } finally {
      for (const url of byUrl.keys()) this.registry.expectCompiled(url, []);
    }
  }

  /**
   * A script without the swap indirection. A module with no function at all carries none (there is
   * nothing to swap): its text as loaded is `unchanged` (the check when its watch starts, a save of
   * the same text), and a change is a change of its top level. Otherwise it was loaded for another
   * engine, or without boundaries.
   */
  private async withoutIndirection(record: ScriptRecord, savedText: string): Promise<PatchOutcome> {
    const running = record.runningText ?? '';
    const loaded = running.endsWith(BOUNDARY_MARK) ? running.slice(0, -BOUNDARY_MARK.length) : running;
    let saved = likeRunning(savedText, loaded);
    if (record.typescript) {
      const stripped = await stripTypesInProgram(this.cdp, saved, null); // (as the load hook did)
      if (stripped.ok) saved = stripped.text;
    }
    if (saved === loaded) return { status: 'unchanged' };
    if (loaded !== running && !hasFunctions(loaded, record.isModule ? 'module' : 'script')) {
      return { status: 'not-patched', reasons: [{ code: Codes.TopLevelCode, message: 'top-level code changed: it ran once when the module loaded and is not run again (the module had no function when it loaded, so none can be swapped in: restart to use new ones)' }] };
    }
    return { status: 'not-patched', reasons: [{ code: Codes.SwapUnavailable, message: 'this module was loaded without the swap indirection (another engine, --no-boundaries, or not transformed): restart to patch it' }] };
  }
}

function hasFunctions(text: string, kind: 'module' | 'script'): boolean {
  let found = false;
  try { forEachFunction(parseSource(text, kind) as Node, () => { found = true; }); } catch { return true; }
  return found;
}
