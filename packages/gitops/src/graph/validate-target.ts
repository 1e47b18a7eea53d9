/**
 * The inferred `validate` target of components and environments, and why
 * each input is there. Every input is relative ({projectRoot} /
 * {workspaceRoot}) and listed in a fixed order, so the task hash is the same
 * in every clone.
 */
import type { TargetConfiguration } from '@nx/devkit';
import {
  blueprintFile,
  componentBase,
  componentDir,
  componentFile,
  crdsDir,
  environmentFile,
  KUSTOMIZATION_FILE,
  overlaysDir,
  platformFile,
  relativeTo,
  SOPS_CONFIG_FILE,
  TreeRoot,
} from '../model/layout';
import type { Component } from '../model/component';
import { EnvironmentModel } from '../model/tree-model';

/** One entry of a target's `inputs` (the devkit does not export the type by name). */
export type InputDefinition = NonNullable<TargetConfiguration['inputs']>[number];

export const VALIDATE_EXECUTOR = '@mlops/gitops:validate';

/** Named input: what other components see of a component (component.yaml and base: chart sources, CRDs). */
export const GITOPS_INTERFACE_INPUT = 'gitops-interface';

/** kustomize (embedded in kubectl) renders every kustomization: its version is part of the result. */
export const KUSTOMIZE_VERSION_INPUT: InputDefinition = {
  runtime: 'kubectl version --client',
};

export interface TargetContext {
  tree: TreeRoot;
  /** Inputs standing for the validator's code and schema packages (see validator-inputs.ts). */
  validator: InputDefinition[];
  /** Whether a component of that name is in the tree (a project, so a graph edge). */
  componentExists(name: string): boolean;
}

/** A component's named input: what other components see of it (component.yaml and base: chart sources, CRDs). */
export function componentNamedInputs(c: Component, tree: TreeRoot): Record<string, string[]> {
  const dir = componentDir(c.layer, c.name, tree);
  return {
    [GITOPS_INTERFACE_INPUT]: [
      `{projectRoot}/${relativeTo(dir, componentFile(c.layer, c.name, tree))}`,
      `{projectRoot}/${relativeTo(dir, componentBase(c.layer, c.name, tree))}/**/*`,
    ],
  };
}

/**
 * What an environment's result reads of the components: each one's component.yaml, its base, its
 * overlay there, and which overlays it has (a first overlay elsewhere stops a base-only component
 * from deploying here). Another environment's values or versions are not among them: promoting to
 * staging re-validates staging, not production. One workspace pattern rather than a named input of
 * every component it depends on: Nx matches a dependency's named input once per dependency (300
 * patterns per environment at 300 components), a workspace pattern once. It also covers the bases
 * of components this environment does not deploy: more inputs than needed, never a stale result.
 */
function deployedComponentsInput(env: string, tree: TreeRoot): string {
  const dir = componentDir('*', '*', tree);
  const within = (path: string) => relativeTo(dir, path);
  const parts = [
    within(componentFile('*', '*', tree)),
    `${within(componentBase('*', '*', tree))}/**/*`,
    `${within(overlaysDir('*', '*', tree))}/${env}/**/*`,
    `${within(overlaysDir('*', '*', tree))}/*/${KUSTOMIZATION_FILE}`,
  ];
  return ws(`${dir}/{${parts.join(',')}}`);
}

/**
 * A component's result depends on: its own files; what its dependencies
 * expose (existence, layer, chart sources); where a declared dependency would
 * appear while it is missing; the layers; user CRDs; the blueprints; every
 * environment's settings (policy per overlay, e.g. production pins versions);
 * kustomize; the validator.
 *
 * Each input pattern unique to one project costs Nx a match against every file
 * of the workspace when it hashes (about 1 ms per pattern at 5,000 files), so
 * the patterns are shared where that stays exact: a dependency that exists is
 * a graph edge, covered by `^gitops-interface` (if it goes, the edge goes and
 * the hash changes with it); only a missing one needs the path it would take.
 */
export function componentValidateTarget(c: Component, ctx: TargetContext): TargetConfiguration {
  const missing = [...new Set(c.dependsOn.map((d) => d.name))]
    .filter((name) => !ctx.componentExists(name))
    .sort()
    .map((name) => ws(componentFile('*', name, ctx.tree)));
  return validateTarget(ctx, `Validate component ${c.name} (layer ${c.layer}): render base and overlays, check schemas, references and policy`, [
    '{projectRoot}/**/*',
    `^${GITOPS_INTERFACE_INPUT}`,
    ...missing,
    // Its blueprint names the values keys that hold image tags (checked for `latest`); one pattern for
    // all blueprints: editing one re-validates every component, which is rare and stays correct.
    ws(blueprintFile('*')),
    ...sharedTreeInputs(ctx.tree),
    ws(environmentFile('*', ctx.tree)),
  ]);
}

/**
 * An environment's result depends on: its own files (settings, Flux and
 * Argo CD entries, namespaces); what it deploys of each component (their
 * overlays there are what its entries point at); the layers; user CRDs;
 * kustomize; the validator.
 */
export function environmentValidateTarget(e: EnvironmentModel, ctx: TargetContext): TargetConfiguration {
  return validateTarget(ctx, `Validate environment ${e.name}: render its entry point, check Flux / Argo CD entries and policy`, [
    '{projectRoot}/**/*',
    deployedComponentsInput(e.name, ctx.tree),
    ...sharedTreeInputs(ctx.tree),
    // Its creation rule there is one of its derived fields (drift).
    ws(SOPS_CONFIG_FILE),
  ]);
}

function sharedTreeInputs(tree: TreeRoot): string[] {
  return [ws(platformFile(tree)), ws(`${crdsDir(tree)}/**/*`)];
}

function ws(path: string): string {
  return `{workspaceRoot}/${path}`;
}

function validateTarget(ctx: TargetContext, description: string, files: string[]): TargetConfiguration {
  return {
    executor: VALIDATE_EXECUTOR,
    options: {},
    cache: true,
    // No task sync generator: the drift stage reports every derived file that differs (file, line, source,
    // hint `nx sync`), and a task sync generator would make Nx compute the project graph a second time on
    // every run without the daemon, to tell the same thing (docs/sync.md).
    inputs: [...files, ...ctx.validator, KUSTOMIZE_VERSION_INPUT],
    outputs: [],
    metadata: { description, technologies: ['kustomize'] },
  };
}
