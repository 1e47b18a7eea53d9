#!/usr/bin/env node
/**
 * Preview benchmark (issue 11): `mlops-gitops preview --base HEAD~1` after a one-component change
 * (a chart version and a value of one component in every environment) on the synthetic tree of N
 * components x 3 environments, against `nx show projects` on the same workspace, measured in the
 * same run (median of several runs each, daemon off). Target: preview <= 3x nx show projects.
 *
 *   npm run build && node tools/bench/preview.js [components=300] [runs=5]
 */
const { appendFileSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { createBenchWorkspace } = require('./synthetic-tree');

const CLI = join(__dirname, '../../packages/gitops/dist/cli/main.js');
const TARGET_RATIO = 3;

function timed(fn) {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One component's chart version and one value, in each of its overlays: the change a release PR makes. */
function changeOneComponent(ws) {
  const c = ws.plan[Math.floor(ws.plan.length / 2)];
  for (const env of ['development', 'staging', 'production']) {
    const overlay = join(ws.root, 'gitops/components', c.layer.name, c.name, 'overlays', env);
    const version = join(overlay, 'version.yaml');
    writeFileSync(version, readFileSync(version, 'utf8').replace(/version: \S+/, 'version: 1.3.0'));
    appendFileSync(join(overlay, 'values.yaml'), 'podAnnotations: {bench: changed}\n');
  }
  ws.git('commit', '-qam', `change ${c.name}`);
  return c.name;
}

function measure(components, runs) {
  const ws = createBenchWorkspace({ components });
  try {
    ws.nx(['show', 'projects']); // first graph computation writes Nx's workspace data; not measured
    const changed = changeOneComponent(ws);
    const preview = () => ws.run(process.execPath, [CLI, 'preview', '--base', 'HEAD~1', '--format', 'markdown']);
    const report = preview();
    const lines = report.split('\n').filter((l) => l.startsWith(`- ${changed} `)).length;
    if (lines !== 3) throw new Error(`expected 3 summary lines for ${changed}, got:\n${report}`);
    const previewMs = median(Array.from({ length: runs }, () => timed(preview).ms));
    const showMs = median(Array.from({ length: runs }, () => timed(() => ws.nx(['show', 'projects'])).ms));
    return { components, changed, previewMs, showMs, ratio: previewMs / showMs };
  } finally {
    ws.remove();
  }
}

function table(r) {
  const ms = (n) => `${Math.round(n)} ms`;
  return [
    '| tree | mlops-gitops preview (one component changed) | nx show projects | preview / show | target |',
    '|---|---|---|---|---|',
    `| ${r.components} x 3 | ${ms(r.previewMs)} | ${ms(r.showMs)} | ${r.ratio.toFixed(2)} | <= ${TARGET_RATIO} (${r.ratio <= TARGET_RATIO ? 'met' : 'NOT met'}) |`,
  ].join('\n');
}

function benchPreview({ components = 300, runs = 5 } = {}) {
  process.stderr.write(`preview: measuring ${components} components x 3 environments ...\n`);
  return measure(components, runs);
}

module.exports = { benchPreview, table, TARGET_RATIO };

if (require.main === module) {
  const [components = 300, runs = 5] = process.argv.slice(2).map(Number);
  const r = benchPreview({ components, runs });
  console.log(table(r));
  console.log(`target: preview / nx show projects <= ${TARGET_RATIO} (${r.ratio.toFixed(2)})`);
  process.exitCode = r.ratio <= TARGET_RATIO ? 0 : 1;
}
