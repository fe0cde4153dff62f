// The frames of a pause as the user wrote the code: files, and positions with the retry boundary's
// text taken out (1-based, as editors and stack traces count).
import * as path from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { PauseSession } from './pause-session';
import { LAST_CHANCE_FRAME, type Pause } from './pause';
import type { FrameFacts } from './frame-rules';
import { originOf, type Origin } from '../util/origin';
import { LoaderMap } from '../loaders/mapped';
import { tsPositionOf } from '../loaders/compiled';
import { tsPositionInSwapped } from './swapped-map';
import { fileOfUrl } from './registry';
import { reportedNameAt, reportedNameInSwapped } from './frame-name';

export interface FrameView {
  index: number;
  name: string;
  /** Absolute path of the file, or null for node's own code and code without a file. */
  path: string | null;
  /** The path as shown (relative to the working directory when inside it). */
  file: string | null;
  line: number;
  column: number;
  /** Whose code it is (../util/origin.ts): all but the program's are folded in stacks. */
  origin: Origin;
  /**
   * No file of the program's: the script's URL as node's stack traces name it (`node:internal/timers`,
   * a vm script's filename). Unset for code with no URL (an eval, an inspector evaluate).
   */
  url?: string;
  /** The no-op edit-continue ran to stop an idle program (registry.ts IDLE_URL). Set only when true. */
  idle?: true;
  /**
   * Swap engine: this frame is the original function passing the call on to its swapped-in body (the
   * frame above). Not a line of the user's: stacks leave it out. Set only when true.
   */
  dispatch?: true;
}

export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export async function describeFrame(session: PauseSession, frame: Protocol.Debugger.CallFrame, index: number, cwd: string): Promise<FrameView> {
  const record = session.record(frame.location.scriptId);
  const line = frame.location.lineNumber;
  const column = frame.location.columnNumber ?? 0;
  let name = frame.functionName || '(anonymous)';
  if (!record && session.isIdleScript(frame.location.scriptId)) return { index, name: '(idle)', path: null, file: null, line: line + 1, column: column + 1, origin: 'node', idle: true };
  // the preload's last chance (scripts parsed before the session listened are not in the registry)
  if (!record && frame.functionName === LAST_CHANCE_FRAME) return { index, name: "edit-continue's last chance, as node ends the program", path: null, file: null, line: line + 1, column: column + 1, origin: 'edit-continue' };
  if (!record) {
    const url = session.otherUrl(frame.location.scriptId);
    // a file's script the session does not keep (edit-continue's preload, announced before it listened)
    const other = url ? fileOfUrl(url) : null;
    if (other) return { index, name, path: other, file: displayPath(other, cwd), line: line + 1, column: column + 1, origin: originOf(other) };
    return { index, name, path: null, file: null, line: line + 1, column: column + 1, origin: 'node', ...(url ? { url } : {}) };
  }
  const src = await session.source(frame.location.scriptId);
  if (!frame.functionName && src) {
    // an anonymous function: the name the save's reports give it (`app.get('/x') callback`); swapped-in
    // code by the saved text it was compiled from, read as its file is
    const reported = record.compiled
      ? reportedNameInSwapped(record, src.map, session.fileIsModule(record.file) ? 'module' : 'script', line, column)
      : reportedNameAt(src.map, record.isModule ? 'module' : 'script', line, column);
    if (reported) {
      name = reported;
      session.nameFrame(frame, name);
    }
  }
  // a loader's output of a .ts file: the .ts line and column, by the loader's source map
  const loaderMap = src ? LoaderMap.of(record.file, record.mapText ?? src.text) : null;
  const js = src ? src.map.original(line, column) : { line, column };
  // compiled output (tsc): the .ts it came from, through its source map
  const fromTs = record.compiledFrom ? tsPositionOf(record.compiledFrom, js) : null;
  const file = fromTs ? record.compiledFrom!.ts : record.file;
  // swapped-in code compiled from a loader's output: through that output's own map
  const swapped = src && record.compiled ? tsPositionInSwapped(record, src.map, { line, column }) : null;
  const pos = fromTs ?? swapped ?? loaderMap?.original({ line, column }) ?? js;
  return { index, name, path: file, file: displayPath(file, cwd), line: pos.line + 1, column: pos.column + 1, origin: originOf(file) };
}

export async function describeFrames(session: PauseSession, pause: Pause, cwd: string): Promise<FrameView[]> {
  const out: FrameView[] = [];
  for (let i = 0; i < pause.callFrames.length; i++) out.push(await describeFrame(session, pause.callFrames[i], i, cwd));
  for (let i = 0; i < out.length; i++) {
    const dispatcher = await session.dispatcherOf(pause, i);
    // (and the runtime's picker between them, when there is one)
    if (dispatcher !== null) for (let j = i + 1; j <= dispatcher; j++) out[j].dispatch = true;
  }
  return out;
}

/** What `restart N` and `retry` need to know of each frame (./frame-rules.ts decides). */
export async function frameFacts(session: PauseSession, pause: Pause, cwd: string): Promise<FrameFacts[]> {
  const out: FrameFacts[] = [];
  for (let i = 0; i < pause.callFrames.length; i++) {
    const frame = pause.callFrames[i];
    const view = await describeFrame(session, frame, i, cwd);
    const record = session.record(frame.location.scriptId);
    let fn = null;
    if (record) {
      const src = await session.source(frame.location.scriptId);
      if (src) fn = src.map.functionAt(src.map.lines.offset(frame.location.lineNumber, frame.location.columnNumber ?? 0));
    }
    out.push({
      index: i,
      name: view.name,
      origin: view.origin,
      file: view.file,
      topLevel: !!record && !fn,
      isModule: record?.isModule ?? false,
      async: fn?.async ?? false,
      canBeRestarted: frame.canBeRestarted,
      ...(view.idle ? { idle: true } : {}),
      ...(fn?.derivedConstructor ? { derivedConstructor: true } : {}),
    });
  }
  return out;
}
