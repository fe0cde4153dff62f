// Pure: where lines start in a text, for V8's 0-based line and column and for the 1-based lines a
// user reads. The one line index: the planner, the boundary map and the catch finder all use it.

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  /** The offset of a 0-based line and column (V8's). */
  offset(line: number, column: number): number {
    const start = this.starts[Math.min(Math.max(line, 0), this.starts.length - 1)];
    return start + column;
  }
  /** The 0-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo, column: offset - this.starts[lo] };
  }
  /** The 1-based line of an offset, as a user reads it. */
  lineOf(offset: number): number {
    return this.position(offset).line + 1;
  }
  get lineCount(): number {
    return this.starts.length;
  }
}
