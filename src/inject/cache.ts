// Runs in the user's program (and in Node 20's loader thread): a disk cache of transformed module
// texts, so that the second start of a program skips acorn (and type stripping) for every file that
// has not changed. Transforming 2,000 small modules costs about half a second; reading them back
// from one file costs a few milliseconds.
//
// Where: $EDIT_CONTINUE_CACHE_DIR, else the user's cache folder ($XDG_CACHE_HOME or ~/.cache on Linux,
// ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows) under edit-continue/, else
// <tmp>/edit-continue-<uid> (only when that folder is ours and not writable by others); in a
// sub-folder named after the format (FORMAT below). Off: EDIT_CONTINUE_CACHE=0 (or off, false, no).
//
// One pack file per program (its main script, node's version, main thread or not), with one entry per
// transformed module text (per file and transform: the swap engine's text has its own, entryName):
// 2,000 small files would cost more to create than the transform on a busy disk. A miss appends its
// entry to the pack at once, in one write (so a program that stops at an exception in its first
// lines, or is killed right after it loaded, has still filled the cache); the first read of a start
// reads the whole pack. An entry's key is the sha-256 of the transform's identity (our transform
// code, acorn's version), node's full version, the kind (script or module, TypeScript or not) and
// the module's text (as UTF-16). The same key always gives the same output, so an entry is used only
// when its key is the one computed now, and only when its body still has the sha-256 it was written
// with: anything else (a changed file, another version of edit-continue, acorn or node, a damaged or
// cut pack) is a miss, and the miss appends a good entry. When most of a pack is entries that newer
// ones replaced, it is rewritten with the newest entry of each file and transform that still exists
// (to a temporary file renamed into place, so a reader sees the old pack or the new one). The
// controller removes packs unused for 30 days and keeps the folder under a size limit
// (src/launch/cache-clean.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { isMainThread, threadId } from 'node:worker_threads';
import { trustedFolder, type CacheRoot } from './cache-roots';

export { CACHE_DIR_ENV, CACHE_ENV, CODE_CACHE_FOLDER, cacheDisabled, cacheRoots, trustedFolder, type CacheRoot } from './cache-roots';

/** The pack format, and the sub-folder it lives in. */
export const FORMAT = 'texts-3';
const MAGIC = `edit-continue-cache ${FORMAT}`;
const QUIET_MS = 1000;

/** sha-256 of a string as UTF-8 (one-shot where node has it: 20.12+). Only well-formed strings come here. */
const sha256: (text: string) => string = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** A string UTF-8 cannot carry: such a text bypasses the cache. */
const LONE_SURROGATE = /\p{Surrogate}/u;
const LONE_SURROGATE_G = /\p{Surrogate}/gu;

/** What a cached transform gives: the new text, or null for "run the text as it is". */
export type Transformed = string | null;

interface Entry {
  /** The module's file, and the transform variant it was made by ('' for the boundaries alone; `swap`). */
  file: string;
  variant: string;
  key: string;
  what: 'same' | 'text';
  hash: string;
  body: string;
}

/**
 * An entry's place in a pack: its file, and its variant after a space. The transform variant (what
 * follows `+` in the kind, `script+swap`) has an entry of its own per file: a program started under
 * one engine and then the other (the bench does, and so does a user who tries both) keeps both texts
 * instead of each start replacing the other's.
 */
export function entryName(file: string, variant: string): string {
  return variant ? `${file}\0${variant}` : file;
}

function variantOf(kind: string): string {
  const plus = kind.indexOf('+');
  return plus < 0 ? '' : kind.slice(plus + 1);
}

export interface Pack {
  /** The newest entry of each file and variant (see entryName). */
  entries: Map<string, Entry>;
  /** Characters of the pack, and of its newest entries: a pack mostly replaced is worth rewriting. */
  size: number;
  live: number;
}

const HEADER = /^E ([0-9a-f]{64}) (same|text) ([0-9a-f]{64}) (\d+) (".*")(?: ([a-z]+))?$/;

/** Parse a pack. A damaged part is skipped up to the next line that starts an entry. */
export function parsePack(text: string): Pack {
  const entries = new Map<string, Entry & { chars: number }>();
  let size = 0;
  let at = text.startsWith(MAGIC + '\n') ? MAGIC.length + 1 : text.length;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) break;
    const m = HEADER.exec(text.slice(at, nl));
    let file: unknown = null;
    if (m) { try { file = JSON.parse(m[5]); } catch { /* damaged */ } }
    const end = m ? nl + 1 + Number(m[4]) : -1;
    if (!m || typeof file !== 'string' || text[end] !== '\n') {
      const next = text.indexOf('\nE ', at);
      if (next < 0) break;
      at = next + 1;
      continue;
    }
    const chars = end + 1 - at;
    size += chars;
    const variant = m[6] ?? '';
    entries.set(entryName(file, variant), { file, variant, key: m[1], what: m[2] as Entry['what'], hash: m[3], body: text.slice(nl + 1, end), chars });
    at = end + 1;
  }
  let live = 0;
  for (const e of entries.values()) live += e.chars;
  return { entries, size, live };
}

export function formatEntry(e: Entry): string {
  return `E ${e.key} ${e.what} ${e.hash} ${e.body.length} ${JSON.stringify(e.file)}${e.variant ? ' ' + e.variant : ''}\n${e.body}\n`;
}

/** The pack of this program in this thread kind: the same program started again finds it. */
export function packName(main: string | undefined, version = process.version, mainThread = isMainThread): string {
  return sha256(`${main ?? ''}\0${version}\0${mainThread ? 'main' : 'thread'}`.replace(LONE_SURROGATE_G, '?')).slice(0, 40) + '.pack';
}

/** Rewrite a pack when it is over this size and more than half of it is replaced entries. */
const COMPACT_FROM = 256 * 1024;

export class TextCache {
  private file: string | null | undefined; // undefined: not chosen yet; null: no usable folder
  private entries: Map<string, Entry> | null = null;
  private fd: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private compact = false;
  private touched = false;

  /** `identity` names the transform: any change to it must change the string. */
  constructor(private readonly roots: CacheRoot[], private readonly identity: string, private readonly pack = packName(process.argv[1])) {}

  key(text: string, kind: string, typescript: boolean): string {
    return sha256(`${FORMAT}\0${this.identity}\0${process.version}\0${kind}\0${typescript ? 'ts' : 'js'}\0${text}`);
  }

  /** The pack file, or null when no folder is usable. */
  packFile(): string | null {
    if (this.file !== undefined) return this.file;
    this.file = null;
    for (const root of this.roots) {
      const dir = path.join(root.dir, FORMAT);
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!trustedFolder(root.dir, root.mustOwn) || !trustedFolder(dir, root.mustOwn)) continue;
        fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK);
        this.file = path.join(dir, this.pack);
        break;
      } catch { /* next */ }
    }
    return this.file;
  }

  private read(): Pack {
    const file = this.packFile();
    let text = '';
    // no pack yet is no exception: under the debugger each one is a stop (issue 17)
    if (file && fs.existsSync(file)) { try { text = fs.readFileSync(file, 'utf8'); } catch { /* unreadable: as none */ } }
    return parsePack(text);
  }

  private load(): Map<string, Entry> {
    if (this.entries) return this.entries;
    const pack = this.read();
    this.entries = pack.entries;
    if (pack.size > COMPACT_FROM && pack.live * 2 < pack.size) this.compact = true;
    if (pack.entries.size && !this.touched && this.file) {
      // a pack that is only read keeps a recent time, so that cleaning does not take it for unused
      this.touched = true;
      const now = new Date();
      try { fs.utimesSync(this.file, now, now); } catch { /* only a hint for cleaning */ }
    }
    return this.entries;
  }

  /** Read the pack now (while the program waits for the controller, say); returns its number of entries. */
  warm(): number {
    return this.load().size;
  }

  /** The entry of `file` (and variant) when it was made from this key: a string or null (see Transformed), else undefined. */
  get(file: string, key: string, variant = ''): Transformed | undefined {
    const e = this.load().get(entryName(file, variant));
    this.soon();
    if (!e || e.key !== key || sha256(e.body) !== e.hash) return undefined;
    if (e.what === 'same') return e.body === '' ? null : undefined;
    return e.body;
  }

  /**
   * Append an entry to the pack, now and in one write: a program that stops at an exception in its
   * first lines, or is killed right after it loaded, has still filled the cache (about 10 µs a
   * module; batching them would lose what a pause or a kill cuts off). A reader sees whole entries,
   * and skips a cut one (see parsePack).
   */
  put(file: string, key: string, value: Transformed, variant = ''): void {
    const body = value ?? '';
    if (LONE_SURROGATE.test(body) || LONE_SURROGATE.test(file)) return; // UTF-8 on disk could not give the same string back
    const pack = this.packFile();
    if (!pack) return;
    const entry: Entry = { file, variant, key, what: value === null ? 'same' : 'text', hash: sha256(body), body };
    this.load().set(entryName(file, variant), entry);
    try {
      if (this.fd === null) {
        this.fd = fs.openSync(pack, 'a', 0o600);
        if (fs.fstatSync(this.fd).size === 0) fs.writeSync(this.fd, MAGIC + '\n');
      }
      fs.writeSync(this.fd, formatEntry(entry));
    } catch {
      this.file = null; // a full disk, a read-only folder: no cache for the rest of this run
    }
    this.soon();
  }

  /** Once loading has been quiet for a second: rewrite the pack if it needs it, and let go of its text. */
  private soon(): void {
    this.busy = true; // cheaper than moving the timer on every module
    if (this.timer) return;
    const tick = () => {
      if (this.busy) {
        this.busy = false;
        this.timer = setTimeout(tick, QUIET_MS);
        this.timer.unref();
        return;
      }
      this.timer = null;
      if (this.compact) this.rewrite();
      this.entries = null;
      if (this.fd !== null) { try { fs.closeSync(this.fd); } catch { /* closed */ } this.fd = null; }
    };
    this.busy = false;
    this.timer = setTimeout(tick, QUIET_MS);
    this.timer.unref();
  }

  /** Rewrite the pack with the newest entry of each file (and variant) that still exists. */
  rewrite(): void {
    this.compact = false;
    const file = this.packFile();
    if (!file) return;
    const parts = [MAGIC + '\n'];
    for (const e of this.read().entries.values()) if (fs.existsSync(e.file)) parts.push(formatEntry(e));
    const tmp = `${file}.${process.pid}.${threadId}.tmp`;
    try {
      fs.writeFileSync(tmp, parts.join(''), { flag: 'w', mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      try { fs.unlinkSync(tmp); } catch { /* never written */ }
    }
  }

  /** The cached result of `transform(text)` for `file`, computing and storing it on a miss. */
  through(file: string, text: string, kind: string, typescript: boolean, transform: () => Transformed): Transformed {
    if (LONE_SURROGATE.test(text)) return transform();
    const key = this.key(text, kind, typescript);
    const variant = variantOf(kind);
    const hit = this.get(file, key, variant);
    if (hit !== undefined) return hit;
    const value = transform();
    this.put(file, key, value, variant);
    return value;
  }
}
