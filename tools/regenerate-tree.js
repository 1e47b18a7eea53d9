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
const { rmSync } = require('node:fs');
const { join, resolve } = require('node:path');

/**
 * Staging runs both engines: the seeds migrate from push deployments to Flux (seed 000) and to
 * Argo CD (seed 001), and staging is where a team runs both side by side before choosing.
 */
const ENVIRONMENTS = [{ name: 'development' }, { name: 'staging', engine: 'both' }, { name: 'production' }];
/** Stays in the catalog only: the README's quick start adds it. */
const LEFT_OUT = new Set(['redis-operator']);

function plugin(root) {
  const dist = join(root, 'packages/gitops/dist');
  return {
    component: require(join(dist, 'generators/component/component')).componentGenerator,
    environment: require(join(dist, 'generators/environment/environment')).environmentGenerator,
    catalog: require(join(dist, 'model/catalog')),
  };
}

/** Catalog components in dependency order (ties by name), so every --depends-on already exists. */
function dependencyOrder(blueprints) {
  const byName = new Map(blueprints.map((b) => [b.name, b]));
  const done = new Set();
  const order = [];
  const visit = (name, path = []) => {
    if (done.has(name) || !byName.has(name)) return;
    if (path.includes(name)) throw new Error(`catalog dependency cycle: ${[...path, name].join(' -> ')}`);
    for (const dep of [...(byName.get(name).dependsOn ?? [])].sort()) visit(dep, [...path, name]);
    done.add(name);
    order.push(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name);
  return order;
}

async function regenerate(root = resolve(__dirname, '..')) {
  const { FsTree, flushChanges } = require(require.resolve('nx/src/generators/tree', { paths: [root] }));
  const { component, environment, catalog } = plugin(root);
  rmSync(join(root, 'gitops'), { recursive: true, force: true });
  const tree = new FsTree(root, false);
  for (const options of ENVIRONMENTS) await environment(tree, options);
  const blueprints = catalog.loadCatalog(catalog.catalogFor(tree)).filter((b) => !LEFT_OUT.has(b.name));
  const components = dependencyOrder(blueprints);
  for (const name of components) await component(tree, { name });
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
