#!/usr/bin/env node
/**
 * Baseline for the validate benchmark: Flux's example-repository approach
 * (fluxcd/flux2-kustomize-helm-example scripts/validate.sh), run the way
 * that script runs it: find every kustomization.yaml directory, build each
 * one with `kubectl kustomize --load-restrictor=LoadRestrictionsNone`
 * sequentially, and schema-check every object of its output, here with the
 * same kubernetes-models validators the engine uses (in this process).
 *
 *   node tools/bench/flux-baseline.js <dir>
 */
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const { join, relative } = require('node:path');
// The plugin's own yaml (v2); the workspace root may hold an older one for other tools.
const { parseAllDocuments } = require(require.resolve('yaml', { paths: [join(__dirname, '../../packages/gitops')] }));

function kustomizationDirs(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git') walk(join(dir, e.name));
      else if (e.isFile() && e.name === 'kustomization.yaml') out.push(dir);
    }
  };
  walk(root);
  return out.sort();
}

function moduleFor(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!group) return `kubernetes-models/${version}`;
  if (group.endsWith('.fluxcd.io')) return `@kubernetes-models/flux-cd/${apiVersion}`;
  if (group === 'argoproj.io') return `@kubernetes-models/argo-cd/${apiVersion}`;
  if (!group.includes('.') || group.endsWith('.k8s.io')) return `kubernetes-models/${apiVersion}`;
  return undefined;
}

async function schemaCheck(object, modules) {
  const spec = moduleFor(String(object.apiVersion));
  if (!spec) return 'skipped';
  if (!modules.has(spec)) modules.set(spec, await import(spec).catch(() => undefined));
  const mod = modules.get(spec);
  const cls = mod && Object.values(mod).find((c) => c && c.kind === object.kind && c.apiVersion === object.apiVersion);
  if (!cls) return 'skipped';
  try {
    new cls(object).validate();
    return 'valid';
  } catch {
    return 'invalid';
  }
}

/** Runs the baseline over `dir`; returns wall time, directories built and what failed. */
async function runFluxBaseline(dir, kubectl = 'kubectl') {
  const started = Date.now();
  const dirs = kustomizationDirs(dir);
  const modules = new Map();
  const failures = [];
  let objects = 0;
  for (const d of dirs) {
    let output;
    try {
      output = execFileSync(kubectl, ['kustomize', '--load-restrictor=LoadRestrictionsNone', d], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      failures.push(`${relative(dir, d)}: build failed`);
      continue;
    }
    for (const doc of parseAllDocuments(output)) {
      const o = doc.toJS();
      if (!o || typeof o !== 'object' || o.kind === 'Secret') continue;
      objects++;
      if ((await schemaCheck(o, modules)) === 'invalid') failures.push(`${relative(dir, d)}: ${o.kind}/${o.metadata && o.metadata.name} invalid`);
    }
  }
  return { ms: Date.now() - started, dirs: dirs.length, objects, failures };
}

module.exports = { runFluxBaseline, kustomizationDirs };

if (require.main === module) {
  const dir = process.argv[2] || '.';
  runFluxBaseline(dir).then((r) => {
    process.stdout.write(`${JSON.stringify({ ms: r.ms, dirs: r.dirs, objects: r.objects, failures: r.failures.length })}\n`);
    process.exitCode = r.failures.length ? 1 : 0;
  });
}
