// The mark a transformed text ends with (./boundary.ts), on its own so that the load hooks can ask
// "already done?" without loading acorn.
/** Appended on a line of its own, so that a running text says it carries boundaries. */
export const BOUNDARY_MARK = '\n/*edit-continue:boundaries*/';
/** The mark of a text with the swap engine's indirection as well (./boundary.ts, docs/swap.md). */
export const SWAP_MARK = '\n/*edit-continue:swap*/';
/**
 * The global function a swap text's prologue calls to define its slots and plant its eval
 * (./swap-runtime.ts defines it as the hooks install; without it the prologue does nothing).
 */
export const SWAP_PROLOGUE_HELPER = '__ec$s';
/**
 * The name of the runtime's picker (./swap-runtime.ts superHomes), the frame between a swapped-in
 * method with `super` and its dispatch: the debugger side knows that frame by it.
 */
export const SWAP_PICKER_NAME = '__ec$pick';
