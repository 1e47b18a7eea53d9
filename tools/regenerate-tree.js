#!/usr/bin/env node
/**
 * Rebuilds the live GitOps tree (gitops/) from scratch with the plugin's own
 * generators, exactly as a user would: the environments development, staging
 * and production, then every catalog component except redis-operator (kept out
 * so the README's first command can add it), dependencies first.
 *
 * Usage: node tools/regenerate-tree.js [workspace-root]   (after `npm run build`)
 * The live-tree test runs it in a temporary copy and compares with the committed tree.
 */
'use strict';
const { join, resolve } = require('node:path');

/**
 * Staging runs both engines: the seeds migrate from push deployments to Flux (seed 000) and to
 * Argo CD (seed 001), and staging is where a team runs both side by side before choosing.
 */
const ENVIRONMENTS = [{ name: 'development' }, { name: 'staging', engines: ['flux', 'argocd'] }, { name: 'production' }];
/** Stays in the catalog only: the README's quick start adds it. */
const LEFT_OUT = new Set(['redis-operator']);
/**
 * Production lags one release behind, as a platform in the middle of a promotion does: it still
 * runs the Airflow chart it ran before the catalog moved on, so `promote` (README, docs/lifecycle.md)
 * has something to move forward. Applied with the release generator, as CI would.
 */
const PRODUCTION_RUNS = [{ component: 'airflow', chartVersion: '1.18.0' }];

function plugin(root) {
  const dist = join(root, 'packages/gitops/dist');
  return {
    component: require(join(dist, 'generators/component/component')).componentGenerator,
    release: require(join(dist, 'generators/release/release')).releaseGenerator,
    environment: require(join(dist, 'generators/environment/environment')).environmentGenerator,
    catalog: require(join(dist, 'model/catalog')),
    treeModel: require(join(dist, 'model/tree-model')),
    layout: require(join(dist, 'model/layout')),
  };
}

/**
 * Catalog components in dependency order (ties by name), so every --depends-on already exists.
 * The walk is the plugin's own (model/tree-model.ts walkDependencies), as in validation.
 */
function dependencyOrder(blueprints, walkDependencies) {
  const byName = new Map(blueprints.map((b) => [b.name, b]));
  const dependsOn = (name) => [...(byName.get(name)?.dependsOn ?? [])].filter((d) => byName.has(d)).sort();
  const { cycles, order } = walkDependencies([...byName.keys()].sort(), dependsOn);
  if (cycles.length) throw new Error(`catalog dependency cycle: ${cycles[0].join(' -> ')}`);
  return order;
}

/** Deletes every file under `dir` in the tree (an Nx Tree deletes a folder's files only one by one). */
function deleteFiles(tree, dir) {
  for (const child of tree.children(dir)) {
    const path = `${dir}/${child}`;
    if (tree.isFile(path)) tree.delete(path);
    else deleteFiles(tree, path);
  }
}

async function regenerate(root = resolve(__dirname, '..')) {
  const { FsTree, flushChanges } = require(require.resolve('nx/src/generators/tree', { paths: [root] }));
  const { component, release, environment, catalog, treeModel, layout } = plugin(root);
  const tree = new FsTree(root, false);
  // Deleted through the tree: the disk changes only at flushChanges, so a generator that fails
  // leaves the committed gitops/ as it was.
  deleteFiles(tree, layout.GITOPS_ROOT);
  for (const options of ENVIRONMENTS) await environment(tree, options);
  const blueprints = catalog.loadCatalog(catalog.catalogFor(tree)).filter((b) => !LEFT_OUT.has(b.name));
  const components = dependencyOrder(blueprints, treeModel.walkDependencies);
  for (const name of components) await component(tree, { name });
  for (const r of PRODUCTION_RUNS) await release(tree, { ...r, environment: 'production' });
  const changes = tree.listChanges();
  flushChanges(root, changes);
  return { environments: ENVIRONMENTS, components, files: changes.length };
}

module.exports = { regenerate, dependencyOrder };

if (require.main === module) {
  regenerate(process.argv[2] ? resolve(process.argv[2]) : undefined).then(
    (r) => console.log(`gitops/ regenerated: ${r.environments.length} environments, ${r.components.length} components, ${r.files} files`),
    (e) => {
      console.error(e.message ?? e);
      process.exit(1);
    },
  );
}
