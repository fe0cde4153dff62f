// Every script the program loaded, keyed by the file it came from.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Protocol } from 'devtools-protocol';

export interface ScriptRecord {
  scriptId: string;
  url: string;
  file: string;
  isModule: boolean;
  typescript: boolean;
  /** What V8 runs now, once fetched or sent by us. */
  runningText?: string;
}

const TS_EXTENSIONS = new Set(['.ts', '.cts', '.mts']);

/** The file a script URL names, or null for node internals, eval code and the like. */
export function fileOfUrl(url: string): string | null {
  if (!url) return null;
  let file: string;
  if (url.startsWith('file://')) {
    try { file = fileURLToPath(url); } catch { return null; }
  } else if (path.isAbsolute(url)) {
    file = url; // Node 22 reports .ts/.cts scripts by plain path
  } else {
    return null;
  }
  try {
    return fs.realpathSync.native(file);
  } catch {
    return file;
  }
}

export function realFile(file: string): string {
  try { return fs.realpathSync.native(path.resolve(file)); } catch { return path.resolve(file); }
}

export class ScriptRegistry {
  private readonly byFile = new Map<string, ScriptRecord[]>();
  private readonly byId = new Map<string, ScriptRecord>();
  private readonly listeners: ((record: ScriptRecord) => void)[] = [];

  /** Record a parsed script; returns the record when it belongs to a file. */
  add(event: Protocol.Debugger.ScriptParsedEvent): ScriptRecord | null {
    const file = fileOfUrl(event.url);
    if (!file) return null;
    const record: ScriptRecord = {
      scriptId: event.scriptId,
      url: event.url,
      file,
      isModule: event.isModule === true,
      typescript: TS_EXTENSIONS.has(path.extname(file).toLowerCase()),
    };
    const list = this.byFile.get(file);
    if (list) {
      if (list.some((r) => r.scriptId === record.scriptId)) return null;
      list.push(record);
    } else {
      this.byFile.set(file, [record]);
    }
    this.byId.set(record.scriptId, record);
    for (const l of this.listeners) l(record);
    return record;
  }

  onScript(listener: (record: ScriptRecord) => void): void {
    this.listeners.push(listener);
  }

  scriptsOf(file: string): ScriptRecord[] {
    return this.byFile.get(file) ?? [];
  }

  byScriptId(scriptId: string): ScriptRecord | undefined {
    return this.byId.get(scriptId);
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }
}
