// The mark a transformed text ends with (./boundary.ts), on its own so that the load hooks can ask
// "already done?" without loading acorn.
/** Appended on a line of its own, so that a running text says it carries boundaries. */
export const BOUNDARY_MARK = '\n/*edit-continue:boundaries*/';
