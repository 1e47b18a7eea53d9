#!/usr/bin/env node
/**
 * `npm run bench`: the speed targets (issues 3 and 8), measured in one go.
 *
 * Runs the generator, validate and graph benchmarks in sequence (each in fresh
 * temporary workspaces), prints one summary table with the figures, the ratios
 * and whether each target is met, and writes the table with the details into
 * docs/performance.md between the `bench:start` / `bench:end` markers.
 *
 *   npm run build && node tools/bench/run.js [--validate 100,300] [--graph 250,1000] [--generator 300] [--import 100] [--preview 300] [--runs 5] [--no-write]
 *
 * The Flux baseline at 300 x 3 takes about two minutes (1,200 sequential
 * kubectl runs); run it on a quiet machine (the load average is printed).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { cpus, loadavg } = require('node:os');
const { join, resolve } = require('node:path');
const { benchGenerator } = require('./generator');
const { benchGraph, table: graphTable } = require('./graph');
const { benchPreview, table: previewTable, TARGET_RATIO: PREVIEW_RATIO } = require('./preview');
const { benchValidate, stagesTable, table: validateTable } = require('./validate');

const ROOT = resolve(__dirname, '../..');
const DOC = join(ROOT, 'docs/performance.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

const sizes = (text) => text.split(',').map(Number);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mark = (ok) => (ok ? 'met' : '**NOT met**');

function machine() {
  const kubectl = (() => {
    try {
      const v = JSON.parse(execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' }));
      return `kubectl ${v.clientVersion.gitVersion} (kustomize ${v.kustomizeVersion})`;
    } catch {
      return 'kubectl: not found';
    }
  })();
  return `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${kubectl}`;
}

/** One row per target: what was measured, the figure, the target and whether it is met. */
function summary({ generator, validate, graph, preview }) {
  const [vs, vl] = validate.rows;
  const [gs, gl] = graph.rows;
  const synthetic = generator.results.filter((r) => r.tree.startsWith('synthetic'));
  const imported = generator.results.filter((r) => r.generator.startsWith('import'));
  const speedUp = vl.baselineMs / vl.fullMs;
  const affectedRatio = vl.affectedMs / vl.showMs;
  const g = validate.growth;
  const excess = (r) => r.affectedMs - r.showMs;
  const rows = [
    [
      `whole tree, ${vl.components} x 3: \`nx run-many -t validate --skip-nx-cache\` (render memo off) vs Flux's one \`kubectl kustomize\` per directory + schema check`,
      `${speedUp.toFixed(1)}x faster (${s(vl.fullMs)} vs ${s(vl.baselineMs)}, ${vl.baselineDirs} directories)`,
      '>= 30x',
      mark(speedUp >= 30),
    ],
    [
      `\`nx affected -t validate\` after a one-file change, ${vl.components} x 3 (${vl.affectedTasks} tasks, ${vl.affectedReplayed} of them from the cache) vs \`nx show projects\``,
      `${affectedRatio.toFixed(2)}x (${s(vl.affectedMs)} vs ${s(vl.showMs)})`,
      '<= 2x',
      mark(affectedRatio <= 2),
    ],
    [
      `project graph, ${gl.components} x 3: \`nx show projects\` with the plugin minus without it (plugin graph cache warm)`,
      `${s(gl.pluginMs)} (${s(gl.warmMs)} vs ${s(gl.withoutMs)})`,
      '<= 1.5 s',
      mark(gl.pluginMs <= 1500),
    ],
    [
      `same, plugin graph cache deleted before each run (the plugin reads and parses the whole tree)`,
      `${s(gl.pluginColdMs)} (${s(gl.coldMs)} vs ${s(gl.withoutMs)})`,
      '<= 1.5 s',
      mark(gl.pluginColdMs <= 1500),
    ],
    [
      `full run growth, ${vs.components} -> ${vl.components} components (tree x${g.tree.toFixed(1)})`,
      `time x${g.full.toFixed(2)}${g.baseline ? ` (baseline x${g.baseline.toFixed(2)})` : ''}`,
      `linear: <= x${g.tree.toFixed(1)}`,
      mark(g.full <= g.tree * 1.1),
    ],
    [
      `affected run growth, same step`,
      `time x${g.affected.toFixed(2)} (nx show projects x${g.show.toFixed(2)}); beyond show projects ${s(excess(vs))} -> ${s(excess(vl))}`,
      'flat: grows like `nx show projects`',
      mark(g.affected <= g.show * 1.25),
    ],
    [
      `project graph growth, ${gs.components} -> ${gl.components} components`,
      `plugin cost warm x${(gl.pluginMs / gs.pluginMs).toFixed(2)}, cold x${(gl.pluginColdMs / gs.pluginColdMs).toFixed(2)}`,
      'linear or better',
      mark(gl.pluginColdMs / gs.pluginColdMs <= (gl.components / gs.components) * 1.1),
    ],
    ...synthetic.map((r) => [
      `generator: \`nx g @mlops/gitops:${r.generator} … --dry-run\` vs \`nx show projects\`, ${r.tree}`,
      `${r.ratio}x (${s(r.generatorMs)} vs ${s(r.floorMs)})`,
      '<= 1.5x',
      mark(r.ratio <= 1.5),
    ]),
    ...imported.map((r) => [
      `\`nx g @mlops/gitops:${r.generator} --dry-run\` vs \`nx show projects\`, ${r.tree} tree`,
      `${r.ratio}x (${s(r.generatorMs)} vs ${s(r.floorMs)})`,
      '<= 2x',
      r.generator.endsWith('--skip-format') ? '(without prettier)' : mark(r.ratio <= 2),
    ]),
    [
      `\`mlops-gitops preview --base HEAD~1\` after a one-component change, ${preview.components} x 3, vs \`nx show projects\``,
      `${preview.ratio.toFixed(2)}x (${s(preview.previewMs)} vs ${s(preview.showMs)})`,
      `<= ${PREVIEW_RATIO}x`,
      mark(preview.ratio <= PREVIEW_RATIO),
    ],
  ];
  return ['| measured | figure | target | |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function report(results, started, load) {
  return [
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench\` (\`node tools/bench/run.js\`), ${machine()}; load average at start ${load.map((x) => x.toFixed(2)).join(' / ')}.`,
    '',
    summary(results),
    '',
    '### Validation (`tools/bench/validate.js`)',
    '',
    validateTable(results.validate.rows),
    '',
    "Where the engine's time goes (wall clock per stage, from the JSON report's statistics; load and drift overlap render: they run while kustomize does):",
    '',
    stagesTable(results.validate.rows),
    '',
    '### Project graph (`tools/bench/graph.js`, median of ' + results.graph.runs + ' runs)',
    '',
    graphTable(results.graph.rows),
    '',
    '### Generator (`tools/bench/generator.js`, median of ' + results.generator.runs + ' runs)',
    '',
    '| tree | generator (--dry-run) | nx show projects | generator | ratio |',
    '|---|---|---|---|---|',
    ...results.generator.results.map((r) => `| ${r.tree} | ${r.generator} | ${r.floorMs} ms | ${r.generatorMs} ms | ${r.ratio} |`),
    '',
    '### Preview (`tools/bench/preview.js`, median of ' + results.preview.runs + ' runs)',
    '',
    previewTable(results.preview),
  ].join('\n');
}

function writeDoc(text) {
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a === -1 || b === -1 || b < a) throw new Error(`${DOC} has no ${START} … ${END} section to fill.`);
  writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n${text}\n${doc.slice(b)}`);
}

async function main() {
  const started = new Date();
  const load = loadavg();
  if (load[0] > 1.5) process.stderr.write(`warning: load average ${load[0].toFixed(2)} (> 1.5): figures will be slower than on a quiet machine\n`);
  const [vSmall, vLarge] = sizes(option('validate', '100,300'));
  const [gSmall, gLarge] = sizes(option('graph', '250,1000'));
  const runs = Number(option('runs', '5'));
  const generator = await benchGenerator({ runs, components: Number(option('generator', '300')), releases: Number(option('import', '100')) });
  const validate = await benchValidate({ small: vSmall, large: vLarge });
  const graph = benchGraph({ small: gSmall, large: gLarge, runs });
  const preview = { ...benchPreview({ components: Number(option('preview', '300')), runs }), runs };
  const results = { generator, validate, graph, preview };
  const text = report(results, started, load);
  console.log(text);
  console.log('');
  console.log(JSON.stringify(results));
  if (!process.argv.includes('--no-write')) {
    writeDoc(text);
    process.stderr.write(`written to ${DOC}\n`);
  }
}

module.exports = { summary, report };

if (require.main === module) {
  main().catch((e) => {
    console.error(e.stack ?? e);
    process.exit(1);
  });
}
