// Pure: a function's own text, the one definition. It is the function's source with each function
// nested in it standing as one placeholder: two versions of a function run different code of their
// own exactly when their own texts differ (a change inside a nested function is that function's).
// The planner compares versions with it (patch/plan.ts), and retry and the codeless-end rule use it to
// tell which functions on the stack a save changes (session/boundaries.ts).

/** What a nested function is replaced by. */
export const NESTED_MARK = '\u0192';

/**
 * The own text of `fn` in `text`. `functions`: functions of the same text sorted by start (all of them,
 * or just those nested directly in fn); each outermost one inside fn becomes one NESTED_MARK.
 */
export function ownText<F extends { start: number; end: number }>(text: string, fn: { start: number; end: number }, functions: readonly F[], leftOut?: (g: F) => readonly [number, number] | undefined): string {
  let out = '';
  let at = fn.start;
  for (const g of functions) {
    if (g.start <= fn.start || g.start < at) continue;
    if (g.start >= fn.end) break;
    // (`leftOut`: a function taken as not there, with the text around it it gives: the swap engine's added ones)
    const gone = leftOut?.(g);
    out += gone ? text.slice(at, gone[0]) : text.slice(at, g.start) + NESTED_MARK;
    at = gone ? gone[1] : g.end;
  }
  return out + text.slice(at, fn.end);
}
