#!/usr/bin/env node
/**
 * Project-graph benchmark (issue 3): what the plugin adds to Nx's own start-up.
 * On a synthetic tree of N components x 3 environments, `nx show projects` with
 * the plugin registered in nx.json against the same workspace with the plugin
 * removed; median of several runs each, daemon off, measured in this one run.
 * Two sizes show how the cost grows with the tree.
 *
 *   npm run build && node tools/bench/graph.js [large=1000] [small=250] [runs=3]
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { createBenchWorkspace } = require('./synthetic-tree');

function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function withoutPlugin(root) {
  const path = join(root, 'nx.json');
  const nxJson = JSON.parse(readFileSync(path, 'utf8'));
  nxJson.plugins = (nxJson.plugins ?? []).filter((p) => (typeof p === 'string' ? p : p.plugin) !== '@mlops/gitops');
  writeFileSync(path, JSON.stringify(nxJson, null, 2));
}

function measure(components, runs) {
  const ws = createBenchWorkspace({ components, git: false });
  try {
    const projects = ws.nx(['show', 'projects']).split('\n').filter(Boolean).length;
    const withMs = median(Array.from({ length: runs }, () => timed(() => ws.nx(['show', 'projects']))));
    withoutPlugin(ws.root);
    ws.nx(['show', 'projects']);
    const withoutMs = median(Array.from({ length: runs }, () => timed(() => ws.nx(['show', 'projects']))));
    return { components, projects, withMs, withoutMs, pluginMs: withMs - withoutMs };
  } finally {
    ws.remove();
  }
}

function main() {
  const [large = 1000, small = 250, runs = 3] = process.argv.slice(2).map(Number);
  const rows = [small, large].map((n) => {
    process.stderr.write(`measuring ${n} components x 3 environments ...\n`);
    return measure(n, runs);
  });
  console.log('| tree | projects | nx show projects with plugin | without plugin | plugin cost |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.components} x 3 | ${r.projects} | ${Math.round(r.withMs)} ms | ${Math.round(r.withoutMs)} ms | ${Math.round(r.pluginMs)} ms |`);
  }
  const [a, b] = rows;
  console.log('');
  console.log(`target: plugin cost <= 1500 ms at ${b.components} x 3 -> ${b.pluginMs <= 1500 ? 'met' : 'NOT met'} (${Math.round(b.pluginMs)} ms)`);
  console.log(`growth ${a.components} -> ${b.components} components (x${(b.components / a.components).toFixed(1)}): plugin cost x${(b.pluginMs / a.pluginMs).toFixed(2)}`);
  console.log(JSON.stringify({ rows }));
}

main();
