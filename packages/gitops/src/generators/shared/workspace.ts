/**
 * Reads the state of the GitOps tree through the Nx Tree: the platform, the
 * environments, where each component lives and what it is. Reads only what a
 * generator asks for, so a tree of hundreds of components stays fast.
 */
import { Tree } from '@nx/devkit';
import {
  componentBaseFile,
  componentFile,
  environmentFile,
  HELMRELEASE_FILE,
  listComponentDirs,
  listEnvironmentDirs,
  platformFile,
  SOURCE_FILE,
} from '../../model/layout';
import { ComponentConfig, parseComponentConfig } from '../../model/component-config';
import { EnvironmentSettings, parseEnvironmentSettings } from '../../model/environment-settings';
import { findLayer, Layer, parsePlatform, Platform } from '../../model/platform';
import { GitopsInputError } from '../../model/vocabulary';
import { readYaml, toYaml } from '../../model/yaml-io';
import { ChartRef, ComponentSpec } from '../../manifests';

export function readText(tree: Tree, path: string): string | null {
  return tree.exists(path) ? tree.read(path, 'utf-8') : null;
}

export function readPlatform(tree: Tree): Platform {
  const path = platformFile();
  const text = readText(tree, path);
  if (text === null) {
    throw new GitopsInputError(
      `${path} does not exist; create the first environment with 'nx g @mlops/gitops:environment development', which writes it.`,
    );
  }
  return parsePlatform(path, text);
}

/** Every environment with its settings (defaults applied, the engine from platform.yaml), sorted by name. */
export function readEnvironments(tree: Tree): EnvironmentSettings[] {
  const platformText = readText(tree, platformFile());
  const platform = platformText === null ? undefined : parsePlatform(platformFile(), platformText);
  return listEnvironmentDirs(tree).map((env) =>
    parseEnvironmentSettings(environmentFile(env), tree.read(environmentFile(env), 'utf-8')!, env, platform),
  );
}

export function environmentNames(envs: EnvironmentSettings[]): string {
  return envs.length ? envs.map((e) => e.name).join(', ') : '(none)';
}

/** Component name → its layer folder, for every component in the tree. */
export function locateComponents(tree: Tree): Map<string, string> {
  return new Map(listComponentDirs(tree).map(({ layer, component }) => [component, layer]));
}

/** component.yaml of a component, parsed; a generator refuses to work on one with a problem. */
export function readComponentConfig(tree: Tree, layer: string, name: string): ComponentConfig {
  const path = componentFile(layer, name);
  const { config, problems } = parseComponentConfig(path, tree.read(path, 'utf-8') ?? '');
  if (problems.length > 0 || !config) {
    const p = problems[0];
    throw new GitopsInputError(`${p.file}:${p.line}: ${p.message} Fix component.yaml first.`);
  }
  return config;
}

/** What the base's HelmRelease and chart source say about the chart. */
function readChart(tree: Tree, layer: string, name: string): { chart?: ChartRef; crds: boolean } {
  const releasePath = componentBaseFile(layer, name, HELMRELEASE_FILE);
  const sourcePath = componentBaseFile(layer, name, SOURCE_FILE);
  const release = readYaml<{ spec?: { chart?: { spec?: { chart?: string } }; install?: { crds?: string } } }>(
    releasePath,
    readText(tree, releasePath) ?? '',
  );
  const source = readYaml<{ spec?: { url?: string } }>(sourcePath, readText(tree, sourcePath) ?? '');
  const url = source?.spec?.url;
  if (!url) return { crds: false };
  const chartName = release?.spec?.chart?.spec?.chart ?? url.split('/').pop()!;
  return { chart: { repository: url, name: chartName }, crds: release?.spec?.install?.crds === 'Create' };
}

export interface ExistingComponent {
  spec: ComponentSpec;
  description?: string;
}

export function readComponent(tree: Tree, platform: Platform, layerName: string, name: string): ExistingComponent {
  const data = readComponentConfig(tree, layerName, name);
  const layer: Layer = findLayer(platform, layerName);
  const kind = data.kind;
  const { chart, crds } = kind === 'helm' ? readChart(tree, layerName, name) : { chart: undefined, crds: false };
  return {
    spec: {
      name,
      layer,
      namespace: data.namespace ?? layer.namespace,
      kind,
      chart,
      crds,
      dependsOn: data.dependsOn.map((d) => d.name),
    },
    description: data.description,
  };
}

/** component.yaml: the one place of a component's kind, namespace and dependencies. */
export function componentYaml(spec: ComponentSpec, description: string): string {
  return toYaml(
    { name: spec.name, description, kind: spec.kind, namespace: spec.namespace, dependsOn: [...spec.dependsOn].sort() },
    `Component ${spec.name} (layer ${spec.layer.name}).\n` +
      `The one place of its kind, namespace and dependencies: Flux dependsOn, Argo CD sync waves\n` +
      `and the Nx project graph all follow from this file.`,
  );
}
