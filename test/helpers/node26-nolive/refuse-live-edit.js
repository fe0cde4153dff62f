// Preloaded by ./node (the Node 27 stand-in): turning LiveEdit on at run time does nothing, as on a
// V8 whose Debugger.setScriptSource always fails. Other flags pass through unchanged.
'use strict';
const v8 = require('node:v8');
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = function setFlagsFromString(flags) {
  const rest = String(flags).split(/\s+/).filter((f) => f && !/^--inspector[-_]live[-_]edit(=|$)/.test(f));
  if (rest.length) return setFlags.call(this, rest.join(' '));
  return undefined;
};
