// Shared by regexp-in-interrupt.js and regexp-at-pause.js: a program that matches backtracking
// regular expressions without end, and the expressions the drivers evaluate in it.
'use strict';

/**
 * The program's source. `hot`: it matches in a function it calls again and again, which V8 optimizes
 * (and may inline `re.test` in, so that no builtin frame stands below an interrupt or a pause).
 */
function program(hot) {
  const loop = hot
    ? 'function scan() { for (const s of R) for (const re of res) if (re.test(s)) hits++; }\nfor (;;) scan();'
    : 'for (;;) for (const s of R) for (const re of res) if (re.test(s)) hits++;';
  return `globalThis.R = [];
for (let i = 0; i < 50; i++) R.push('/tmp/app/src/m' + i + '.ts' + 'a'.repeat(22));
const res = [/^(?:\\/tmp\\/app\\/(?:[^/]*\\/)*[^/]*\\.tsx?)$/, /(a|aa)*b/, /(?:x+x+)+y/];
let hits = 0;
${loop}
`;
}

/** Runs backtracking regular expressions of its own, and allocates. */
const REGEXP = '(() => { let h = 0; for (const s of R) if (/(b|bb)*c/.test(s.replace(/a/g, "b"))) h++; const a = []; for (let i = 0; i < 20000; i++) a.push({ i }); return h; })()';
/** Only allocates. */
const ALLOC = '(() => { const a = []; for (let i = 0; i < 20000; i++) a.push({ i, s: "x" + i }); return a.length; })()';

module.exports = { program, REGEXP, ALLOC };
