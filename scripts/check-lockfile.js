#!/usr/bin/env node
// Is package-lock.json complete enough for `npm ci` on any platform?
//
// npm writes every platform's optional package into the lockfile (each with its os/cpu/libc), so
// that `npm ci` anywhere finds the one it needs. But when the registry fails to answer for one of
// them while the lockfile is written (npm 11's arborist treats a failed or incomplete manifest of an
// optional dependency as "cannot be installed here" and drops it silently), the lockfile comes out
// without it, and `npm ci` on a fresh clone then refuses the lockfile as out of sync
// ("Missing: @unrs/resolver-binding-darwin-arm64@1.13.0 from lock file"). This check names what is
// missing, so a bad lockfile is caught where it was written rather than on the next fresh clone.
//
// Usage: node scripts/check-lockfile.js [package-lock.json]   (exit 1 and a list when incomplete)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The lockfile key `name` resolves to from the package at `from` (node's lookup: nearest node_modules up). */
function resolveFrom(packages, from, name) {
  let dir = from;
  for (;;) {
    const key = (dir ? `${dir}/` : '') + `node_modules/${name}`;
    if (packages[key]) return key;
    if (!dir) return null;
    const i = dir.lastIndexOf('node_modules/');
    dir = i <= 0 ? '' : dir.slice(0, i - 1);
  }
}

/** Every dependency (optional ones included) that a locked package declares but the lockfile lacks. */
function missingFromLock(lock) {
  const packages = lock.packages ?? {};
  const missing = [];
  for (const [where, pkg] of Object.entries(packages)) {
    if (pkg.link) continue;
    const kinds = where === '' ? ['dependencies', 'devDependencies', 'optionalDependencies'] : ['dependencies', 'optionalDependencies'];
    for (const kind of kinds) {
      for (const name of Object.keys(pkg[kind] ?? {})) {
        if (!resolveFrom(packages, where, name)) missing.push({ name, spec: pkg[kind][name], requiredBy: where || '(root)', optional: kind === 'optionalDependencies' });
      }
    }
  }
  return missing;
}

module.exports = { missingFromLock };

if (require.main === module) {
  const file = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'package-lock.json'));
  const missing = missingFromLock(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (missing.length === 0) {
    console.log(`${path.basename(file)}: every declared dependency is locked`);
  } else {
    for (const m of missing) console.error(`missing from ${path.basename(file)}: ${m.name}@${m.spec} (${m.optional ? 'optional, ' : ''}required by ${m.requiredBy})`);
    console.error('Write the lockfile again with the registry reachable: rm -rf node_modules package-lock.json && npm install, then check again.');
    process.exit(1);
  }
}
