// The off-thread loader registered after a program's own loader (tsx on Node 20, a register() of
// ts-node/esm): it runs before that loader, so it sees the loader's output of a .ts module and puts
// the retry boundaries into it (./hooks.ts transformAbove). See ./esm-hooks.ts for the one below.
import { LOADER_URL, markLoaderHooksAbove, transformAbove } from './hooks';
import { keepLoaderChain } from './mark';

// this thread's copy of ./hooks.ts: its hooks below the loader leave TypeScript to these
markLoaderHooksAbove();

type NextLoad = (url: string, context?: object) => Promise<{ format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null }>;

export async function load(url: string, context: object, next: NextLoad) {
  const result = await next(url, context);
  if (result.format !== 'module') return result;
  // the loader's chain for this file: ./compile-hooks.ts compiles saves through it, with no import
  // (which a program stopped before its first compile would never finish)
  if (LOADER_URL.test(url)) keepLoaderChain(url, next, context);
  return transformAbove(url, result);
}
