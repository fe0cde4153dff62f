// Pure: turn update results into the lines a user reads.
import type { UpdateReport } from '../patch/updater';
import type { NotApplied } from '../patch/plan';
import { codeFrame } from './codeFrame';
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

function reason(r: NotApplied | { code: string; message: string }, style: Style): string {
  return `  ${style.dim(r.code)} ${r.message}`;
}

/** Why a save of a file only another thread loaded is not applied. */
export function workerOnlyMessage(loadedBy: string): string {
  return `only ${loadedBy} loaded it, and edit-continue patches the main thread only (yet); restart to use the change`;
}

/** How each thread took a save (thread 0: the main thread), when worker threads loaded the file. */
/** `pid`: a child process of the program (`thread` 0: its main thread); absent: the program's own process. */
export interface ThreadOutcome { thread: number; pid?: number; status: 'patched' | 'not-patched' | 'pending' | 'unchanged'; reasons?: { code: string; message: string }[] }

/** `[worker 2]`, `[process 4711]`, `[main]`. */
export function whoLabel(o: { thread: number; pid?: number }): string {
  return o.pid ? `[process ${o.pid}]` : o.thread === 0 ? '[main]' : `[worker ${o.thread}]`;
}

/** `main + 2 threads`, `2 threads`, `worker 3`, `main + 1 thread + 2 processes`: where a save was applied (pure). */
export function threadsApplied(outcomes: ThreadOutcome[]): string {
  const patched = outcomes.filter((o) => o.status === 'patched');
  const main = patched.some((o) => o.thread === 0 && !o.pid);
  const workers = patched.filter((o) => o.thread !== 0 && !o.pid);
  const children = patched.filter((o) => o.pid);
  const parts = [
    ...(workers.length ? [`${workers.length} thread${workers.length === 1 ? '' : 's'}`] : []),
    ...(children.length ? [`${children.length} process${children.length === 1 ? '' : 'es'}`] : []),
  ];
  if (main) return parts.length ? ['main', ...parts].join(' + ') : 'main thread';
  if (patched.length === 1) return whoLabel(patched[0]).slice(1, -1);
  return parts.join(' + ');
}

/** The lines of an update across threads: the head says where it applied; a thread that did not take it says why. */
export function formatThreadedUpdate(report: UpdateReport, outcomes: ThreadOutcome[] | undefined, verbosity: Verbosity, cwd: string, style: Style = plainStyle): string[] {
  let lines = formatUpdate(report, verbosity, cwd, style);
  if (!outcomes || !outcomes.some((o) => o.thread !== 0 || o.pid)) return lines;
  const led = report.outcome.status;
  if (led === 'patched') lines = formatUpdate(report, verbosity, cwd, style, threadsApplied(outcomes));
  else if (lines.length && outcomes.length === 1) lines[0] = `${style.dim(whoLabel(outcomes[0]))} ${lines[0]}`;
  if (outcomes.length > 1) {
    for (const o of outcomes) {
      const who = whoLabel(o);
      if (o.status === 'patched' && led !== 'patched') lines.push(`  ${who} ${style.ok('patched')}`);
      if (o.status === 'not-patched' || o.status === 'pending') {
        const r = o.reasons?.[0];
        lines.push(`  ${who} ${o.status === 'pending' ? style.warn('waiting') : style.bad('not patched')}: ${r ? `${r.message} ${style.dim(r.code)}` : ''}`.trimEnd());
      }
    }
  }
  return lines;
}

/** Lines for one update, or none at this verbosity. */
export function formatUpdate(report: UpdateReport, verbosity: Verbosity, cwd: string, style: Style = plainStyle, where?: string): string[] {
  const file = displayPath(report.file, cwd);
  const timing = verbosity === 'verbose' ? style.dim(` (${Math.round(report.ms)} ms)`) : '';
  const o = report.outcome;
  switch (o.status) {
    case 'patched': {
      const names = o.functions.length ? o.functions.map((f) => f.name).join(', ') : 'no function changed (comments or layout)';
      const head = `${style.ok('patched')} ${file}: ${names}${where ? ` (${where})` : ''}${report.afterWaiting ? ' (was waiting)' : ''}${timing}`;
      const rest = [...o.notApplied.map((r) => reason(r, style)), ...o.warnings.map((r) => reason(r, style))];
      if (o.notApplied.length) rest.unshift(`  ${style.warn('not applied:')}`);
      if (verbosity === 'quiet') return rest.length ? [head, ...rest] : [];
      return [head, ...rest];
    }
    case 'unchanged':
      return verbosity === 'verbose' ? [style.dim(`unchanged ${file}${timing}`)] : [];
    case 'not-loaded':
      if (o.loadedBy) return [`${style.bad('not patched')} ${file}: ${workerOnlyMessage(o.loadedBy)} ${style.dim('EC104')}${timing}`];
      return verbosity === 'verbose' ? [style.dim(`changed ${file}: not loaded by the program, nothing to patch`)] : [];
    case 'waiting':
      return verbosity === 'quiet' ? [] : [`${style.warn('waiting')} ${file}: ${o.reason.message} ${style.dim(o.reason.code)}${timing}`];
    case 'not-patched': {
      const [first, ...others] = o.reasons;
      const lines = [`${style.bad('not patched')} ${file}: ${first ? first.message : 'unknown reason'} ${first ? style.dim(first.code) : ''}${timing}`.trimEnd()];
      // one line per element: the CLI prefixes every line it writes with [ec], the code frame's too
      if (o.syntax) lines.push(...codeFrame(o.syntax.text, o.syntax.problem.line, o.syntax.problem.column, { context: 1 }).split('\n').map((l) => `  ${l}`));
      for (const r of others) lines.push(reason(r, style));
      return lines;
    }
    case 'unreadable':
      return [`${style.bad('not patched')} ${file}: ${o.reason.message} ${style.dim(o.reason.code)}`];
  }
}
