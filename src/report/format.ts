// Pure: turn what became of a save (an event, plain data: ./events.ts) into the lines a user reads.
import { frameOf } from './codeFrame';
import type { Reason, SaveEvent } from './events';
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

/** Lines for what became of a save, or none at this verbosity. */
export function formatSave(save: SaveEvent, verbosity: Verbosity, cwd: string, style: Style = plainStyle): string[] {
  const e = save.event;
  const file = displayPath(e.file, cwd);
  const timing = verbosity === 'verbose' ? style.dim(` (${Math.round(e.ms)} ms)`) : '';
  switch (save.type) {
    case 'patched': {
      const { functions, notApplied, warnings, afterWaiting } = save.event;
      const names = functions.length ? functions.map((f) => f.name).join(', ') : 'no function changed (comments or layout)';
      const head = `${style.ok('patched')} ${file}: ${names}${afterWaiting ? ' (was waiting)' : ''}${timing}`;
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
