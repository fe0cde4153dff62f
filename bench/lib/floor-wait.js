// Preloaded by the floor client: the program waits here, before its first line, until the client has
// attached. (node --inspect-brk would stop in the program's top-level code instead, and V8 then runs
// that whole top-level function unoptimized: a top-level loop becomes about 17 times slower.)
require('node:inspector').waitForDebugger();
