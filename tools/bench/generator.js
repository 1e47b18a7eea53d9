#!/usr/bin/env node
/**
 * Generator speed against Nx's own start-up floor.
 *
 * In temporary copies of this workspace (built plugin, shared node_modules), times
 *   nx g @mlops/gitops:component bench-x … --dry-run
 * against
 *   nx show projects
 * (Nx start-up + project graph with our inference plugin: the floor any `nx` command pays),
 * on the live tree and on a synthetic tree of 300 components × 3 environments built with the
 * generators themselves; and
 *   nx g @mlops/gitops:import bench-import/helmfile.yaml --dry-run
 * (a helmfile of 100 releases over two environments, each with a shared and a per-environment
 * values file) on the live tree, against `nx show projects` in the same copy. Prints the median
 * of N runs (after one warm-up) and the ratios.
 *
 * Usage: node tools/bench/generator.js [--runs 5] [--components 300] [--releases 100]   (after `npm run build`)
 * Targets: component ratio ≤ 1.5 on the synthetic tree; import ratio ≤ 2.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');
const NX = join(ROOT, 'node_modules/nx/dist/bin/nx.js');
const ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', CI: 'true', FORCE_COLOR: '0' };
const LAYERS = ['platform-operators', 'observability', 'data-plane', 'orchestration', 'ml-lifecycle', 'processing-jobs'];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function copyWorkspace(prefix) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    cpSync(join(ROOT, f), join(root, f));
  }
  cpSync(join(ROOT, 'packages/gitops/dist'), join(root, 'packages/gitops/dist'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const nested = join(ROOT, 'packages/gitops/node_modules');
  if (existsSync(nested)) symlinkSync(nested, join(root, 'packages/gitops/node_modules'), 'dir');
  return root;
}

/** 300 chart components spread over the layers, each depending on the previous one of a lower or equal layer. */
async function buildSyntheticTree(root, count) {
  const { FsTree, flushChanges } = require(require.resolve('nx/src/generators/tree', { paths: [root] }));
  const dist = join(root, 'packages/gitops/dist/generators');
  const { componentGenerator } = require(join(dist, 'component/component'));
  const { environmentGenerator } = require(join(dist, 'environment/environment'));
  rmSync(join(root, 'gitops'), { recursive: true, force: true });
  const tree = new FsTree(root, false);
  for (const name of ['development', 'staging', 'production']) await environmentGenerator(tree, { name, skipFormat: true });
  for (let i = 0; i < count; i++) {
    const layer = LAYERS[Math.floor((i * LAYERS.length) / count)];
    const name = `synth-${String(i).padStart(3, '0')}`;
    const dependsOn = i > 0 ? [`synth-${String(i - 1).padStart(3, '0')}`] : [];
    await componentGenerator(tree, {
      name,
      layer,
      chart: name,
      repo: i % 5 === 0 ? `oci://registry.example.com/charts/${name}` : 'https://charts.example.com',
      chartVersion: `1.${i}.0`,
      dependsOn,
      skipFormat: true,
    });
  }
  flushChanges(root, tree.listChanges());
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

const GENERATE = [
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
  '--dry-run',
];
const FLOOR = ['show', 'projects'];

const IMPORT_SOURCE = 'bench-import/helmfile.yaml';
const IMPORT = ['g', '@mlops/gitops:import', IMPORT_SOURCE, '--dry-run'];

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

function measure(label, root, runs, generate = GENERATE, command = 'nx g @mlops/gitops:component … --dry-run') {
  time(root, FLOOR); // warm-up: project graph cache, module cache on disk
  time(root, generate);
  const floor = [];
  const gen = [];
  for (let i = 0; i < runs; i++) {
    floor.push(time(root, FLOOR));
    gen.push(time(root, generate));
  }
  const result = { tree: label, command, floorMs: Math.round(median(floor)), generatorMs: Math.round(median(gen)) };
  result.ratio = Number((result.generatorMs / result.floorMs).toFixed(2));
  return result;
}

/** Import of a helmfile of `releases` releases into `root` (the live tree), against `nx show projects` there. */
/**
 * Import of a helmfile of `releases` releases into `root` (the live tree), against `nx show projects` there;
 * `unformatted` is the same run with --skip-format, which shows how much of it is prettier (about 5 ms per YAML file).
 */
function measureImport(root, releases, runs) {
  writeImportSource(root, releases);
  const label = `live + helmfile of ${releases} releases × 2 envs`;
  const command = `nx g @mlops/gitops:import (${releases} releases) --dry-run`;
  const formatted = measure(label, root, runs, IMPORT, command);
  const unformatted = measure(label, root, runs, [...IMPORT, '--skip-format'], `${command} --skip-format`);
  return { ...formatted, unformatted };
}

/** The import case alone, in its own copy of the workspace. */
function benchImport({ runs = 5, releases = 100 } = {}) {
  const root = copyWorkspace('gitops-bench-import-');
  try {
    return measureImport(root, releases, runs);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Measures the live tree and a synthetic tree of `components` x 3 (the synthetic one last), and the import of `releases` into the live tree. */
async function benchGenerator({ runs = 5, components = 300, releases = 100 } = {}) {
  const dirs = [];
  try {
    const live = copyWorkspace('gitops-bench-live-');
    dirs.push(live);
    const synthetic = copyWorkspace('gitops-bench-synth-');
    dirs.push(synthetic);
    const t0 = Date.now();
    await buildSyntheticTree(synthetic, components);
    process.stderr.write(
      `generator: synthetic tree of ${components} components x 3 environments built in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    const results = [measure('live (11 components × 3 envs)', live, runs), measure(`synthetic (${components} components × 3 envs)`, synthetic, runs)];
    return { runs, results, import: measureImport(live, releases, runs) };
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

module.exports = { benchGenerator, benchImport };

if (require.main === module) {
  benchGenerator({ runs: arg('runs', 5), components: arg('components', 300), releases: arg('releases', 100) })
    .then(({ runs, results, import: imported }) => {
      console.log(`median of ${runs} runs each; floor = nx show projects`);
      console.table([...results, imported, imported.unformatted]);
      const last = results[results.length - 1];
      console.log(`component ratio on the synthetic tree: ${last.ratio} (target ≤ 1.5): ${last.ratio <= 1.5 ? 'met' : 'NOT met'}`);
      console.log(`import ratio: ${imported.ratio} (target ≤ 2): ${imported.ratio <= 2 ? 'met' : 'NOT met'}`);
    })
    .catch((e) => {
      console.error(e.stack ?? e);
      process.exit(1);
    });
}
