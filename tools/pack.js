#!/usr/bin/env node
/**
 * Builds @mlops/gitops and packs it as npm would publish it.
 *
 * Usage: node tools/pack.js [destination-dir]    (default: dist/ at the workspace root)
 * Prints the absolute path of the tarball on its last line.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { copyAssets } = require('./copy-assets');

const ROOT = join(__dirname, '..');
const PACKAGE_DIR = join(ROOT, 'packages/gitops');

function pack(destination = join(ROOT, 'dist')) {
  const dest = resolve(destination);
  mkdirSync(dest, { recursive: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-b', 'packages/gitops/tsconfig.lib.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  copyAssets();
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  return { tarball: join(dest, info.filename), files: info.files.map((f) => f.path) };
}

module.exports = { pack };

if (require.main === module) {
  const { tarball, files } = pack(process.argv[2]);
  console.log(`packed ${files.length} files`);
  console.log(tarball);
}
