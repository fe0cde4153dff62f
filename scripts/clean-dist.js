#!/usr/bin/env node
// npm pack / npm publish run `prepack` (this) and then `prepare` (the build): the tarball gets a
// dist/ built from today's src/, with nothing left over from a source file that is gone.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

fs.rmSync(path.join(__dirname, '..', 'dist'), { recursive: true, force: true });
