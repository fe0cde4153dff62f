// Pure: which frame `restart N` and `retry` may act on, and what to say when they may not
// (docs/retry.md; the V8 facts are ./v8-rules.ts, from docs/v8.md). V8's `canBeRestarted` does not protect the user:
// restarting node's own frames re-runs node's internals (the bottom one, run_main_module, runs node's
// bootstrap again and the program dies with ERR_INTERNAL_ASSERTION).
import type { PauseKind } from './pause';
import type { Origin } from '../util/origin';
import { derivedConstructorRefusal, v8RestartRefusal } from './v8-rules';

export interface FrameFacts {
  index: number;
  name: string;
  /** Where its code is: the program's files, node_modules, node itself, or edit-continue's preload. */
  origin: Origin;
  /** The file as shown, for messages (null for node's own code). */
  file: string | null;
  /** The top level of a file (CommonJS module code, an ES module's body), not a function. */
  topLevel: boolean;
  /** An ES module (its top level cannot be restarted). */
  isModule: boolean;
  async: boolean;
  /** What V8 says (false: it refuses; true does not mean it is safe). */
  canBeRestarted: boolean | undefined;
  /** The no-op edit-continue runs to stop an idle program (Ctrl+C): nothing of the program runs. */
  idle?: boolean;
  /** The constructor of a class that extends another (./v8-rules.ts derivedConstructorRefusal). */
  derivedConstructor?: boolean;
}

export type Choice = { ok: true; index: number } | { ok: false; message: string };

const numbers = (xs: number[]): string => (xs.length > 6 ? `${xs.slice(0, 6).join(', ')}, …` : xs.join(', '));

/** The frames a user may restart by number, for messages. */
function restartable(frames: FrameFacts[]): number[] {
  return frames.filter((f) => refusal(f) === null).map((f) => f.index);
}

function refusal(f: FrameFacts): string | null {
  if (f.idle) return `frame ${f.index} is the no-op edit-continue ran to stop the idle program: there is nothing of yours to restart`;
  if (f.origin === 'node') return `frame ${f.index} (${f.name}) is node's own code (bt folds it): restarting it would run node's internals again, which can end the program`;
  if (f.origin === 'edit-continue') return `frame ${f.index} (${f.name}) is edit-continue's own loader code`;
  if (f.topLevel && f.isModule) return `frame ${f.index} is the top level of the ES module ${f.file ?? ''}, which V8 cannot restart`.replace(' ,', ',');
  // V8 restarts a CommonJS top level, but that sets everything up a second time (timers, handlers,
  // a second main loop), and after it under a running loop the session was seen to lose track of the
  // program (docs/retry.md): refused.
  if (f.topLevel) return `frame ${f.index} is the top level of ${f.file ?? 'the script'}: restarting it would run the file's code again and set everything up a second time; restart a function's frame, or start the program again`;
  return v8RestartRefusal(f) ?? derivedConstructorRefusal(f);
}

/** `restart N`: may frame N be restarted, and what is worth saying when it is? */
export function restartChoice(frames: FrameFacts[], index: number): Choice {
  const f = frames[index];
  if (!f) return { ok: false, message: `there is no frame ${index} (0 to ${frames.length - 1})` };
  const no = refusal(f);
  if (no) {
    const others = restartable(frames).filter((i) => i !== index);
    return { ok: false, message: `${no}. ${others.length ? `Frames you can restart: ${numbers(others)} (see bt)` : 'No frame on the stack can be restarted here: cont, or stop in your code (break FILE:LINE)'}` };
  }
  return { ok: true, index };
}

/**
 * `retry` at a stop that is not an exception (a breakpoint, a step, Ctrl+C): run the function the
 * program is stopped in again from its start, the innermost one of the program's own files (a step
 * may have entered node's code or a library above it), then go on.
 */
export function retryChoiceAtStop(kind: PauseKind, frames: FrameFacts[]): Choice {
  const where = kind === 'interrupt' ? 'where Ctrl+C stopped it' : kind === 'break' ? 'at this breakpoint' : 'here';
  const f = frames.find((x) => x.origin === 'program');
  if (!f) {
    const top = frames[0];
    const inWhat = !top || top.idle ? 'with nothing of the program on the stack (it was idle)'
      : top.origin === 'library' ? `in a library (${top.name}, ${top.file ?? 'node_modules'})`
      : top.origin === 'edit-continue' ? `in edit-continue's own code (${top.name}), which runs between the program's`
      : `in node's own code (${top.name})`;
    return { ok: false, message: `the program is stopped ${inWhat}: no function of yours is on the stack to run again. cont goes on; to retry a function, stop in it (break FILE:LINE) or retry at an exception it throws` };
  }
  if (f.topLevel) {
    return { ok: false, message: `the program is stopped ${where} in the top level of ${f.file ?? 'the script'}, not in a function: there is nothing to run again. cont goes on; to retry a function, stop in it (break FILE:LINE)` };
  }
  if (f.canBeRestarted === false && f.async) {
    return { ok: false, message: `${f.name} (frame ${f.index}) is an async function that has already awaited: V8 cannot run it again from its start here. cont goes on (a waiting edit applies once it returns); retry works at an exception it throws` };
  }
  const no = refusal(f);
  if (no) return { ok: false, message: `${no}. cont goes on` };
  return { ok: true, index: f.index };
}
