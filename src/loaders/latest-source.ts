// The .ts text of each file as the engines last took a save of it (a loader's output patched, or only
// its map changed): maps made from an older text are read through a line shift to it (./mapped.ts).
// Its own small module: the script registry forgets a file's entry when a script of it loads, and
// loads nothing else for that.
const latest = new Map<string, string>();

export function setLatestSource(file: string, text: string): void {
  latest.set(file, text);
}

/** The file's .ts text as the engines last took a save of it (undefined: none taken yet). */
export function latestSource(file: string): string | undefined {
  return latest.get(file);
}

/**
 * A script of the file loaded: it was compiled from the file as it is now, so its map is the latest
 * (and a text followed in an earlier session of this process, an API user's, is not).
 */
export function forgetSource(file: string): void {
  latest.delete(file);
}
