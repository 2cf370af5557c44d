#!/usr/bin/env node
'use strict';
// flatcar-architect's command line (made by scripts/bundle.mjs): runs ./cli.cjs.
// 1. ./cli.cache, V8's code cache made at build time by a training run (so it holds every function a
//    production run compiles), when the key it starts with is exactly this process's (Node version,
//    arch, V8 version, execArgv, NODE_OPTIONS): the fastest start (`npm run bench`).
// 2. Otherwise, on Node with module.enableCompileCache (>= 22.1): Node's own compile cache, keyed by
//    Node (NODE_COMPILE_CACHE picks its directory, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
// 3. Otherwise plain require(). A cache is never handed to a Node it was not made by; one V8 rejects
//    anyway is ignored and the bundle compiles as usual.
// FLATCAR_ARCHITECT_WRITE_CODE_CACHE=1 (the build's training run) writes ./cli.cache on exit.
// FLATCAR_ARCHITECT_DEBUG_CODE_CACHE=1 says on standard error which cache was used.
// FLATCAR_ARCHITECT_CODE_CACHE=node|v8|off picks one (for `npm run bench`'s comparison of them).
const Module = require('node:module');
const fs = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, 'cli.cjs');
const cacheFile = join(__dirname, 'cli.cache');
const depsCacheFile = join(__dirname, 'deps.cache');
const debug = process.env.FLATCAR_ARCHITECT_DEBUG_CODE_CACHE === '1';
const write = process.env.FLATCAR_ARCHITECT_WRITE_CODE_CACHE === '1';
const choice = process.env.FLATCAR_ARCHITECT_CODE_CACHE;
const say = (what) => debug && process.stderr.write(`code cache: ${what}\n`);
const key = JSON.stringify(['flatcar-architect-code-cache-1', process.version, process.arch, process.versions.v8, process.execArgv, process.env.NODE_OPTIONS || '']) + '\n';

/** cli.cache's V8 data when its key is this process's; otherwise why not. */
function ownCache() {
  let file;
  try {
    file = fs.readFileSync(cacheFile);
  } catch {
    return { why: 'missing' };
  }
  const newline = file.indexOf(10);
  if (newline > 0 && file.subarray(0, newline + 1).toString('utf8') === key) return { data: file.subarray(newline + 1) };
  return { why: 'mismatch' };
}

/**
 * ./deps.cache: V8's code cache for the dependencies the bundle requires from node_modules (they are
 * installed, not bundled), made by the same training run, with the same key line, then a JSON line
 * [[hash, length], ...] and the data of each in that order. A file's data is found by the SHA-256 of
 * its source (wherever npm put it; another version of a dependency has another hash and compiles as
 * usual). Without it, compiling the dependencies was a third of a small run's time on Node 20.
 */
function depsCache() {
  try {
    const file = fs.readFileSync(depsCacheFile);
    const first = file.indexOf(10);
    if (first <= 0 || file.subarray(0, first + 1).toString('utf8') !== key) return null;
    const second = file.indexOf(10, first + 1);
    const byHash = new Map();
    let at = second + 1;
    for (const [hash, length] of JSON.parse(file.subarray(first + 1, second).toString('utf8'))) {
      byHash.set(hash, file.subarray(at, at + length));
      at += length;
    }
    return byHash;
  } catch {
    return null;
  }
}

/**
 * CommonJS files under node_modules compile with their data from deps.cache (the training run: with
 * none, and their data is written on exit). Anything else, a file without data, with a hashbang or
 * with import() (a vm script has no dynamic-import callback), compiles as Node does.
 */
function cacheDependencies(byHash) {
  const { Script } = require('node:vm');
  const { createHash } = require('node:crypto');
  const { dirname, sep } = require('node:path');
  const marker = `${sep}node_modules${sep}`;
  const made = [];
  const counts = { used: 0, rejected: 0, none: 0 };
  if (debug && !write) process.on('exit', () => say(`dependencies: ${counts.used} used, ${counts.rejected} rejected, ${counts.none} without data`));
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename, ...rest) {
    const format = rest[0];
    if ((format !== undefined && format !== 'commonjs') || !filename.includes(marker) || content.startsWith('#!') || content.includes('import(')) {
      return compile.call(this, content, filename, ...rest);
    }
    const hash = createHash('sha256').update(content).digest('base64');
    const cachedData = byHash?.get(hash);
    if (!write && !cachedData) {
      counts.none++;
      return compile.call(this, content, filename, ...rest);
    }
    const script = new Script(Module.wrap(content), {
      filename: write
        ? `flatcar-architect/${filename
            .slice(filename.lastIndexOf(marker) + 1)
            .split(sep)
            .join('/')}`
        : filename,
      cachedData,
    });
    if (write) made.push([hash, script]);
    else counts[script.cachedDataRejected ? 'rejected' : 'used']++;
    const localRequire = (id) => this.require(id);
    localRequire.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    localRequire.resolve.paths = (request) => Module._resolveLookupPaths(request, this);
    localRequire.main = process.mainModule;
    localRequire.extensions = Module._extensions;
    localRequire.cache = Module._cache;
    return script.runInThisContext().call(this.exports, this.exports, localRequire, this, filename, dirname(filename));
  };
  if (write) {
    process.on('exit', () => {
      const datas = made.map(([hash, script]) => [hash, script.createCachedData()]);
      const index = JSON.stringify(datas.map(([hash, data]) => [hash, data.length]));
      fs.writeFileSync(depsCacheFile, Buffer.concat([Buffer.from(key), Buffer.from(`${index}\n`), ...datas.map(([, data]) => data)]));
    });
  }
}

/** Runs the bundle compiled with V8's cached data (or none, to make it: the training run). */
function runWithV8Cache(cachedData) {
  cacheDependencies(write ? null : depsCache());
  const { Script } = require('node:vm');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(bundle, 'utf8')}\n})`, {
    // The training run names the script without the build machine's path (V8 keeps the name in the
    // cache; it does not have to match the name it is used with).
    filename: write ? 'flatcar-architect/dist/bin/cli.cjs' : bundle,
    cachedData,
  });
  if (write) process.on('exit', () => fs.writeFileSync(cacheFile, Buffer.concat([Buffer.from(key), script.createCachedData()])));
  else say(script.cachedDataRejected ? 'rejected' : 'used');
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  bundleModule.paths = Module._nodeModulePaths(__dirname);
  script.runInThisContext()(bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, __dirname);
}

const own = choice === 'off' || choice === 'node' || write ? { why: choice || 'training' } : ownCache();
if (write) {
  runWithV8Cache(undefined);
} else if (own.data) {
  runWithV8Cache(own.data);
} else if (choice !== 'off' && choice !== 'v8' && typeof Module.enableCompileCache === 'function') {
  const r = Module.enableCompileCache();
  say(`node compile cache (${r?.directory ? 'on' : 'off'}; cli.cache: ${own.why})`);
  require(bundle);
} else {
  say(own.why);
  require(bundle);
}
