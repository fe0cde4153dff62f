// Pure: a few lines of source around a position, with a marker and a caret.
export interface CodeFrameOptions {
  /** Lines shown before and after the marked one. */
  context?: number;
}

export function codeFrame(text: string, line: number, column?: number, opts: CodeFrameOptions = {}): string {
  const lines = text.split(/\r?\n/);
  const context = opts.context ?? 2;
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' ';
    const src = (lines[n - 1] ?? '').replace(/\t/g, '  ');
    out.push(`${marker} ${String(n).padStart(width)} | ${src}`.trimEnd());
    if (n === line && column !== undefined && column > 0) {
      const before = (lines[n - 1] ?? '').slice(0, column - 1).replace(/\t/g, '  ');
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(before.length)}^`);
    }
  }
  return out.join('\n');
}
