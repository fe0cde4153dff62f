// Writing the programs: a scratch directory, files dated in the past (as a project's files are when
// a user starts it), and the editor-like save (written in place).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function scratch(name, { type } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ec-bench-${name}-`));
  if (type) writeOld(path.join(dir, 'package.json'), JSON.stringify({ type }) + '\n');
  return dir;
}

/** Write a file dated an hour ago. */
function writeOld(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const then = new Date(Date.now() - 3600 * 1000);
  fs.utimesSync(file, then, then);
}

/** A save as an editor that writes in place does it. */
function save(file, text) {
  fs.writeFileSync(file, text);
}

function remove(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { scratch, writeOld, save, remove };
