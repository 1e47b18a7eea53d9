/**
 * createNodesV2: every component and every environment of the GitOps tree is
 * an Nx project, with tags and a cacheable `validate` target.
 *
 * One glob matches all the files the model needs, so Nx calls us once with
 * the whole list; the model is built once (tree-state.ts) and the per-project
 * work is only assembling configuration objects.
 */
import type { CreateNodesContextV2, CreateNodesResult, CreateNodesV2, ProjectConfiguration } from '@nx/devkit';
import { environmentEntry, environmentProjectName, GITOPS_FILES_GLOB, parseComponentFile, parseEnvironmentFile } from '../model/layout';
import { EnvironmentModel, TreeModel, unreadableComponent } from '../model/tree-model';
import type { Component } from '../model/component';
import { GitopsPluginOptions, normalizePluginOptions, NormalizedPluginOptions } from './options';
import { graphCache, hashParts, NodesResults, pluginCodeVersion } from './graph-cache';
import { Deployment, loadTreeState, TreeState } from './tree-state';
import { componentNamedInputs, componentValidateTarget, environmentValidateTarget, TargetContext } from './validate-target';
import { validatorInputs } from './validator-inputs';
import { PREVIEW_TARGET, previewTarget } from './preview-target';

export { GITOPS_FILES_GLOB };

type Projects = NonNullable<CreateNodesResult['projects']>;

export const createNodes: CreateNodesV2<GitopsPluginOptions> = [
  GITOPS_FILES_GLOB,
  async (files, rawOptions, context) => createGitopsNodes(files, normalizePluginOptions(rawOptions), context),
];

/** The same function under the name Nx 17–22 look for. */
export const createNodesV2 = createNodes;

export function createGitopsNodes(
  files: readonly string[],
  options: NormalizedPluginOptions,
  context: CreateNodesContextV2,
): Array<readonly [string, CreateNodesResult]> {
  const state = loadTreeState(context.workspaceRoot, files, options.tree);
  const validator = validatorInputs(context.workspaceRoot);
  const cache = graphCache(context.workspaceRoot);
  const key = hashParts([pluginCodeVersion(), JSON.stringify(options), JSON.stringify(validator), state.key]);
  const cached = cache.nodes(key);
  if (cached) return cached;
  const results = buildNodes(files, state, { tree: options.tree, validator, componentExists: (name) => state.model.components.has(name) }, options);
  cache.setNodes(key, results);
  cache.save();
  return results;
}

function buildNodes(files: readonly string[], state: TreeState, ctx: TargetContext, options: NormalizedPluginOptions): NodesResults {
  const { model, deployments } = state;
  const components = projectComponents(model, files);
  const environments = projectEnvironments(model, files);
  if (components.length === 0 && environments.length === 0) return [];
  const results: NodesResults = [];
  for (const c of components) {
    results.push([
      c.file,
      {
        projects: {
          [c.dir]: componentProject(c, model, deployments, ctx, options),
        },
      },
    ]);
  }
  for (const e of environments) {
    results.push([e.file, { projects: { [e.dir]: environmentProject(e, ctx, options) } }]);
  }
  return results;
}

/**
 * The components that become projects: every one the model read, plus those
 * whose component.yaml does not parse (still a project, so `validate` runs
 * and reports the syntax error). A second definition of a name is left out:
 * two projects of one name would break every nx command; validation reports it.
 */
function projectComponents(model: TreeModel, files: readonly string[]): Component[] {
  const list = [...model.components.values()];
  const known = new Set(list.map((c) => c.name));
  for (const file of files) {
    const at = parseComponentFile(file, model.root);
    if (!at || known.has(at.component) || !model.problems.some((p) => p.file === file)) continue;
    known.add(at.component);
    list.push(unreadableComponent(at.layer, at.component, file, model.root));
  }
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

function projectEnvironments(model: TreeModel, files: readonly string[]): EnvironmentModel[] {
  const list = [...model.environments.values()];
  for (const file of files) {
    const env = parseEnvironmentFile(file, model.root);
    if (!env || model.environments.has(env) || !model.problems.some((p) => p.file === file)) continue;
    list.push({
      name: env,
      dir: environmentEntry(env, model.root),
      file,
      settings: {},
    });
  }
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

function componentProject(
  c: Component,
  model: TreeModel,
  deployments: Deployment[],
  ctx: TargetContext,
  options: NormalizedPluginOptions,
): Projects[string] {
  const envs = new Set(deployments.filter((d) => d.component === c.name).map((d) => d.env));
  const engines = [...envs].flatMap((env) => model.environments.get(env)?.resolved?.engines ?? []);
  return {
    name: c.name,
    root: c.dir,
    tags: [`layer:${c.layer}`, 'type:component', ...engineTags(engines)],
    namedInputs: componentNamedInputs(c, options.tree),
    targets: {
      [options.targetName]: componentValidateTarget(c, ctx),
      [PREVIEW_TARGET]: previewTarget(`Preview what a change does to ${c.name} in each environment (base: NX_BASE)`),
    },
    metadata: {
      description: `GitOps component ${c.name} (layer ${c.layer}, ${c.kind})`,
    },
  } satisfies ProjectConfiguration;
}

function environmentProject(e: EnvironmentModel, ctx: TargetContext, options: NormalizedPluginOptions): Projects[string] {
  return {
    name: environmentProjectName(e.name),
    root: e.dir,
    tags: ['type:environment', ...engineTags(e.resolved?.engines ?? [])],
    targets: {
      [options.targetName]: environmentValidateTarget(e, ctx),
      [PREVIEW_TARGET]: previewTarget(`Preview what a change does to the objects of environment ${e.name} (base: NX_BASE)`),
    },
    metadata: {
      description: `GitOps environment ${e.name} (engines ${e.resolved?.engines.join(', ') ?? 'unset'})`,
    },
  } satisfies ProjectConfiguration;
}

/** One tag per engine that reconciles the project (both during a migration). */
export function engineTags(engines: readonly string[]): string[] {
  return [...new Set(engines)].sort().map((e) => `engine:${e}`);
}
