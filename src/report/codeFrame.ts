// Pure: a few lines of source around a position, with a marker and a caret.
export interface CodeFrameOptions {
  /** Lines shown before and after the marked one. */
  context?: number;
}

/** The lines of a text around a 1-based line and column: what a code frame shows, as plain data. */
export interface SourceExcerpt {
  /** 1-based line and column of the position. */
  line: number;
  column: number;
  /** The 1-based line number of `lines[0]`. */
  firstLine: number;
  lines: string[];
}

/** The lines around a 1-based line of a text, `context` on each side. */
export function excerptOf(text: string, line: number, column: number, context = 2): SourceExcerpt {
  const all = text.split(/\r?\n/);
  const firstLine = Math.max(1, line - context);
  const last = Math.min(all.length, line + context);
  return { line, column, firstLine, lines: all.slice(firstLine - 1, last) };
}

export function codeFrame(text: string, line: number, column?: number, opts: CodeFrameOptions = {}): string {
  return frameOf(excerptOf(text, line, column ?? 0, opts.context ?? 2));
}

/** The code frame of an excerpt: its lines numbered, the position's line marked, a caret under its column. */
export function frameOf(excerpt: SourceExcerpt): string {
  const { line, column, firstLine, lines } = excerpt;
  const last = firstLine + lines.length - 1;
  const width = String(last).length;
  const out: string[] = [];
  for (let n = firstLine; n <= last; n++) {
    const marker = n === line ? '>' : ' ';
    const text = lines[n - firstLine] ?? '';
    out.push(`${marker} ${String(n).padStart(width)} | ${text.replace(/\t/g, '  ')}`.trimEnd());
    if (n === line && column > 0) {
      const before = text.slice(0, column - 1).replace(/\t/g, '  ');
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(before.length)}^`);
    }
  }
  return out.join('\n');
}
