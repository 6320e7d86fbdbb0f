#!/usr/bin/env node
'use strict';
// The CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci` via `prepare`).
require('../dist/src/cli/main.js');
