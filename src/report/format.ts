// Pure: turn what became of a save (an event, plain data: ./events.ts) into the lines a user reads.
import { frameOf } from './codeFrame';
import type { Reason, SaveEvent, ThreadOutcome } from './events';
import { displayPath } from '../session/frames';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
}

export const plainStyle: Style = { ok: (s) => s, bad: (s) => s, warn: (s) => s, dim: (s) => s };

export const ansiStyle: Style = {
  ok: (s) => `\x1b[32m${s}\x1b[39m`,
  bad: (s) => `\x1b[31m${s}\x1b[39m`,
  warn: (s) => `\x1b[33m${s}\x1b[39m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
};

export { displayPath };

function reason(r: Reason, style: Style): string {
  return `  ${style.dim(r.code)} ${r.message}`;
}

/** `[worker 2]`, `[process 4711]`, `[process 4711 worker 1]`, `[main]`. */
export function whoLabel(o: { thread: number; pid?: number }): string {
  return o.pid ? `[process ${o.pid}${o.thread ? ` worker ${o.thread}` : ''}]` : o.thread === 0 ? '[main]' : `[worker ${o.thread}]`;
}

/** `main + 2 threads`, `2 threads`, `worker 3`, `main + 1 thread + 2 processes`: where a save was applied (pure). */
export function threadsApplied(outcomes: ThreadOutcome[]): string {
  const patched = outcomes.filter((o) => o.status === 'patched');
  const main = patched.some((o) => o.thread === 0 && !o.pid);
  // (a child process's worker threads count as threads)
  const workers = patched.filter((o) => o.thread !== 0);
  const children = patched.filter((o) => o.pid && o.thread === 0);
  const parts = [
    ...(workers.length ? [`${workers.length} thread${workers.length === 1 ? '' : 's'}`] : []),
    ...(children.length ? [`${children.length} process${children.length === 1 ? '' : 'es'}`] : []),
  ];
  if (main) return parts.length ? ['main', ...parts].join(' + ') : 'main thread';
  if (patched.length === 1) return whoLabel(patched[0]).slice(1, -1);
  return parts.join(' + ');
}

/**
 * Lines for a save across threads (its event's `threads`): the head says where it applied; a thread
 * that did not take it says why on a line of its own. Without other threads, formatSave's lines.
 */
export function formatThreadedSave(save: SaveEvent, verbosity: Verbosity, cwd: string, style: Style = plainStyle): string[] {
  const outcomes = save.event.threads;
  let lines = formatSave(save, verbosity, cwd, style);
  if (!outcomes || !outcomes.some((o) => o.thread !== 0 || o.pid)) return lines;
  if (save.type === 'patched') lines = formatSave(save, verbosity, cwd, style, threadsApplied(outcomes));
  else if (lines.length && outcomes.length === 1) lines[0] = `${style.dim(whoLabel(outcomes[0]))} ${lines[0]}`;
  if (outcomes.length > 1) {
    for (const o of outcomes) {
      const who = whoLabel(o);
      if (o.status === 'patched' && save.type !== 'patched') lines.push(`  ${who} ${style.ok('patched')}`);
      if (o.status === 'not-patched' || o.status === 'pending') {
        const r = o.reasons?.[0];
        lines.push(`  ${who} ${o.status === 'pending' ? style.warn('waiting') : style.bad('not patched')}: ${r ? `${r.message} ${style.dim(r.code)}` : ''}`.trimEnd());
      }
    }
  }
  return lines;
}

/** Lines for what became of a save, or none at this verbosity. `where`: the threads it applied in. */
export function formatSave(save: SaveEvent, verbosity: Verbosity, cwd: string, style: Style = plainStyle, where?: string): string[] {
  const e = save.event;
  const file = displayPath(e.file, cwd);
  const timing = verbosity === 'verbose' ? style.dim(` (${Math.round(e.ms)} ms)`) : '';
  switch (save.type) {
    case 'patched': {
      const { functions, notApplied, warnings, afterWaiting } = save.event;
      const names = functions.length ? functions.map((f) => f.name).join(', ') : 'no function changed (comments or layout)';
      const head = `${style.ok('patched')} ${file}: ${names}${where ? ` (${where})` : ''}${afterWaiting ? ' (was waiting)' : ''}${timing}`;
      const rest = [...notApplied.map((r) => reason(r, style)), ...warnings.map((r) => reason(r, style))];
      if (notApplied.length) rest.unshift(`  ${style.warn('not applied:')}`);
      if (verbosity === 'quiet') return rest.length ? [head, ...rest] : [];
      return [head, ...rest];
    }
    case 'unchanged':
      if (!save.event.loaded) return verbosity === 'verbose' ? [style.dim(`changed ${file}: not loaded by the program, nothing to patch`)] : [];
      return verbosity === 'verbose' ? [style.dim(`unchanged ${file}${timing}`)] : [];
    case 'pending': {
      const r = save.event.reason;
      return verbosity === 'quiet' ? [] : [`${style.warn('waiting')} ${file}: ${r.message} ${style.dim(r.code)}${timing}`];
    }
    case 'not-patched': {
      const [first, ...others] = save.event.reasons;
      const lines = [`${style.bad('not patched')} ${file}: ${first ? first.message : 'unknown reason'} ${first ? style.dim(first.code) : ''}${timing}`.trimEnd()];
      // one line per element: the CLI prefixes every line it writes with [ec], the code frame's too
      if (save.event.syntax) lines.push(...frameOf(save.event.syntax).split('\n').map((l) => `  ${l}`));
      for (const r of others) lines.push(reason(r, style));
      return lines;
    }
  }
}
