// Node 20 only: the off-thread loader that puts retry boundaries into the user's ES modules
// (Node 22+ uses the in-thread hooks in ./hooks.ts for everything).
import { keepChainBelow, transformBelow } from './hooks';

type NextLoad = (url: string, context?: object) => Promise<{ format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null }>;

export async function load(url: string, context: object, next: NextLoad) {
  const result = await next(url, context);
  if (result.format !== 'module') return result;
  keepChainBelow(url, next, context, result);
  return transformBelow(url, result);
}
