// The swap engine's id of a module file: the same in the program (the load hooks name a module's slots
// and scope factory with it) and in the controller (which compiles for them). Its own module, so that
// the hooks reach it without loading acorn (./boundary.ts).
import * as crypto from 'node:crypto';

/** sha-1 of a string as UTF-8, hex: one call where node has it (20.12+), a Hash object before. */
const sha1: (text: string) => string = typeof (crypto as { hash?: unknown }).hash === 'function'
  ? (text) => crypto.hash('sha1', text, 'hex')
  : (text) => crypto.createHash('sha1').update(text).digest('hex');

/** A short identifier-safe id for a module file. */
export function swapModuleId(file: string): string {
  return 'm' + sha1(file).slice(0, 10);
}
