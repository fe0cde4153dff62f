// Tagged debug logging for developers of edit-continue, off by default.
// EDIT_CONTINUE_DEBUG=1 (or a comma list of tags: launch,cdp,patch,watch,prompt) writes to stderr.
export type DebugFn = (...parts: unknown[]) => void;

const noop: DebugFn = () => {};

export function debug(tag: string): DebugFn {
  const setting = process.env.EDIT_CONTINUE_DEBUG;
  if (!setting) return noop;
  const tags = setting.split(',').map((s) => s.trim());
  if (!(setting === '1' || setting === '*' || tags.includes(tag))) return noop;
  return (...parts) => {
    const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    process.stderr.write(`[ec:${tag}] ${text}\n`);
  };
}
