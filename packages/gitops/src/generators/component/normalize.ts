/** Turns what the user typed, the catalog and the tree into one complete description. */
import { Tree } from '@nx/devkit';
import { Blueprint, catalogFor, loadBlueprint, ManifestObject } from '../../model/catalog';
import { ChartRef, Component, SecretDeclaration } from '../../model/component';
import { parseSecretEntry } from '../../model/component-config';
import { EnvironmentSettings } from '../../model/environment-settings';
import { componentDir, componentFile } from '../../model/layout';
import { findLayer, Layer, layerNames, Platform } from '../../model/platform';
import { assertChartVersion, assertDnsLabel, COMPONENT_KINDS, ComponentKind, GitopsInputError, oneOf, repoKind } from '../../model/vocabulary';
import { parseList, pickEnvironments } from '../shared/options';
import { NewOverlayVersion } from '../shared/overlay';
import { readWorkspace, refuseConfigProblems, Workspace } from '../shared/workspace';
import { ComponentGeneratorSchema } from './schema';

/** What another generator (import) already knows: the tree read once, the blueprint it matched, the source's content. */
export interface ComponentSource {
  workspace: Workspace;
  /** The blueprint matched by repository and chart, instead of the one named like the component (undefined: none). */
  blueprint: Blueprint | undefined;
  /** The Helm release a push deployment runs under this name: kept, so the engines adopt it instead of installing anew. */
  adoptRelease?: string;
  content?: ComponentContent;
}

/** Values and objects from a source, written instead of the blueprint's defaults and size profiles. */
export interface ComponentContent {
  baseValues?: Record<string, unknown>;
  manifests?: ManifestObject[];
  /** Each environment's values, by environment name. */
  overlayValues?: Map<string, Record<string, unknown>>;
}

export interface NormalizedComponentOptions {
  /** The component as it will be: the existing one with what the options change, or a new one. */
  component: Component;
  layer: Layer;
  blueprint?: Blueprint;
  existing?: Component;
  /** Version for new overlays, and for existing ones when `versionGiven`. */
  version?: string;
  versionGiven: boolean;
  dependsOnGiven: boolean;
  /** The environments chosen (--environments, else all). */
  environments: EnvironmentSettings[];
  workspace: Workspace;
  /** The component takes over a running Helm release (import): its name and namespaces are pinned. */
  adopt: boolean;
  content?: ComponentContent;
}

function chooseKind(schema: ComponentGeneratorSchema, bp?: Blueprint, existing?: Component): ComponentKind {
  if (schema.kind !== undefined) return oneOf('Kind', schema.kind, COMPONENT_KINDS);
  if (schema.chart !== undefined || schema.repo !== undefined) return 'helm';
  if (existing) return existing.kind;
  if (bp) return bp.manifests ? 'manifests' : 'helm';
  return 'helm';
}

function chooseChart(name: string, schema: ComponentGeneratorSchema, bp?: Blueprint, existing?: Component): ChartRef {
  const repository = schema.repo ?? bp?.chart?.repository ?? existing?.chart?.repository;
  const chart = schema.chart ?? bp?.chart?.name ?? existing?.chart?.name;
  if (!repository || !chart) {
    throw new GitopsInputError(
      `Component '${name}' is not in the catalog (generators/); give --chart and --repo (and --chart-version), or --kind manifests for plain manifests.`,
    );
  }
  repoKind(repository);
  return { repository, name: chart };
}

function chooseLayer(name: string, platform: Platform, schema: ComponentGeneratorSchema, bp?: Blueprint, existingLayer?: string): Layer {
  const layerName = schema.layer ?? existingLayer ?? bp?.layer;
  if (!layerName) {
    throw new GitopsInputError(`Component '${name}' is not in the catalog (generators/); give --layer, one of: ${layerNames(platform).join(', ')}.`);
  }
  return findLayer(platform, layerName);
}

export function normalizeOptions(tree: Tree, schema: ComponentGeneratorSchema, source?: ComponentSource): NormalizedComponentOptions {
  const name = assertDnsLabel('Component name', schema.name);
  const workspace = source?.workspace ?? readWorkspace(tree);
  const { platform } = workspace;
  const environments = pickEnvironments(workspace.environments, parseList(schema.environments));
  const blueprint = source ? source.blueprint : loadBlueprint(catalogFor(tree), name);
  const existingLayer = workspace.locations.get(name);
  if (existingLayer !== undefined) refuseConfigProblems(workspace, componentFile(existingLayer, name));
  const existing = workspace.model.components.get(name);
  const layer = chooseLayer(name, platform, schema, blueprint, existingLayer);
  const kind = chooseKind(schema, blueprint, existing);
  const chart = kind === 'helm' ? chooseChart(name, schema, blueprint, existing) : undefined;
  const version = schema.chartVersion !== undefined ? assertChartVersion(schema.chartVersion) : blueprint?.chart?.version;
  if (kind === 'helm' && version === undefined && !existing) {
    throw new GitopsInputError(`Component '${name}' is not in the catalog (generators/); give --chart-version, e.g. '1.2.3'.`);
  }
  const file = componentFile(layer.name, name);
  const dependsOn = (parseList(schema.dependsOn) ?? existing?.dependsOn.map((d) => d.name) ?? blueprint?.dependsOn ?? []).map((d) =>
    assertDnsLabel('--depends-on', d),
  );
  const namespace = assertDnsLabel('Namespace', schema.namespace ?? existing?.namespace ?? blueprint?.namespace ?? layer.namespace);
  const component: Component = {
    name,
    layer: layer.name,
    dir: componentDir(layer.name, name),
    file,
    kind,
    namespace,
    declaredNamespace: namespace,
    dependsOn: [...new Set(dependsOn)].sort().map((d) => ({ name: d, file, line: 0 })),
    description: existing?.description ?? blueprint?.description ?? `${name} (${kind === 'helm' ? `chart ${chart!.name}` : 'plain manifests'})`,
    releaseName: existing?.releaseName ?? source?.adoptRelease ?? name,
    chart,
    crds: schema.crds ?? existing?.crds ?? blueprint?.crds ?? false,
    overlays: existing?.overlays ?? new Map(),
    secrets: existing?.secrets ?? blueprintSecrets(blueprint, namespace),
  };
  return {
    component,
    layer,
    blueprint,
    existing,
    version,
    versionGiven: schema.chartVersion !== undefined,
    dependsOnGiven: schema.dependsOn !== undefined,
    environments,
    workspace,
    adopt: source?.adoptRelease !== undefined,
    content: source?.content,
  };
}

/** The Secrets a blueprint declares, as component.yaml will hold them (the catalog's schema has checked their shape). */
function blueprintSecrets(blueprint: Blueprint | undefined, namespace: string): SecretDeclaration[] {
  return (blueprint?.secrets ?? []).map((entry) => {
    const secret = parseSecretEntry(entry);
    if (typeof secret === 'string') throw new GitopsInputError(`Blueprint '${blueprint!.name}': ${secret}`);
    return { ...secret, namespace: secret.namespace ?? namespace, line: 0 };
  });
}

/** Where the version of a new overlay comes from (shared/overlay.ts has the rule). */
export function newOverlaySources(o: NormalizedComponentOptions): NewOverlayVersion {
  return {
    asked: o.versionGiven ? o.version : undefined,
    environments: o.workspace.environments,
    catalog: o.blueprint?.chart?.version,
  };
}
