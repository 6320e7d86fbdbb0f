'use strict';
// Lets a child process run the TypeScript sources directly (`node -r ./test/host/support/register-ts.js
// src/cli/main.ts ...`), compiled file by file with the same SWC settings jest uses. Tests start the CLI
// this way so they exercise the current sources without waiting for a full `tsc` build. Compiled files
// are cached by content hash, so only the first process after a change pays for compiling.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const { transformSync, version } = require('@swc/core');

const cacheDir = path.join(os.tmpdir(), `mcp-audit-swc-${version}`);
fs.mkdirSync(cacheDir, { recursive: true });

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const hash = crypto
    .createHash('sha256')
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = path.join(cacheDir, `${hash}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    code = transformSync(source, {
      filename,
      sourceMaps: 'inline',
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    }).code;
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, cached);
  }
  module._compile(code, filename);
};
