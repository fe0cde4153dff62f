// Pure: the name a function value shows as (util.inspect's `[Function: name]`).
import type { Protocol } from 'devtools-protocol';

/**
 * A function value as the prompt shows it: V8's RemoteObject, with the function's own `name` where
 * its source text (V8's description) does not say it: an arrow or a method (`const add = (a) => …`).
 */
export type FunctionValue = Protocol.Runtime.RemoteObject & { functionName?: string };

/** The name a function's source text gives it (`function f`, `class C`), or '' (an arrow, a method). */
export function describedName(description: string | undefined): string {
  if (!description) return '';
  const m = /^(?:async\s+)?(?:function\s*\*?\s*([\w$]*)|class\s+([\w$]+))/.exec(description);
  const name = m ? (m[1] || m[2] || '') : '';
  return name === 'extends' ? '' : name;
}
