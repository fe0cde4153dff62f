// Tagged debug logging for developers of edit-continue, off by default.
// EDIT_CONTINUE_DEBUG=1 (or a comma list of tags: launch,cdp,patch,watch,prompt) writes to stderr
// (a tag made `only when named`, such as wire, each message of the inspector's, is left out of 1);
// with EDIT_CONTINUE_DEBUG_FILE=path the lines go to that file instead, each after the milliseconds
// since the controller started (the test helpers keep one per run, to show when a step times out).
import * as fs from 'node:fs';

export type DebugFn = (...parts: unknown[]) => void;

const noop: DebugFn = () => {};
// (process time: the first lines show how long node took to start us)
const sinceStart = (): number => Math.round(performance.now());

export function debug(tag: string, opts: { onlyWhenNamed?: boolean } = {}): DebugFn {
  const setting = process.env.EDIT_CONTINUE_DEBUG;
  if (!setting) return noop;
  const tags = setting.split(',').map((s) => s.trim());
  if (!(tags.includes(tag) || (!opts.onlyWhenNamed && (setting === '1' || setting === '*')))) return noop;
  const file = process.env.EDIT_CONTINUE_DEBUG_FILE;
  return (...parts) => {
    const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    if (!file) { process.stderr.write(`[ec:${tag}] ${text}\n`); return; }
    try { fs.appendFileSync(file, `${String(sinceStart()).padStart(6)} [ec:${tag}] ${text}\n`); } catch { /* a log line is never worth an error */ }
  };
}
