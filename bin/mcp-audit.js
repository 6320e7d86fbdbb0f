#!/usr/bin/env node
'use strict';
// The CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci` via `prepare`).
let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (error) {
  if (
    error &&
    error.code === 'MODULE_NOT_FOUND' &&
    /dist[\\/]src[\\/]cli[\\/]main/.test(error.message)
  ) {
    console.error(
      'error: mcp-audit is not built yet\nrun "npm run build" in the project folder, then try again',
    );
    process.exit(1);
  }
  throw error;
}
cli.main(process.argv.slice(2)).then((code) => process.exit(code));
