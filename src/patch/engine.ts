// The patch engine: make the running program take on a saved file's function changes.
// V8 safety rules live here and nowhere else (docs/v8.md): while the program runs we only ever call
// Debugger.setScriptSource with allowTopFrameEditing: false, which V8 answers without aborting.
import type { Protocol } from 'devtools-protocol';
import { Codes } from './codes';
import { addBoundaries, hasBoundaries } from '../inject/boundary';
import { likeRunning } from './text';
import { LIVE_EDIT_CHUNK_LIMIT, longestChangedRun } from '../loaders/liveedit-limit';
import { LoaderMap, followSource, lineMapperOf, mapOutcomeLines } from '../loaders/mapped';
import { withMapOf, addBoundariesKeepingMap, isLoaderOutput, loaderTransform } from '../loaders/transform';
import { evaluateOutsideRegExp } from '../cdp/regexp-guard';
import { mapChanged, NodeMapsKept, nodeMapNames, updateNodeMaps } from '../loaders/save-maps';
import { inlineMapOf } from '../loaders/sourcemap';
import { planPatch, type ChangedFunction, type NotApplied } from './plan';
import type { SyntaxProblem } from './functions';
import { protocolMessage, type Connection } from '../cdp/connection';
import type { ScriptRecord, ScriptRegistry } from '../session/registry';
import type { SafePause } from '../session/safe-pause';
import { debug } from '../util/log';

const log = debug('patch');

export type PatchOutcome =
  | { status: 'patched'; functions: ChangedFunction[]; notApplied: NotApplied[]; warnings: NotApplied[] }
  | { status: 'unchanged' }
  | { status: 'not-patched'; reasons: NotApplied[]; syntax?: { problem: SyntaxProblem; text: string } }
  | { status: 'waiting'; reason: NotApplied; functions: ChangedFunction[] }
  /** No script of the program's main thread has this file. */
  | { status: 'not-loaded' };

/** Leave to edit the top frame: minted only by the pause session (src/session/safe-pause.ts). */
export type { SafePause };

export interface ApplyOptions {
  /** Let the edit change the function of the top frame: V8 then restarts that frame with the new code. */
  topFrame?: SafePause;
  /** This text is an edit that waits (the updater tries it again): what it waits on is looked at briefly. */
  again?: boolean;
}

/**
 * A save the program's loader has not compiled yet (src/loaders/transform.ts `late`): it waits, and
 * the updater asks again until the loader answers. Both engines.
 */
export function waitingForLoader(message: string): PatchOutcome {
  return { status: 'waiting', functions: [], reason: { code: Codes.LoaderWaiting, message } };
}

/**
 * A save of a JSON module the program loaded (`require('./config.json')`, an import of one): node
 * parsed it once, into an object the program holds and may have copied from; there is no code to
 * patch. Both engines.
 */
export function dataFileOutcome(): PatchOutcome {
  return { status: 'not-patched', reasons: [{ code: Codes.DataFile, message: 'node read this JSON file once, when the program loaded it (restart to use the change, or have your code read the file when it needs it)' }] };
}

/** One interface, so that an engine for Nodes without LiveEdit can stand beside this one. */
export interface PatchEngine {
  apply(file: string, savedText: string, options?: ApplyOptions): Promise<PatchOutcome>;
}

/** What a save would make of a script, without sending it. */
export interface Preview {
  record: ScriptRecord;
  /** The text V8 would get, or null when nothing would be sent. */
  text: string | null;
}

export interface LiveEditEvents {
  /** A script now runs new code (breakpoints in it must be set again). */
  onPatched?(record: ScriptRecord): void | Promise<void>;
  /**
   * Is the program stopped with its top frame in this script on a statement V8 emits no code for at
   * a function's end (PauseSession.stoppedAtCodelessEnd), and would this text make V8 restart that frame?
   */
  stoppedAtCodelessEnd?(record: ScriptRecord, text: string): Promise<{ name: string; restartsTopFrame: boolean } | null>;
}

/**
 * A save, applied to each script the program loaded from the file (one file can be loaded more than
 * once: as CommonJS and as an ES module, or by a cache-busting import), in order. The first refusal
 * or wait is the outcome (the scripts after it are left as they are); otherwise the last outcome
 * that changed something; 'not-loaded' when there is no script. Every engine uses this loop.
 */
export async function applyToEachScript(records: readonly ScriptRecord[], applyOne: (record: ScriptRecord) => Promise<PatchOutcome>, data: 'first' | 'again' | null = null): Promise<PatchOutcome> {
  // a JSON module the program loaded: said at its first save (ScriptRegistry.dataSaved)
  if (records.length === 0) return data === 'first' ? dataFileOutcome() : data === 'again' ? { status: 'unchanged' } : { status: 'not-loaded' };
  let result: PatchOutcome = { status: 'unchanged' };
  for (const record of records) {
    const outcome = await applyOne(record);
    if (outcome.status === 'not-patched' || outcome.status === 'waiting') return outcome;
    if (outcome.status !== 'unchanged') result = outcome;
  }
  return result;
}

/**
 * Strip types exactly as the program did when it loaded the file, in its node: `url` as node loads a
 * .ts (with a sourceURL), null as our load hook strips (mode 'strip', none: src/inject/hooks.ts). Its
 * "experimental" warning is kept off the program's stderr.
 */
export async function stripTypesInProgram(cdp: Connection, text: string, url: string | null): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const options = url === null ? `{ mode: 'strip' }` : `{ sourceUrl: ${JSON.stringify(url)} }`;
  const expression = `(() => { const w = process.emitWarning; process.emitWarning = () => {}; try { return process.getBuiltinModule('module').stripTypeScriptTypes(${JSON.stringify(text)}, ${options}); } finally { process.emitWarning = w; } })()`;
  let r: Protocol.Runtime.EvaluateResponse;
  try {
    // (node's type stripping may run regular expressions: ../cdp/regexp-guard.ts)
    r = await evaluateOutsideRegExp(cdp, { expression, returnByValue: true, silent: true });
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  if (r.exceptionDetails) {
    const desc = r.exceptionDetails.exception?.description ?? r.exceptionDetails.text;
    return { ok: false, message: desc.split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' ').trim() };
  }
  return { ok: true, text: String(r.result.value) };
}

/** A save that does not parse: nothing is sent (EC101); the report shows where, in the text as saved. */
export function syntaxRefusal(problem: SyntaxProblem, savedText: string): PatchOutcome {
  return {
    status: 'not-patched',
    reasons: [{ code: Codes.SyntaxError, line: problem.line, message: `SyntaxError: ${problem.message} (${problem.line}:${problem.column})` }],
    syntax: { problem, text: savedText },
  };
}

const LIVE_EDIT_OFF = /no longer available|live.?edit/i;

export class LiveEditEngine implements PatchEngine {
  private liveEditEnabledAtRuntime = false;
  /** Per script: does node keep a source map of it (a loader's output under tsx)? */
  private readonly nodeMaps: NodeMapsKept;

  constructor(
    private readonly cdp: Connection,
    private readonly registry: ScriptRegistry,
    private readonly events: LiveEditEvents = {},
  ) {
    this.nodeMaps = new NodeMapsKept(cdp);
  }

  apply(file: string, savedText: string, options: ApplyOptions = {}): Promise<PatchOutcome> {
    return applyToEachScript(this.registry.scriptsOf(file), (record) => this.applyToScript(record, savedText, options), this.registry.dataSaved(file));
  }

  /** The texts a waiting edit would send, script by script (a loader that has not answered is looked at briefly). */
  async preview(file: string, savedText: string): Promise<Preview[]> {
    const out: Preview[] = [];
    for (const record of this.registry.scriptsOf(file)) {
      const prepared = await this.prepare(record, savedText, { again: true });
      out.push({ record, text: prepared.plan?.kind === 'patch' ? prepared.plan.text : null });
    }
    return out;
  }

  /** What V8 runs now for a script (the registry owns it). */
  runningText(record: ScriptRecord): Promise<string> {
    return this.registry.runningText(record.scriptId);
  }

  private async prepare(record: ScriptRecord, savedText: string, options: ApplyOptions = {}): Promise<{ plan: ReturnType<typeof planPatch> | null; stripError?: string; late?: boolean; mapText?: string }> {
    const running = await this.runningText(record);
    let saved = likeRunning(savedText, running);
    // Prepare the saved text exactly as the running one was prepared at load: types stripped (by the
    // target's own node), then retry boundaries when the running text has them (inject/boundary.ts).
    const boundaries = hasBoundaries(running);
    const kind = record.isModule ? 'module' : 'script';
    const loader = isLoaderOutput(record.typescript, running);
    if (loader) {
      // compiled by a loader (tsx, ts-node, …): ask that loader, in the program (src/loaders/transform.ts)
      const out = await loaderTransform(this.cdp, record.file, saved, record.isModule ? { savedText } : undefined, { again: options.again });
      if (!out.ok) return { plan: null, stripError: out.message, late: out.code === 'late' };
      saved = out.text;
    } else if (record.typescript) {
      const stripped = await stripTypesInProgram(this.cdp, saved, boundaries ? null : record.url);
      if (!stripped.ok) return { plan: null, stripError: stripped.message };
      saved = stripped.text;
    }
    if (boundaries) saved = loader ? addBoundariesKeepingMap(saved, kind) : addBoundaries(saved, kind);
    // the running text's map comment stays (V8 would diff the long comment line with the code beside
    // it); the new map is kept aside for frames and breakpoints
    const mapText = loader ? saved : undefined;
    if (loader) saved = withMapOf(saved, running);
    return { plan: planPatch(running, saved, kind), mapText };
  }

  private async applyToScript(record: ScriptRecord, savedText: string, options: ApplyOptions): Promise<PatchOutcome> {
    const prepared = await this.prepare(record, savedText, options);
    const outcome = await this.sendPrepared(record, savedText, prepared, options);
    // a loader's output: the lines reported are the .ts file's (src/loaders/mapped.ts)
    const map = prepared.mapText !== undefined ? LoaderMap.of(record.file, prepared.mapText) : null;
    return map ? mapOutcomeLines(outcome, lineMapperOf(map), prepared.mapText!, record.isModule ? 'module' : 'script') : outcome;
  }

  private async sendPrepared(record: ScriptRecord, savedText: string, prepared: Awaited<ReturnType<LiveEditEngine['prepare']>>, options: ApplyOptions): Promise<PatchOutcome> {
    if (!prepared.plan) {
      const message = prepared.stripError ?? 'could not strip types';
      return prepared.late ? waitingForLoader(message) : { status: 'not-patched', reasons: [{ code: Codes.SyntaxError, message }] };
    }
    const plan = prepared.plan;
    log('plan', record.file, plan.kind);
    switch (plan.kind) {
      case 'unchanged':
        return prepared.mapText !== undefined ? this.mapOnly(record, prepared.mapText) : { status: 'unchanged' };
      case 'syntax-error':
        return syntaxRefusal(plan.problem, savedText);
      case 'nothing':
        return { status: 'not-patched', reasons: plan.notApplied };
      case 'patch':
        break;
    }
    let text = plan.text;
    const running = await this.runningText(record);
    if (isLoaderOutput(record.typescript, running) && longestChangedRun(running, text) >= LIVE_EDIT_CHUNK_LIMIT) {
      return { status: 'not-patched', reasons: [{ code: Codes.LongLine, message: `the loader wrote the changed code on a line of ${LIVE_EDIT_CHUNK_LIMIT}+ characters, where V8 LiveEdit answers Ok and keeps the old code; use --engine swap (the default under a TypeScript loader)` }] };
    }
    // Stopped on the boundary's `void 0xEC` at a function's end (a breakpoint on a closing `}` lands
    // there) in this script: on node 24 and 26 an Ok edit of the script followed by a step aborts the
    // process (docs/v8.md). Only an edit that restarts that frame (a top-frame edit at a safe pause)
    // goes now; any other waits until the program has moved on.
    const atEnd = await this.events.stoppedAtCodelessEnd?.(record, text);
    if (atEnd && !(options.topFrame?.safe === true && atEnd.restartsTopFrame)) {
      return { status: 'waiting', functions: plan.changed, reason: { code: Codes.ActiveFunction, message: `the program is stopped at the end of ${atEnd.name} in this file, where changing the file now would end the program at the next step (a V8 bug); will apply once it moves on (step, next, out or cont)` } };
    }
    // node's own map of a loader's output (the program's error.stack): told after the edit, or before
    // one that may restart the top frame (V8 then lets the program go to restart it and stop at its
    // start, and code we ran meanwhile could take that stop: the program hung), and put back if the
    // edit does not go in
    const tellNode = prepared.mapText !== undefined && (await this.nodeMaps.toTell(record));
    const early = tellNode && options.topFrame?.safe === true;
    const before = record.mapText ?? running;
    if (early) await this.tellNode(record, prepared.mapText!);
    let sent = await this.setScriptSource(record, text, options);
    const blockedStatus = !('error' in sent) ? sent.result.status : null;
    if ((blockedStatus === 'BlockedByTopLevelEsModuleChange' || blockedStatus === 'BlockedByActiveFunction') && plan.fallbackText) {
      // The save also changed comments or layout at the top level, which V8 takes as a change to the
      // script's top-level function: refused for an ES module, and blocked while a CommonJS script's
      // top level is still running (a loop called from it). Send the function changes without them.
      text = plan.fallbackText;
      sent = await this.setScriptSource(record, text, options);
      if (plan.fallbackWarning) plan.warnings.push(plan.fallbackWarning);
    }
    if (early && ('error' in sent || sent.result.status !== 'Ok')) await this.tellNode(record, before);
    if ('error' in sent) return { status: 'not-patched', reasons: [sent.error] };
    const r = sent.result;
    switch (r.status) {
      case 'Ok':
        this.registry.nowRuns(record, text);
        if (prepared.mapText !== undefined) await this.followMap(record, prepared.mapText, tellNode && !early);
        await this.events.onPatched?.(record);
        return { status: 'patched', functions: plan.changed, notApplied: plan.notApplied, warnings: plan.warnings };
      case 'CompileError': {
        const d = r.exceptionDetails;
        const where = d ? ` (${d.lineNumber + 1}:${d.columnNumber + 1})` : '';
        return { status: 'not-patched', reasons: [{ code: Codes.CompileError, line: d ? d.lineNumber + 1 : undefined, message: `V8 could not compile it: ${d?.text ?? 'compile error'}${where}` }] };
      }
      case 'BlockedByActiveFunction':
        return { status: 'waiting', functions: plan.changed, reason: { code: Codes.ActiveFunction, message: `${describe(plan.changed, false)} running; will apply when it returns` } };
      case 'BlockedByActiveGenerator':
        return { status: 'waiting', functions: plan.changed, reason: { code: Codes.ActiveGenerator, message: `${describe(plan.changed, true)} suspended (await/yield); will apply when it completes` } };
      case 'BlockedByTopLevelEsModuleChange':
        return { status: 'not-patched', reasons: [{ code: Codes.TopLevelEsModule, message: 'V8 refused a top-level change to this ES module; restart to use it' }] };
      default:
        return { status: 'not-patched', reasons: [{ code: Codes.ProtocolError, message: `V8 answered ${String(r.status)}` }] };
    }
  }

  /**
   * A loader's output that is the same JavaScript with another map (a comment, a blank line or a type
   * changed in the .ts: tsx drops them): nothing to send V8, but the lines moved.
   */
  private async mapOnly(record: ScriptRecord, mapText: string): Promise<PatchOutcome> {
    if (!mapChanged(mapText, record.mapText ?? (await this.runningText(record)))) return { status: 'unchanged' };
    await this.followMap(record, mapText, await this.nodeMaps.toTell(record));
    await this.events.onPatched?.(record);
    return { status: 'patched', functions: [], notApplied: [], warnings: [] };
  }

  /** What runs for a loader's output now has this text's map: our frames read it, and (`tell`) so does node. */
  private async followMap(record: ScriptRecord, mapText: string, tell: boolean): Promise<void> {
    record.mapText = mapText;
    followSource(record.file, mapText);
    if (tell) await this.tellNode(record, mapText);
  }

  /** node's source map of the script answers with this text's map (src/loaders/save-maps.ts). */
  private async tellNode(record: ScriptRecord, mapText: string): Promise<void> {
    const map = inlineMapOf(mapText)?.map;
    if (map) await updateNodeMaps(this.cdp, [{ names: nodeMapNames(record.file, record.url), update: { map, shift: null, source: null } }]);
  }

  private async setScriptSource(record: ScriptRecord, text: string, options: ApplyOptions): Promise<{ result: Protocol.Debugger.SetScriptSourceResponse } | { error: NotApplied }> {
    // allowTopFrameEditing only with a SafePause: with the program running, at an exception pause or
    // at an unstepped interrupt pause V8 aborts the process when the edit touches the top frame
    // (docs/v8.md). Without it, an edit to a function on the stack is blocked, and waits.
    const allowTopFrameEditing = options.topFrame?.safe === true;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const result = await this.cdp.Debugger.setScriptSource({ scriptId: record.scriptId, scriptSource: text, allowTopFrameEditing });
        return { result };
      } catch (err) {
        const message = protocolMessage(err);
        if (attempt === 0 && LIVE_EDIT_OFF.test(message) && !this.liveEditEnabledAtRuntime && (await this.enableLiveEdit())) continue;
        if (LIVE_EDIT_OFF.test(message)) {
          return { error: { code: Codes.LiveEditUnavailable, message: `this Node has no LiveEdit (${message}): only the swap engine patches here (docs/codes.md)` } };
        }
        return { error: { code: Codes.ProtocolError, message } };
      }
    }
    return { error: { code: Codes.LiveEditUnavailable, message: 'LiveEdit could not be enabled' } };
  }

  /**
   * Can this program be patched? Node 26 started without --inspector-live-edit refuses LiveEdit; V8
   * takes the flag at run time too. Asked with a dry run of a script's own text (never top frame).
   */
  async checkLiveEdit(): Promise<{ ok: true } | { ok: false; message: string }> {
    const record = this.registry.files().map((f) => this.registry.scriptsOf(f)[0]).find((r) => r);
    if (!record) return { ok: true };
    const probe = async () => {
      try {
        await this.cdp.Debugger.setScriptSource({ scriptId: record.scriptId, scriptSource: await this.runningText(record), dryRun: true, allowTopFrameEditing: false });
        return null;
      } catch (err) {
        return protocolMessage(err);
      }
    };
    let message = await probe();
    if (message && LIVE_EDIT_OFF.test(message) && !this.liveEditEnabledAtRuntime && (await this.enableLiveEdit())) message = await probe();
    if (message && LIVE_EDIT_OFF.test(message)) return { ok: false, message: `this node has LiveEdit turned off and it could not be turned on (${message}): saves will not patch; start the program with --inspector-live-edit. The prompt works.` };
    return { ok: true };
  }

  /** Node 26+ without --inspector-live-edit: V8 takes the flag at run time too (docs/v8.md). */
  private async enableLiveEdit(): Promise<boolean> {
    this.liveEditEnabledAtRuntime = true;
    const r = await this.cdp.Runtime.evaluate({
      expression: "process.getBuiltinModule('v8').setFlagsFromString('--inspector-live-edit')",
      silent: true,
    }).catch(() => null);
    return !!r && !r.exceptionDetails;
  }
}

function describe(fns: ChangedFunction[], suspended: boolean): string {
  const names = fns.map((f) => f.name);
  if (suspended) {
    const asyncOnes = fns.filter((f) => f.async || f.generator).map((f) => f.name);
    if (asyncOnes.length === 1) return `${asyncOnes[0]} is`;
    if (asyncOnes.length > 1) return `one of ${asyncOnes.join(', ')} is`;
  }
  if (names.length === 1) return `${names[0]} is`;
  if (names.length === 0) return 'a changed function is';
  return `one of ${names.join(', ')} is`;
}
