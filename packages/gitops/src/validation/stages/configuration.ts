/**
 * The layout's own configuration, checked before any object: what is wrong in
 * platform.yaml, component.yaml and environment.yaml (the tree model's
 * problems), environment settings the engines cannot read, production
 * saying it syncs automatically or floats versions, and the component graph
 * (layers, cycles, missing dependencies). Layout mode only; each finding goes
 * to the requested target whose input holds the file.
 */
import { parseEnvironmentSettings, PRODUCTION } from '../../model/environment-settings';
import { TreeModel } from '../../model/tree-model';
import { keyLineOf } from '../../model/yaml-io';
import { longestOwner } from '../plan';
import { Finding } from '../types';
import { LoadedTree } from './1-load';
import { checkComponentGraph } from './5-references';

export function checkConfiguration(tree: LoadedTree, model: TreeModel, targets: string[]): Finding[] {
  const requested = new Set(targets);
  const componentTargets = new Set([...model.components.values()].map((c) => c.dir).filter((dir) => requested.has(dir)));
  return [
    ...problemFindings(model, targets),
    ...checkComponentGraph(model, componentTargets),
    ...settingsFindings(tree, model, targets),
    ...environmentFindings(tree, model, targets),
  ];
}

/**
 * The tree model's problems that are this run's business, each given to the target that owns
 * its file: a problem in a requested component's or environment's file goes to that target,
 * one in platform.yaml (an input of every target) to every requested target. A problem in the
 * file of a component that is not requested belongs to that component's own run (it is not an
 * input of the targets here, so reporting it would also make their cached results wrong).
 */
function problemFindings(model: TreeModel, targets: string[]): Finding[] {
  return model.problems.flatMap((p) => {
    const owner = longestOwner(targets, p.file);
    const owners = p.file === model.platformFile ? (targets.length ? targets : ['']) : owner !== undefined ? [owner] : [];
    return owners.map((target) => ({
      target,
      file: p.file,
      line: p.line,
      rule: p.rule === 'yaml-syntax' ? 'yaml-syntax' : 'config-invalid',
      severity: 'error' as const,
      message: p.message.endsWith('.') ? p.message : `${p.message}.`,
      hint: 'Fix the configuration file; the generators write it in this shape.',
    }));
  });
}

/** Settings each requested environment's engines cannot read, at the key that is wrong. */
function settingsFindings(tree: LoadedTree, model: TreeModel, targets: string[]): Finding[] {
  const out: Finding[] = [];
  for (const e of model.environments.values()) {
    if (!targets.includes(e.dir)) continue;
    try {
      parseEnvironmentSettings(e.file, tree.reader.read(e.file), e.name, model.platform);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      const parsed = tree.file(e.file);
      const key = Object.keys(e.settings).find((k) => err.message.includes(`'${k}'`) || err.message.includes(`'${String(e.settings[k])}'`));
      const line = parsed && key !== undefined ? keyLineOf(parsed, 0, [key]) : 1;
      out.push({
        target: e.dir,
        file: e.file,
        line,
        rule: 'config-invalid',
        severity: 'error',
        message: err.message,
        hint: 'Fix the setting; `nx g @mlops/gitops:environment` writes each one with its explanation.',
      });
    }
  }
  return out;
}

/** Production saying it syncs automatically or floats versions; the finding points at the key that says so. */
function environmentFindings(tree: LoadedTree, model: TreeModel, targets: string[]): Finding[] {
  const e = model.environments.get(PRODUCTION);
  if (!e || !targets.includes(e.dir)) return [];
  const parsed = tree.file(e.file);
  const line = (key: string) => (parsed ? keyLineOf(parsed, 0, [key]) : 1);
  const out: Finding[] = [];
  if (e.settings.sync === 'auto') {
    out.push({
      target: e.dir,
      file: e.file,
      line: line('sync'),
      rule: 'production-auto-sync',
      severity: 'error',
      message: `Environment '${PRODUCTION}' sets sync 'auto'; production must be synced manually.`,
      hint: 'Set sync: manual in environment.yaml (generators then suspend Flux Kustomizations and drop Argo CD automated sync).',
    });
  }
  if (e.settings.pinVersions === false) {
    out.push({
      target: e.dir,
      file: e.file,
      line: line('pinVersions'),
      rule: 'production-unpinned',
      severity: 'error',
      message: `Environment '${PRODUCTION}' sets pinVersions false; production must pin exact chart versions.`,
      hint: 'Set pinVersions: true in environment.yaml.',
    });
  }
  return out;
}
