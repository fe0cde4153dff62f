// Ask a target what it can do, for the engine choice (./engine-choice.ts): is Debugger.setScriptSource
// available, which transform do the program's files carry; and tell a waiting program its transform.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Protocol } from 'devtools-protocol';
import { fileURLToPath } from 'node:url';
import { protocolMessage, type Connection } from '../cdp/connection';
import { carriesSwap, decideEngine, dryRunAnswer, ENGINE_ENV, type EngineChoice, type EngineDecision, type EngineKind, type LiveEditProbe } from './engine-choice';

/** The part of a connection the probe uses (a fake in unit tests). */
export type ProbeConnection = { Debugger: Pick<Connection['Debugger'], 'getScriptSource' | 'setScriptSource'> } & Pick<Connection, 'evaluateNoStop'>;

/** How many scripts the probe asks at most when an answer says nothing about LiveEdit (dryRunAnswer 'error'). */
const PROBE_ATTEMPTS = 3;

const TURN_ON = "process.getBuiltinModule('v8').setFlagsFromString('--inspector-live-edit')";

/**
 * Is Debugger.setScriptSource available in the target? Asked with a dry run of a script's own text
 * (`allowTopFrameEditing: false`, the one mode V8 answers without risk: docs/v8.md). With
 * `enableAtRunTime`, V8's refusal ("no longer available") is followed by turning
 * `--inspector-live-edit` on through `v8.setFlagsFromString` (Node 26 takes it at run time) and
 * asking again. Only that refusal means no LiveEdit. Any other failure (a script that cannot be
 * read, another error, an evaluate that fails to turn the flag on) is tried again with the next of
 * `scriptIds` (the first is the one to ask; PROBE_ATTEMPTS at most); when no attempt gets a clear
 * answer the result is `unsure`, not "off". The Debugger domain must be enabled. The result's
 * `probe` says which way it went.
 */
export async function probeLiveEdit(cdp: ProbeConnection, scriptIds: readonly string[], opts: { enableAtRunTime: boolean }): Promise<LiveEditProbe> {
  const failures: string[] = [];
  let turnedOn = false;
  /** V8's refusal, when the last attempt could not turn the flag on (each attempt tries again). */
  let refused: string | null = null;
  const before = () => (failures.length ? ` (before: ${failures.join('; ')})` : '');
  for (const scriptId of scriptIds.slice(0, PROBE_ATTEMPTS)) {
    let text: string;
    try {
      text = (await cdp.Debugger.getScriptSource({ scriptId })).scriptSource;
    } catch (err) {
      failures.push(`could not read script ${scriptId}: ${protocolMessage(err)}`);
      refused = null;
      continue;
    }
    const ask = async (): Promise<string | null> => {
      try {
        await cdp.Debugger.setScriptSource({ scriptId, scriptSource: text, dryRun: true, allowTopFrameEditing: false });
        return null;
      } catch (err) {
        return protocolMessage(err);
      }
    };
    let message = await ask();
    if (dryRunAnswer(message) === 'off' && opts.enableAtRunTime && !turnedOn) {
      const on = await turnOnLiveEdit(cdp);
      if (!on.ok) {
        refused = message;
        failures.push(`could not turn on --inspector-live-edit: ${on.why}`);
        continue;
      }
      turnedOn = true;
      message = await ask();
    }
    const answer = dryRunAnswer(message);
    const how = turnedOn ? ' after turning on --inspector-live-edit' : '';
    if (answer === 'accepted') return { ok: true, probe: `dry run accepted${how}${before()}` };
    if (answer === 'off') return { ok: false, message: message!, probe: `live edit off: ${message}${turnedOn ? ', also after turning on --inspector-live-edit' : ''}${before()}` };
    failures.push(`dry run of script ${scriptId}${how}: ${message}`);
    refused = null;
  }
  // (V8 said off, and the flag could not be turned on: LiveEdit is off, and the reason is said)
  if (refused !== null) return { ok: false, message: refused, probe: `live edit off: ${refused}; ${failures.join('; ')}` };
  const message = failures.length ? failures[failures.length - 1] : 'no script to probe with';
  return { ok: false, unsure: true, message, probe: `no clear answer: ${failures.length ? failures.join('; ') : 'no script to probe with'}` };
}

type TurnedOn = { ok: true } | { ok: false; why: string };

/** Evaluate the flag on in the program (the stand-in for Node 27 ignores it: the next dry run says). */
async function turnOnLiveEdit(cdp: ProbeConnection): Promise<TurnedOn> {
  try {
    const r = await cdp.evaluateNoStop({ expression: TURN_ON, silent: true });
    if (r?.exceptionDetails) return { ok: false, why: r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'an exception' };
    return { ok: true };
  } catch (err) {
    return { ok: false, why: protocolMessage(err) };
  }
}

/** Tell a program waiting in the preload which transform to load its files with (before it runs). */
export async function tellTransform(cdp: Connection, kind: EngineKind): Promise<void> {
  // (the evaluated script is reported before the answer, which node then holds for our ACK: sent as
  // one that cannot stop, the connection's kick sends that ACK at once; cdp/connection.ts)
  const r = await cdp.evaluateNoStop({ expression: `process.env.${ENGINE_ENV} = ${JSON.stringify(kind)}`, silent: true });
  if (r.exceptionDetails) throw new Error(`could not set the program's transform: ${r.exceptionDetails.text}`);
}

interface SeenScript { scriptId: string; url: string }

/** How long a launch waits for the preload's script to be reported (it comes within ms of the start). */
const PRELOAD_WAIT_MS = 20000;

/** How many of the program's newest files attach reads to learn its transform. */
const SCRIPTS_TO_READ = 8;

/**
 * Enable the Debugger domain and collect the scripts it reports (all of them, replayed on enable), and
 * the ones parsed after, until `stop()`. `until(pred, ms)` resolves with the first script, seen or
 * still to come, that `pred` accepts (null after `ms`).
 */
async function enableAndList(cdp: Connection): Promise<{ seen: Protocol.Debugger.ScriptParsedEvent[]; stop(): void; until(pred: (s: SeenScript) => boolean, ms: number): Promise<SeenScript | null> }> {
  const seen: Protocol.Debugger.ScriptParsedEvent[] = [];
  let collecting = true;
  const waiters: ((e: SeenScript) => void)[] = [];
  cdp.Debugger.on('scriptParsed', (e) => {
    if (collecting) seen.push(e);
    for (const w of [...waiters]) w(e);
  });
  await cdp.Debugger.enable({});
  return {
    seen,
    stop: () => { collecting = false; },
    until: (pred, ms) => {
      const found = seen.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const done = (r: SeenScript | null) => { clearTimeout(timer); const i = waiters.indexOf(w); if (i >= 0) waiters.splice(i, 1); resolve(r); };
        const w = (e: SeenScript) => { if (pred(e)) done(e); };
        const timer = setTimeout(() => done(null), ms);
        waiters.push(w);
      });
    },
  };
}

function fileOf(url: string): string | null {
  if (url.startsWith('file://')) { try { return fileURLToPath(url); } catch { return null; } }
  return path.isAbsolute(url) ? url : null;
}

function real(file: string): string {
  try { return fs.realpathSync.native(file); } catch { return file; }
}

/**
 * A launched program, waiting in the preload (`preload` is its file): probe LiveEdit on the preload's
 * own script (turning it on at run time where the node needs --inspector-live-edit: Node 26; the
 * program is started without the flag, since asking `node --v8-options` for it costs a process
 * start), decide, and when the choice was `auto` tell the program which transform to load with.
 * Leaves the Debugger domain enabled (the session enables it again: nothing of the program's own has
 * been parsed yet, only the preload and node's internals).
 */
export async function chooseAtLaunch(cdp: Connection, choice: EngineChoice, opts: { preload: string; boundaries: boolean; loader?: string | null }): Promise<EngineDecision & { scripts: Protocol.Debugger.ScriptParsedEvent[] }> {
  const list = await enableAndList(cdp);
  const preload = real(opts.preload);
  // The program may not have reached the preload when we connect (we connect as soon as node prints
  // its inspector's address): then the preload's script is reported after enable's replay. Wait for
  // it; it comes before the program waits for us, so it cannot be missed (seen under CI load on node
  // 24: without this wait, auto chose swap, "the preload was not found to probe with").
  const own = await list.until((s) => { const f = fileOf(s.url); return f !== null && real(f) === preload; }, PRELOAD_WAIT_MS);
  list.stop();
  // Node's own scripts answer the dry run the same (their own text: nothing to change), so one that
  // was reported stands in when the preload's script is not (or cannot be read): an unanswered wait
  // must not pass for "no LiveEdit".
  const others = list.seen.filter((s) => s.url !== '' && s.scriptId !== own?.scriptId).reverse().map((s) => s.scriptId);
  const probed = await probeLiveEdit(cdp, own ? [own.scriptId, ...others] : others, { enableAtRunTime: true });
  const liveEdit: LiveEditProbe = own ? probed : { ...probed, probe: `${probed.probe} (the preload's script was not reported within ${PRELOAD_WAIT_MS / 1000} s: asked with node's)` };
  const decision = decideEngine(choice, {
    liveEdit,
    swap: opts.boundaries,
    swapWhyNot: '--no-boundaries leaves nothing to swap through',
    loader: opts.loader,
  });
  if (choice === 'auto' && opts.boundaries) await tellTransform(cdp, decision.kind);
  return { ...decision, scripts: list.seen };
}

/**
 * A program that runs on its own: its files carry whatever transform it was started with
 * (`node --require edit-continue/register`, EDIT_CONTINUE_ENGINE=swap for the swap one). The swap engine
 * needs the swap transform; LiveEdit is turned on at run time where the node takes it. Leaves the
 * Debugger domain enabled, and returns every script it reported (`scripts`, up to the moment this
 * resolves): the session takes them (LiveSession.seed) instead of having them all sent again.
 */
export async function chooseAtAttach(cdp: Connection, choice: EngineChoice, isUserFile: (file: string) => boolean): Promise<EngineDecision & { scripts: Protocol.Debugger.ScriptParsedEvent[] }> {
  const list = await enableAndList(cdp);
  try {
    return { ...(await decideAtAttach(cdp, choice, isUserFile, list.seen.slice())), scripts: list.seen };
  } finally {
    list.stop();
  }
}

async function decideAtAttach(cdp: Connection, choice: EngineChoice, isUserFile: (file: string) => boolean, scripts: SeenScript[]): Promise<EngineDecision> {
  const users = scripts.filter((s) => { const f = fileOf(s.url); return f !== null && isUserFile(real(f)); });
  // the newest first: a file loaded before the transform was installed (another --require) has none
  let user = users[users.length - 1];
  let swap = false;
  for (const candidate of users.slice(-SCRIPTS_TO_READ).reverse()) {
    try {
      if (carriesSwap((await cdp.Debugger.getScriptSource({ scriptId: candidate.scriptId })).scriptSource)) { swap = true; user = candidate; break; }
    } catch { /* gone: as no transform */ }
  }
  // (the one read first; the others if it cannot answer)
  const ids = user ? [user.scriptId, ...users.filter((s) => s !== user).reverse().map((s) => s.scriptId)] : [];
  const liveEdit: LiveEditProbe = user
    ? await probeLiveEdit(cdp, ids, { enableAtRunTime: !swap || choice === 'liveedit' })
    // nothing to probe with yet: the LiveEdit engine turns it on at the first save if it must
    : { ok: true, probe: 'not asked: no script of the program yet (a save turns LiveEdit on if it must)' };
  const swapWhyNot = 'the program was not started with the swap transform (EDIT_CONTINUE_ENGINE=swap node --require edit-continue/register …)';
  if (swap && choice === 'liveedit') {
    return { kind: 'swap', note: 'engine: swap, not LiveEdit: the program was started with the swap transform, which LiveEdit cannot patch through', important: true, probe: decideEngine('swap', { liveEdit, swap }).probe };
  }
  // the program's transform decides: a swap text can only be swapped, anything else only LiveEdited
  // (`auto` stays `auto`: on a node without LiveEdit its line says both ways are missing, and how to
  // start the program with the transform, not to turn on a LiveEdit that Node 27 does not have)
  return decideEngine(swap ? 'swap' : choice, { liveEdit, swap, swapWhyNot });
}
