#!/usr/bin/env node
/**
 * Generator speed against Nx's own start-up floor.
 *
 * In temporary copies of this workspace that install the built plugin as an adopting repository does, times each case
 *   nx g @mlops/gitops:component bench-x … --dry-run
 *   nx g @mlops/gitops:remove <a component nothing depends on> --dry-run
 *   nx g @mlops/gitops:rename <that component> --to renamed --dry-run
 *   nx g @mlops/gitops:promote --all --to production --dry-run   (every component one version ahead in staging)
 * against
 *   nx show projects
 * (Nx start-up + project graph with our inference plugin: the floor any `nx` command pays),
 * on the live tree (component, and `import` of a helmfile of 100 releases over two environments,
 * with and without --skip-format) and on a synthetic tree of 300 components × 3 environments
 * (tools/bench/synthetic-tree.js). Prints the median of N runs (after one warm-up) and each ratio.
 *
 * Usage: node tools/bench/generator.js [--runs 5] [--components 300] [--releases 100]   (after `npm run build`)
 * Targets: every ratio ≤ 1.5 on the synthetic tree; import ≤ 2.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');
const NX = join(ROOT, 'node_modules/nx/dist/bin/nx.js');
const ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', CI: 'true', FORCE_COLOR: '0' };
const LAYERS = ['platform-operators', 'observability', 'data-plane', 'orchestration', 'ml-lifecycle', 'processing-jobs'];
const { buildSyntheticTree, installedNodeModules } = require('./synthetic-tree');
const PLUGIN_DIR = 'packages/gitops';
const { overlayFile, VERSION_PATCH_FILE } = require('../../packages/gitops/dist/model/layout');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

/**
 * A copy of this workspace as a repository that installed the plugin: every committed file except
 * the plugin's own package, and node_modules as npm installs it (tools/bench/synthetic-tree.js
 * installedNodeModules: the built plugin in a real folder, the rest linked). Nx then runs the
 * compiled generators, as in any adopting repository; in this monorepo it would transpile the
 * plugin's TypeScript sources on every run instead.
 */
function copyWorkspace(prefix) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !f.startsWith(`${PLUGIN_DIR}/`) && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    cpSync(join(ROOT, f), join(root, f));
  }
  installedNodeModules(root);
  return root;
}

/** The synthetic tree, and staging one exact version ahead of production everywhere, so promote --all has 300 changes to make. */
function buildTree(root, count) {
  const { plan } = buildSyntheticTree(root, { components: count });
  for (const c of plan) {
    const file = join(root, overlayFile(c.layer.name, c.name, 'staging', VERSION_PATCH_FILE));
    writeFileSync(file, readFileSync(file, 'utf8').replace(/version: .*/, 'version: 1.2.4'));
  }
  const dependedOn = new Set(plan.flatMap((c) => c.dependsOn));
  return plan.filter((c) => !dependedOn.has(c.name)).pop().name;
}

function time(root, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [NX, ...args], { cwd: root, env: ENV, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const COMPONENT = [
  'g',
  '@mlops/gitops:component',
  'bench-x',
  '--layer',
  'processing-jobs',
  '--chart',
  'bench-x',
  '--repo',
  'https://charts.example.com',
  '--chart-version',
  '1.0.0',
];
const FLOOR = ['show', 'projects'];

const IMPORT_SOURCE = 'bench-import/helmfile.yaml';
const IMPORT = ['g', '@mlops/gitops:import', IMPORT_SOURCE];

/** A helmfile of `count` releases (staging and production), spread over the layers, each with values/<name>.yaml and values/<env>/<name>.yaml. */
function writeImportSource(root, count) {
  const dir = join(root, 'bench-import');
  const envs = ['staging', 'production'];
  for (const env of envs) mkdirSync(join(dir, 'values', env), { recursive: true });
  const releases = [];
  for (let i = 0; i < count; i++) {
    const name = `imported-${String(i).padStart(3, '0')}`;
    const namespace = LAYERS[Math.floor((i * LAYERS.length) / count)];
    writeFileSync(join(dir, 'values', `${name}.yaml`), `replicaCount: 1\nimage:\n  tag: 1.${i}.0\nresources:\n  requests:\n    cpu: 100m\n`);
    for (const env of envs) writeFileSync(join(dir, 'values', env, `${name}.yaml`), `replicaCount: ${env === 'production' ? 3 : 1}\n`);
    const needs = i > 0 && i % 10 !== 0 ? `    needs: [imported-${String(i - 1).padStart(3, '0')}]\n` : '';
    releases.push(
      `  - name: ${name}\n    namespace: ${namespace}\n    chart: bench/${name}\n    version: 1.${i}.0\n${needs}    values:\n      - values/${name}.yaml\n      - values/{{ .Environment.Name }}/${name}.yaml\n`,
    );
  }
  const head = 'environments:\n  staging: {}\n  production: {}\nrepositories:\n  - name: bench\n    url: https://charts.example.com\nreleases:\n';
  writeFileSync(join(dir, 'helmfile.yaml'), head + releases.join(''));
}

/** The generator commands measured on a tree; `leaf` is a component no other depends on. */
function cases(leaf) {
  return {
    component: COMPONENT,
    remove: ['g', '@mlops/gitops:remove', leaf],
    rename: ['g', '@mlops/gitops:rename', leaf, '--to', 'renamed'],
    'promote --all': ['g', '@mlops/gitops:promote', '--all', '--to', 'production'],
  };
}

function measure(label, root, runs, commands) {
  const dry = (args) => [...args, '--dry-run', '--no-interactive'];
  time(root, FLOOR); // warm-up: project graph cache, module cache on disk
  for (const args of Object.values(commands)) time(root, dry(args));
  const floor = [];
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    floor.push(time(root, FLOOR));
    for (const [name, args] of Object.entries(commands)) samples[name].push(time(root, dry(args)));
  }
  const floorMs = Math.round(median(floor));
  return Object.entries(samples).map(([generator, xs]) => {
    const generatorMs = Math.round(median(xs));
    return { tree: label, generator, floorMs, generatorMs, ratio: Number((generatorMs / floorMs).toFixed(2)) };
  });
}

/** Measures the live tree (component) and a synthetic tree of `components` x 3 (every case); the synthetic rows come last. */
async function benchGenerator({ runs = 5, components = 300, releases = 100 } = {}) {
  const dirs = [];
  try {
    const live = copyWorkspace('gitops-bench-live-');
    dirs.push(live);
    const synthetic = copyWorkspace('gitops-bench-synth-');
    dirs.push(synthetic);
    const t0 = Date.now();
    const leaf = buildTree(synthetic, components);
    process.stderr.write(
      `generator: synthetic tree of ${components} components x 3 environments built in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return {
      runs,
      results: [
        ...measure('live', live, runs, {
          component: COMPONENT,
          [`import (${releases} releases)`]: (writeImportSource(live, releases), IMPORT),
          [`import (${releases} releases) --skip-format`]: [...IMPORT, '--skip-format'],
        }),
        ...measure(`synthetic (${components} components × 3 envs)`, synthetic, runs, cases(leaf)),
      ],
    };
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

module.exports = { benchGenerator, copyWorkspace, buildTree, writeImportSource };

if (require.main === module) {
  benchGenerator({ runs: arg('runs', 5), components: arg('components', 300), releases: arg('releases', 100) })
    .then(({ runs, results }) => {
      console.log(`median of ${runs} runs each; floor = nx show projects; each generator with --dry-run`);
      console.table(results);
      const worst = Math.max(...results.filter((r) => r.tree.startsWith('synthetic')).map((r) => r.ratio));
      console.log(`worst ratio on the synthetic tree: ${worst} (target ≤ 1.5): ${worst <= 1.5 ? 'met' : 'NOT met'}`);
    })
    .catch((e) => {
      console.error(e.stack ?? e);
      process.exit(1);
    });
}
