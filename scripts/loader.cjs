#!/usr/bin/env node
'use strict';
// flatcar-architect's command line (made by scripts/bundle.mjs): runs ./cli.cjs compiled with V8's
// code cache ./@CACHE_NAME@, which belongs to that exact bundle. V8 ignores a cache it cannot use
// (another Node version or V8 flags) and compiles the source as usual.
// FLATCAR_ARCHITECT_WRITE_CODE_CACHE=1 (the build's training run) writes the cache on exit.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script, constants } = require('node:vm');

const bundle = join(__dirname, 'cli.cjs');
const cacheFile = join(__dirname, '@CACHE_NAME@');
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, {
  filename: bundle,
  cachedData,
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (process.env.FLATCAR_ARCHITECT_WRITE_CODE_CACHE === '1') {
  process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
}
if (process.env.FLATCAR_ARCHITECT_DEBUG_CODE_CACHE === '1') {
  process.stderr.write(`code cache: ${cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
}
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, require, bundleModule, bundle, __dirname);
