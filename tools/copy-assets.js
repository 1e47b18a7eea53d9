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
const { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } = require('node:fs');
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

function isAsset(file) {
  return !/\.ts$/.test(file) || /[\\/]files[\\/]/.test(relative(SRC, file));
}

function copySourceAssets() {
  const assets = walk(SRC).filter(isAsset);
  for (const file of assets) {
    const target = join(DIST, relative(SRC, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
  return assets.length;
}

function copyCatalog() {
  rmSync(CATALOG_DIST, { recursive: true, force: true });
  if (!existsSync(CATALOG_SRC)) return 0;
  const blueprints = readdirSync(CATALOG_SRC).filter((f) => /\.(ya?ml|json)$/.test(f));
  mkdirSync(CATALOG_DIST, { recursive: true });
  for (const f of blueprints) cpSync(join(CATALOG_SRC, f), join(CATALOG_DIST, f));
  return blueprints.length;
}

function copyAssets() {
  if (!existsSync(DIST)) throw new Error(`${relative(ROOT, DIST)} is missing: run tsc -b packages/gitops/tsconfig.lib.json first`);
  // Template folders are replaced whole so a template deleted from src does not linger in dist.
  for (const dir of walk(DIST).map(dirname).filter((d) => /[\\/]files$/.test(d))) rmSync(dir, { recursive: true, force: true });
  return { assets: copySourceAssets(), blueprints: copyCatalog() };
}

module.exports = { copyAssets, CATALOG_DIST };

if (require.main === module) {
  const { assets, blueprints } = copyAssets();
  console.log(`copy-assets: ${assets} source asset(s), ${blueprints} catalog file(s) -> ${relative(ROOT, DIST)}`);
}
