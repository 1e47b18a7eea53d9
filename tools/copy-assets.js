#!/usr/bin/env node
/**
 * Copies what `tsc` does not emit into the plugin's `dist/`:
 *  - every non-TypeScript file under `packages/gitops/src` (generator `schema.json`, EJS `files/`
 *    templates), at the same relative path, so `generators.json` can point into `dist/`;
 *  - the component catalog (`generators/*.yaml` + `blueprint.schema.json`) into `dist/catalog/`,
 *    so an adopting workspace without its own catalog still has every blueprint.
 *
 * Usage: node tools/copy-assets.js   (run after `tsc -b packages/gitops/tsconfig.lib.json`)
 */
'use strict';
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'packages/gitops/src');
const DIST = join(ROOT, 'packages/gitops/dist');
const CATALOG_SRC = join(ROOT, 'generators');
const CATALOG_DIST = join(DIST, 'catalog');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Writes only what differs, so a rebuild never rewrites a file another process may be reading. */
function syncFile(from, to) {
  const content = readFileSync(from);
  if (existsSync(to) && readFileSync(to).equals(content)) return;
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, content);
}

/** Removes files of `dir` that are not in `keep` (absolute paths). */
function removeStale(dir, keep) {
  if (!existsSync(dir)) return;
  for (const file of walk(dir)) if (!keep.has(file)) rmSync(file);
}

function isAsset(file) {
  return !/\.ts$/.test(file) || /[\\/]files[\\/]/.test(relative(SRC, file));
}

function copySourceAssets() {
  const assets = walk(SRC).filter(isAsset);
  const targets = new Set();
  for (const file of assets) {
    const target = join(DIST, relative(SRC, file));
    syncFile(file, target);
    targets.add(target);
  }
  // A template deleted from src must not linger in dist.
  const templateDirs = new Set(walk(DIST).map(dirname).filter((d) => /[\\/]files([\\/]|$)/.test(relative(DIST, d))));
  for (const dir of templateDirs) removeStale(dir, targets);
  return assets.length;
}

function copyCatalog() {
  const blueprints = existsSync(CATALOG_SRC) ? readdirSync(CATALOG_SRC).filter((f) => /\.(ya?ml|json)$/.test(f)) : [];
  const targets = new Set(blueprints.map((f) => join(CATALOG_DIST, f)));
  for (const f of blueprints) syncFile(join(CATALOG_SRC, f), join(CATALOG_DIST, f));
  removeStale(CATALOG_DIST, targets);
  return blueprints.length;
}

function copyAssets() {
  if (!existsSync(DIST)) throw new Error(`${relative(ROOT, DIST)} is missing: run tsc -b packages/gitops/tsconfig.lib.json first`);
  return { assets: copySourceAssets(), blueprints: copyCatalog() };
}

module.exports = { copyAssets, CATALOG_DIST };

if (require.main === module) {
  const { assets, blueprints } = copyAssets();
  console.log(`copy-assets: ${assets} source asset(s), ${blueprints} catalog file(s) -> ${relative(ROOT, DIST)}`);
}
