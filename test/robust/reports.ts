// The save reports edit-continue writes on stderr, as the edit fuzz reads them (pure).
//
// A report is several lines, each its own write (the head, then "not applied:" and one line per
// reason), followed by its --json event line: a reader of the pipe can see the head before the rest.
// The fuzz once took a 'patched' head whose "EC204 cap not patched" line had not arrived yet for the
// whole report, and counted a false 'patched' that edit-continue never said. So a report counts only
// once it is complete: its JSON event (written after its text lines) has arrived.

export type Status = 'patched' | 'not patched' | 'waiting' | 'unchanged';

export interface Report {
  status: Status;
  head: string;
  /** The report's text lines (JSON event lines left out). */
  body: string;
  codes: string[];
  afterWaiting: boolean;
  /** All of it has arrived: its JSON event line came (a report with no event, 'unchanged', is one line). */
  complete: boolean;
}

/** The JSON event each text report is followed by (none for 'unchanged'). */
const EVENT_OF: Record<Status, string | null> = { patched: 'patched', 'not patched': 'not-patched', waiting: 'pending', unchanged: null };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The reports for `file` (as the CLI names it, e.g. `app.ts`) in a stretch of stderr, in order. */
export function reportsIn(text: string, file: string): Report[] {
  const esc = escape(file);
  const re = new RegExp(`\\[ec\\] (patched|not patched|waiting|unchanged) ${esc}(?=[: ]|$)[^\\n]*`, 'gm');
  const heads: { at: number; status: Status; head: string }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) heads.push({ at: m.index, status: m[1] as Status, head: m[0] });
  return heads.map((h, i) => {
    const region = text.slice(h.at, i + 1 < heads.length ? heads[i + 1].at : text.length);
    const event = EVENT_OF[h.status];
    const complete = event === null
      ? region.includes('\n')
      : new RegExp(`\\{"v":1,"type":"${event}",[^\\n]*"file":"[^"\\n]*${esc}"[^\\n]*\\}\\n`).test(region);
    const body = region.split('\n').filter((l) => !l.includes('{"v":1,')).join('\n');
    return { status: h.status, head: h.head, body, codes: [...new Set(body.match(/EC\d{3}/g) ?? [])], afterWaiting: /\(was waiting\)/.test(h.head), complete };
  });
}

/**
 * What a complete 'patched' report says of the functions it names: which were not applied (`cap not
 * patched: …`; the swap engine may name a closure inside it: `makeNest.(anonymous:18) not patched: …`), and which keep closures
 * made before the save on their old code (EC206). Names are the outermost function's.
 */
export function refusalsOf(rep: Report): { refused: Set<string>; stale: Set<string> } {
  const root = (name: string) => name.split('.')[0];
  return {
    refused: new Set([...rep.body.matchAll(/(\S+) not patched:/g)].map((m) => root(m[1]))),
    stale: new Set([...rep.body.matchAll(/closures that (\S+) made before this save keep their old/g)].map((m) => root(m[1]))),
  };
}
