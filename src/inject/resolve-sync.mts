// import.meta.resolve, which asks the module hooks synchronously (on Node 20 their thread answers
// while the program's thread waits): ./compile-hooks.ts gets a compiled save through it.
export function resolveSync(specifier: string): string {
  return import.meta.resolve(specifier);
}
