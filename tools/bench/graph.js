#!/usr/bin/env node
/**
 * Project-graph benchmark (issue 3): what the plugin adds to Nx's own start-up.
 * On a synthetic tree of N components x 3 environments, `nx show projects` with
 * the plugin registered in nx.json against the same workspace with the plugin
 * removed; median of several runs each, daemon off, measured in this one run.
 *
 * Two figures for the plugin: warm (its graph cache in .nx/workspace-data holds
 * the last computation, as after any earlier nx command on an unchanged tree)
 * and cold (that cache file deleted before every run: the plugin reads and
 * parses the whole tree). Nx's own workspace data stays warm in both, as it is
 * for the run without the plugin. Two sizes show how the cost grows.
 *
 *   npm run build && node tools/bench/graph.js [large=1000] [small=250] [runs=3]
 */
const { spawnSync } = require('node:child_process');
const { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { createBenchWorkspace, NX_BIN } = require('./synthetic-tree');

const GRAPH_CACHE = '.nx/workspace-data/mlops-gitops-graph.json';

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

/**
 * How many projects Nx lists. Read from a file, not a pipe: nx exits before a long list written to a
 * pipe is flushed (1000 x 3 gave 171 to 846 names through the pipe, all 1,003 into a file).
 */
function projectCount(ws) {
  mkdirSync(join(ws.root, '.nx'), { recursive: true });
  const file = join(ws.root, '.nx/bench-projects.txt');
  const fd = openSync(file, 'w');
  try {
    spawnSync(process.execPath, [NX_BIN, 'show', 'projects'], { cwd: ws.root, env: ws.env(), stdio: ['ignore', fd, 'ignore'] });
  } finally {
    closeSync(fd);
  }
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

function measure(components, runs) {
  const ws = createBenchWorkspace({ components, git: false });
  const show = () => ws.nx(['show', 'projects']);
  const runsOf = (before) => median(Array.from({ length: runs }, () => (before(), timed(show))));
  try {
    const projects = projectCount(ws);
    const warmMs = runsOf(() => undefined);
    const coldMs = runsOf(() => rmSync(join(ws.root, GRAPH_CACHE), { force: true }));
    withoutPlugin(ws.root);
    show();
    const withoutMs = runsOf(() => undefined);
    return { components, projects, warmMs, coldMs, withoutMs, pluginMs: warmMs - withoutMs, pluginColdMs: coldMs - withoutMs };
  } finally {
    ws.remove();
  }
}

function table(rows) {
  const ms = (n) => `${Math.round(n)} ms`;
  const lines = [
    '| tree | projects | nx show projects, plugin warm | plugin cold | without plugin | plugin cost warm | plugin cost cold |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.components} x 3 | ${r.projects} | ${ms(r.warmMs)} | ${ms(r.coldMs)} | ${ms(r.withoutMs)} | ${ms(r.pluginMs)} | ${ms(r.pluginColdMs)} |`,
    );
  return lines.join('\n');
}

function benchGraph({ large = 1000, small = 250, runs = 3 } = {}) {
  const rows = [small, large].map((n) => {
    process.stderr.write(`graph: measuring ${n} components x 3 environments ...\n`);
    return measure(n, runs);
  });
  return { rows, runs };
}

module.exports = { benchGraph, table };

if (require.main === module) {
  const [large = 1000, small = 250, runs = 3] = process.argv.slice(2).map(Number);
  const { rows } = benchGraph({ large, small, runs });
  const [a, b] = rows;
  console.log(table(rows));
  console.log('');
  console.log(
    `target: plugin cost <= 1500 ms at ${b.components} x 3 -> warm ${Math.round(b.pluginMs)} ms (${b.pluginMs <= 1500 ? 'met' : 'NOT met'}), cold ${Math.round(b.pluginColdMs)} ms (${b.pluginColdMs <= 1500 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `growth ${a.components} -> ${b.components} components (x${(b.components / a.components).toFixed(1)}): plugin cost warm x${(b.pluginMs / a.pluginMs).toFixed(2)}, cold x${(b.pluginColdMs / a.pluginColdMs).toFixed(2)}`,
  );
  console.log(JSON.stringify({ rows }));
}
