// Pure: how values, frames and pauses read at the prompt.
import type { Protocol } from 'devtools-protocol';
import type { FrameView } from '../session/frames';
import { describedName, type FunctionValue } from '../util/function-name';
import type { Origin } from '../util/origin';

export type { FrameView };

type RemoteObject = Protocol.Runtime.RemoteObject;
type ObjectPreview = Protocol.Runtime.ObjectPreview;
type PropertyPreview = Protocol.Runtime.PropertyPreview;

const MAX_STRING = 200;

function quote(s: string): string {
  const cut = s.length > MAX_STRING ? s.slice(0, MAX_STRING) + '…' : s;
  return `'${cut.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** One property of a preview, as node's util.inspect would show it (one level deep). */
function previewValue(p: PropertyPreview): string {
  if (p.valuePreview) return formatPreview(p.valuePreview, false);
  switch (p.type) {
    case 'string': return quote(p.value ?? '');
    case 'undefined': return 'undefined';
    case 'function': return `[Function${p.value ? '' : ''}]`;
    case 'object':
      if (p.subtype === 'null') return 'null';
      if (p.subtype === 'array') return `[${p.value ?? 'Array'}]`;
      return p.value === 'Object' ? '{…}' : (p.value ?? '{…}');
    default: return p.value ?? p.type;
  }
}

export function formatPreview(preview: ObjectPreview, top = true): string {
  const more = preview.overflow ? ', …' : '';
  const props = preview.properties ?? [];
  switch (preview.subtype) {
    case 'array':
    case 'typedarray': {
      const items = props.map(previewValue);
      const head = preview.subtype === 'typedarray' ? `${preview.description ?? ''} ` : '';
      return `${head}[ ${items.join(', ')}${more} ]`.replace('[  ]', '[]');
    }
    case 'map':
    case 'set': {
      const entries = (preview.entries ?? []).map((e) => (e.key ? `${formatPreview(e.key, false)} => ${formatPreview(e.value, false)}` : formatPreview(e.value, false)));
      return entries.length || more ? `${preview.description ?? ''} { ${entries.join(', ')}${more} }` : `${preview.description ?? ''} {}`;
    }
    case 'error':
    case 'date':
    case 'regexp':
      return (preview.description ?? '').split('\n')[0];
    case 'null':
      return 'null';
  }
  if (preview.type !== 'object') {
    return preview.type === 'string' ? quote(preview.description ?? '') : (preview.description ?? preview.type);
  }
  if (!top && props.length === 0 && !preview.overflow) return preview.description === 'Object' ? '{}' : `${preview.description} {}`;
  const body = props.map((p) => `${/^[A-Za-z_$][\w$]*$/.test(p.name) ? p.name : quote(p.name)}: ${previewValue(p)}`).join(', ');
  const prefix = preview.description && preview.description !== 'Object' ? `${preview.description} ` : '';
  return body || more ? `${prefix}{ ${body}${more} }` : `${prefix}{}`;
}

export function formatValue(o: FunctionValue): string {
  switch (o.type) {
    case 'undefined': return 'undefined';
    case 'string': return quote(String(o.value));
    case 'number':
    case 'boolean': return o.unserializableValue ?? String(o.value);
    case 'bigint': return o.unserializableValue ?? o.description ?? 'bigint';
    case 'symbol': return o.description ?? 'Symbol()';
    case 'function': {
      const name = describedName(o.description) || o.functionName;
      if (/^class\b/.test(o.description ?? '')) return `[class ${name || '(anonymous)'}]`;
      const kind = /^async\b/.test(o.description ?? '') ? 'AsyncFunction' : 'Function'; // as util.inspect says
      return `[${kind}: ${name || '(anonymous)'}]`;
    }
    case 'object':
      if (o.subtype === 'null') return 'null';
      if (o.subtype === 'error') return (o.description ?? 'Error').split('\n')[0];
      if (o.preview) return formatPreview(o.preview);
      return o.description ?? 'Object';
    default:
      return o.description ?? String(o.value);
  }
}

/** The first line of an exception as node prints it, and its message for a heading. */
export function exceptionHeadline(exception: RemoteObject | undefined, rejection: boolean): string {
  if (!exception) return 'exception';
  if (exception.subtype === 'error') return (exception.description ?? 'Error').split('\n')[0];
  return `${rejection ? 'Unhandled rejection' : 'Uncaught'} ${formatValue(exception)}`;
}

/** An error's stack frame line (`    at f (file:1:2)`). */
const AT_LINE = /^\s+at\s/;

/**
 * The lines of an error's message after its first (the headline): an assertion's diff, a compiler's
 * diagnostics, an AggregateError's list. At most `limit`, then how many more.
 */
export function messageLines(exception: RemoteObject | undefined, limit = 20): string[] {
  if (exception?.subtype !== 'error' || !exception.description) return [];
  const lines = exception.description.split('\n');
  let end = lines.findIndex((l, i) => i > 0 && AT_LINE.test(l));
  if (end < 0) end = lines.length;
  const rest = lines.slice(1, end);
  while (rest.length && rest[rest.length - 1].trim() === '') rest.pop();
  return rest.length > limit ? [...rest.slice(0, limit), `… ${rest.length - limit} more lines (p of the error's message shows all)`] : rest;
}

/** The first `limit` frame lines of an error's own stack (where it was thrown, when no frame of the program is on the stack). */
export function errorStackLines(exception: RemoteObject | undefined, limit = 5, cwd?: string): string[] {
  if (exception?.subtype !== 'error' || !exception.description) return [];
  // paths under the working directory as the prompt says them elsewhere: relative
  const here = cwd ? new RegExp(`(?:file://)?${cwd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`, 'g') : null;
  const at = exception.description.split('\n').filter((l) => AT_LINE.test(l)).map((l) => `    ${here ? l.trim().replace(here, '') : l.trim()}`);
  return at.length > limit ? [...at.slice(0, limit), `    … ${at.length - limit} more`] : at;
}

/**
 * The first place an error's own stack names in a file of the program (not node's, a library's under
 * node_modules, or edit-continue's): where to show code when no frame of the program is on the stack.
 */
export function firstProgramPlace(exception: RemoteObject | undefined, isOwn: (file: string) => boolean): { file: string; line: number; column: number } | null {
  if (exception?.subtype !== 'error' || !exception.description) return null;
  for (const l of exception.description.split('\n')) {
    if (!AT_LINE.test(l)) continue;
    const m = /\(?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/.exec(l.trim());
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) { try { file = decodeURIComponent(new URL(file).pathname); } catch { continue; } }
    if (file.split('/').includes('node_modules') || !isOwn(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return null;
}

/**
 * Where a frame's code is, as node's stack traces put it: the file, else the script's URL
 * (`node:internal/timers`), else `<anonymous>` (code with no URL: an eval, an inspector evaluate).
 */
export function placeOf(f: Pick<FrameView, 'file' | 'url'>): string {
  return f.file ?? f.url ?? '<anonymous>';
}

/** Is this the preload's last chance, where node is about to end the program (the one frame of edit-continue's with no file we know: session/frames.ts)? */
export function isLastChance(f: FrameView): boolean {
  return f.origin === 'edit-continue' && f.file === null;
}

export function frameLine(f: FrameView, selected = false): string {
  if (f.idle) return `${selected ? '>' : ' '}#${f.index} (the program was idle: edit-continue's no-op stopped it)`;
  // edit-continue's last chance: its name says what it is
  if (isLastChance(f)) return `${selected ? '>' : ' '}#${f.index} ${f.name}`;
  const where = `${placeOf(f)}:${f.line}:${f.column}`;
  return `${selected ? '>' : ' '}#${f.index} ${f.name} (${where})`;
}

/** What a folded run of frames is, by whose code it is (library code is not node's). */
const FOLDED: Record<Exclude<Origin, 'program'>, string> = {
  node: "node's own code",
  library: 'library code (node_modules)',
  'edit-continue': "edit-continue's loader",
};

/** A backtrace with each run of frames that are not the program's folded into one line, saying whose they are. */
export function backtrace(frames: FrameView[], selected: number): string[] {
  const out: string[] = [];
  let run: Exclude<Origin, 'program'>[] = [];
  const flush = () => {
    if (run.length) {
      const kinds = [...new Set(run)].map((k) => FOLDED[k]);
      out.push(`   … ${run.length} frame${run.length > 1 ? 's' : ''} of ${kinds.join(' and ')}`);
    }
    run = [];
  };
  for (const f of frames) {
    // the swap engine's dispatch (the original function calling its new body) is not the user's code
    if (f.dispatch && f.index !== selected) continue;
    if (f.origin !== 'program' && f.index !== selected) { run.push(f.origin); continue; }
    flush();
    out.push(frameLine(f, f.index === selected));
  }
  flush();
  return out;
}

/** The `at …` lines under an exception: the program's own frames. */
export function stackLines(frames: FrameView[], limit = 8): string[] {
  const own = frames.filter((f) => f.origin === 'program' && !f.dispatch);
  const lines = own.slice(0, limit).map((f) => `    at ${f.name} (${f.file}:${f.line}:${f.column})`);
  if (own.length > limit) lines.push(`    … ${own.length - limit} more`);
  return lines;
}

export function localsLine(vars: { name: string; value: RemoteObject }[], width = 200): string {
  if (vars.length === 0) return 'locals: (none)';
  const parts = vars.map((v) => {
    const s = formatValue(v.value);
    return `${v.name} = ${s.length > 80 ? s.slice(0, 79) + '…' : s}`;
  });
  const line = `locals: ${parts.join(', ')}`;
  return line.length > width * 2 ? line.slice(0, width * 2 - 1) + '…' : line;
}

/** Edit distance counting a swap of two neighbours as one edit, for "did you mean". */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
