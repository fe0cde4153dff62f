// Which patch engine a session uses: V8 LiveEdit, or the swap engine (functions swapped through the
// indirection the load-time transform puts in them). `auto` asks the target what it can do (never a
// version table): is Debugger.setScriptSource available, and does the program carry the swap transform.
// The choice is made before the program's first line, so that the transform it loads with matches.
// This file is pure (the CLI's argument parser uses it); ./engine-probe.ts asks the target.
import { SWAP_MARK } from '../inject/mark';
import { UserError } from '../util/errors';

export const ENGINE_CHOICES = ['auto', 'swap', 'liveedit'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
export type EngineKind = 'swap' | 'liveedit';

/**
 * The engine for the controller when none is given, and the transform for the program (read by its
 * load hooks at transform time: `swap`, `liveedit`, or `auto` while the controller has not decided).
 */
export const ENGINE_ENV = 'EDIT_CONTINUE_ENGINE';

/** What `auto` picks when both engines can run (README, "Choosing the engine": from the benchmarks). */
export const AUTO_PREFERS: EngineKind = 'liveedit';

/** The engine asked for: the option, else $EDIT_CONTINUE_ENGINE, else auto. */
export function requestedEngine(option: EngineChoice | undefined, env: NodeJS.ProcessEnv): EngineChoice {
  if (option !== undefined) {
    if (!(ENGINE_CHOICES as readonly string[]).includes(option)) throw new UserError(`unknown engine '${String(option)}': use auto, swap or liveedit`);
    return option;
  }
  const v = (env[ENGINE_ENV] ?? '').trim().toLowerCase();
  if (v === '') return 'auto';
  if ((ENGINE_CHOICES as readonly string[]).includes(v)) return v as EngineChoice;
  throw new UserError(`${ENGINE_ENV}=${env[ENGINE_ENV]} is not an engine: use auto, swap or liveedit`);
}

/**
 * What the LiveEdit probe found (./engine-probe.ts). `probe` says which way it went, in a few words,
 * for `-v` and the `--json` started event (so that an unexpected engine says why). `unsure`: no clear
 * answer (not V8's "live edit off"): the probe failed, which does not prove LiveEdit is missing.
 */
export type LiveEditProbe = { ok: true; probe?: string } | { ok: false; message: string; probe?: string; unsure?: boolean };

/** V8's answer when LiveEdit is off (Node 26 without --inspector-live-edit; Node 27+: always). */
const LIVE_EDIT_OFF = /no longer (available|supported)|live.?edit/i;

/**
 * Pure: what a dry-run `Debugger.setScriptSource` of a script's own text answered. `message` is the
 * protocol error, null when it was accepted. Only V8's own refusal means LiveEdit is off; any other
 * error (the script gone, the agent busy) says nothing about LiveEdit, and is asked again.
 */
export function dryRunAnswer(message: string | null): 'accepted' | 'off' | 'error' {
  if (message === null) return 'accepted';
  return LIVE_EDIT_OFF.test(message) ? 'off' : 'error';
}

export interface Capabilities {
  liveEdit: LiveEditProbe;
  /** The program's code carries the swap indirection (launch: it will; attach: it was started so). */
  swap: boolean;
  /** Why the swap engine cannot run, when it cannot (for the user's line). */
  swapWhyNot?: string;
  /** A TypeScript loader the program is run with that writes modules on one line (tsx): src/loaders/detect.ts. */
  loader?: string | null;
}

export interface EngineDecision {
  kind: EngineKind;
  /** How the LiveEdit probe went (`dry run accepted`, `live edit off: …`): shown with -v and in --json. */
  probe: string;
  /** One line about the choice: shown always when `important`, else only with -v. */
  note: string;
  important: boolean;
}

/** Pure: the engine for a request and what the target can do, and what to tell the user. */
export function decideEngine(choice: EngineChoice, caps: Capabilities): EngineDecision {
  const probe = caps.liveEdit.probe ?? (caps.liveEdit.ok ? 'dry run accepted' : `live edit off: ${caps.liveEdit.message}`);
  return { ...decide(choice, caps), probe };
}

function decide(choice: EngineChoice, caps: Capabilities): Omit<EngineDecision, 'probe'> {
  const noLive = caps.liveEdit.ok ? '' : caps.liveEdit.message;
  const noSwap = caps.swapWhyNot ?? 'the program does not carry the swap transform';
  if (choice === 'liveedit' || (choice === 'auto' && !caps.swap)) {
    if (caps.liveEdit.ok) return { kind: 'liveedit', note: 'engine: LiveEdit', important: false };
    const fix = choice === 'liveedit' && caps.swap ? 'use --engine swap (or auto)' : 'start node with --inspector-live-edit';
    return {
      kind: 'liveedit',
      note: choice === 'auto'
        ? `saves will not patch: this node has no LiveEdit (${noLive}) and ${noSwap}. The prompt works.`
        : `engine: LiveEdit, but this node has none (${noLive}): saves will not patch; ${fix}. The prompt works.`,
      important: true,
    };
  }
  if (choice === 'swap') {
    if (caps.swap) return { kind: 'swap', note: 'engine: swap', important: false };
    return caps.liveEdit.ok
      ? { kind: 'liveedit', note: `engine: LiveEdit, not swap: ${noSwap}`, important: true }
      : { kind: 'liveedit', note: `saves will not patch: ${noSwap}, and this node has no LiveEdit (${noLive}). The prompt works.`, important: true };
  }
  // auto, and the swap transform is there
  if (!caps.liveEdit.ok) {
    return caps.liveEdit.unsure
      ? { kind: 'swap', note: `engine: swap, because the LiveEdit probe got no clear answer (${noLive}): --engine liveedit to use LiveEdit anyway`, important: true }
      : { kind: 'swap', note: `engine: swap, because this node has no LiveEdit (V8: ${noLive})`, important: true };
  }
  // LiveEdit answers Ok and keeps the old code for edits in a line of 800+ characters (docs/v8.md),
  // and such a loader writes each module on one line: the swap engine does not go through V8's diff
  if (caps.loader) return { kind: 'swap', note: `engine: swap, because ${caps.loader} writes each module on one line, which LiveEdit cannot patch`, important: false };
  return AUTO_PREFERS === 'swap'
    ? { kind: 'swap', note: 'engine: swap (LiveEdit is available too: --engine liveedit)', important: false }
    : { kind: 'liveedit', note: 'engine: LiveEdit (the swap engine is available too: --engine swap)', important: false };
}

/** Does a running text carry the swap transform? (its mark: src/inject/mark.ts, written by the transform) */
export function carriesSwap(text: string): boolean {
  return text.endsWith(SWAP_MARK);
}
