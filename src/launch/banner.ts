// Pure: remove the inspector's own lines from the program's stderr and find the websocket URL.
// Everything else passes through as it came, chunk by chunk; only a line that could still become a
// banner line is held back until its end arrives.

const BANNERS: RegExp[] = [
  /^Debugger listening on (ws:\/\/\S+)\r?\n/,
  /^For help, see: https:\/\/nodejs\.org\/\S*\r?\n/,
  /^Debugger attached\.\r?\n/,
  /^Waiting for the debugger to disconnect\.\.\.\r?\n/,
  /^Debugger ending on ws:\/\/\S+\r?\n/,
];

const PREFIXES = ['Debugger listening on ', 'For help, see: ', 'Debugger attached.', 'Waiting for the debugger to disconnect...', 'Debugger ending on '];

export interface BannerFilter {
  /** Feed a chunk; returns the text to pass on (possibly empty). */
  push(chunk: string): string;
  /** End of stream: returns whatever is still held. */
  flush(): string;
}

export function createBannerFilter(onUrl: (url: string) => void): BannerFilter {
  let held = '';
  let atLineStart = true;
  const couldBeBanner = (s: string) => PREFIXES.some((p) => p.startsWith(s) || s.startsWith(p));
  return {
    push(chunk: string): string {
      let text = held + chunk;
      held = '';
      let out = '';
      while (text.length) {
        if (!atLineStart) {
          const nl = text.indexOf('\n');
          if (nl < 0) { out += text; return out; }
          out += text.slice(0, nl + 1);
          text = text.slice(nl + 1);
          atLineStart = true;
          continue;
        }
        const nl = text.indexOf('\n');
        if (nl < 0) {
          if (couldBeBanner(text)) { held = text; return out; }
          out += text;
          atLineStart = false;
          return out;
        }
        const line = text.slice(0, nl + 1);
        const match = BANNERS.map((re) => re.exec(line)).find((m) => m);
        if (match) {
          if (match[1] && /^Debugger listening/.test(line)) onUrl(match[1]);
        } else {
          out += line;
        }
        text = text.slice(nl + 1);
      }
      return out;
    },
    flush(): string {
      const rest = held;
      held = '';
      return rest;
    },
  };
}
