#!/usr/bin/env node
'use strict';
// flatcar-architect's command line (made by scripts/bundle.mjs): runs ./cli.cjs.
// - Node with module.enableCompileCache (>= 22.1): Node's own on-disk compile cache, keyed by Node
//   (NODE_COMPILE_CACHE picks its directory, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
// - Otherwise ./cli.cache, V8's code cache made at build time, used only when the key it starts with
//   is exactly this process's (Node version, arch, V8 flags); on any mismatch, or a cache V8 rejects,
//   the bundle compiles as usual. A cache is never handed to a Node it was not made by.
// FLATCAR_ARCHITECT_WRITE_CODE_CACHE=1 (the build's training run) writes ./cli.cache on exit.
// FLATCAR_ARCHITECT_DEBUG_CODE_CACHE=1 says on standard error which cache was used.
const Module = require('node:module');
const { join } = require('node:path');

const bundle = join(__dirname, 'cli.cjs');
const debug = process.env.FLATCAR_ARCHITECT_DEBUG_CODE_CACHE === '1';
const write = process.env.FLATCAR_ARCHITECT_WRITE_CODE_CACHE === '1';

if (typeof Module.enableCompileCache === 'function') {
  if (!write) {
    const r = Module.enableCompileCache();
    if (debug) process.stderr.write(`code cache: node compile cache (${r && r.directory ? 'on' : 'off'})\n`);
  }
  require(bundle);
} else {
  const fs = require('node:fs');
  const cacheFile = join(__dirname, 'cli.cache');
  const nodeOptions = process.env.NODE_OPTIONS || '';
  const key = JSON.stringify(['flatcar-architect-code-cache-1', process.version, process.arch, process.versions.v8, process.execArgv, nodeOptions]) + '\n';
  let cachedData;
  let status = 'missing';
  try {
    const file = fs.readFileSync(cacheFile);
    const newline = file.indexOf(10);
    if (newline > 0 && file.subarray(0, newline + 1).toString('utf8') === key) {
      cachedData = file.subarray(newline + 1);
    } else {
      status = 'mismatch';
    }
  } catch {
    status = 'missing';
  }
  if (cachedData === undefined && !write) {
    if (debug) process.stderr.write(`code cache: ${status}\n`);
    require(bundle);
  } else {
    const { Script } = require('node:vm');
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(bundle, 'utf8')}\n})`, {
      // The training run names the script without the build machine's path (V8 keeps the name in the
      // cache; it does not have to match the name it is used with).
      filename: write ? 'flatcar-architect/dist/bin/cli.cjs' : bundle,
      cachedData,
    });
    if (write) process.on('exit', () => fs.writeFileSync(cacheFile, Buffer.concat([Buffer.from(key), script.createCachedData()])));
    if (debug) process.stderr.write(`code cache: ${cachedData === undefined ? status : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
    const bundleModule = new Module(bundle, module);
    bundleModule.filename = bundle;
    bundleModule.paths = Module._nodeModulePaths(__dirname);
    const bundleRequire = Module.createRequire(bundle);
    script.runInThisContext()(bundleModule.exports, bundleRequire, bundleModule, bundle, __dirname);
  }
}
