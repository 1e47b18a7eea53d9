/** Turns what the user typed, the catalog and the tree into one complete description. */
import { Tree } from '@nx/devkit';
import { Blueprint, catalogFor, loadBlueprint } from '../../model/catalog';
import { EnvironmentSettings } from '../../model/environment-settings';
import { findLayer, layerNames, Platform } from '../../model/platform';
import {
  assertChartVersion,
  assertDnsLabel,
  COMPONENT_KINDS,
  ComponentKind,
  GitopsInputError,
  oneOf,
  repoKind,
} from '../../model/vocabulary';
import { ChartRef, ComponentSpec, GitSource } from '../../manifests';
import { parseList, pickEnvironments } from '../shared/options';
import { NewOverlayVersion } from '../shared/overlay';
import { ExistingComponent, locateComponents, readComponent, readEnvironments, readPlatform } from '../shared/workspace';
import { ComponentGeneratorSchema } from './schema';

export interface NormalizedComponentOptions {
  spec: ComponentSpec;
  description: string;
  blueprint?: Blueprint;
  existing?: ExistingComponent;
  /** Version for new overlays, and for existing ones when `versionGiven`. */
  version?: string;
  versionGiven: boolean;
  dependsOnGiven: boolean;
  /** The environments chosen (--environments, else all). */
  environments: EnvironmentSettings[];
  /** Every environment of the tree (an existing overlay in any of them gives a new one its version). */
  allEnvironments: EnvironmentSettings[];
  platform: Platform;
  git: GitSource;
  /** Every component of the tree: name → layer folder. */
  locations: Map<string, string>;
}

function chooseKind(schema: ComponentGeneratorSchema, bp?: Blueprint, existing?: ExistingComponent): ComponentKind {
  if (schema.kind !== undefined) return oneOf('Kind', schema.kind, COMPONENT_KINDS);
  if (schema.chart !== undefined || schema.repo !== undefined) return 'helm';
  if (existing) return existing.spec.kind;
  if (bp) return bp.manifests ? 'manifests' : 'helm';
  return 'helm';
}

function chooseChart(name: string, schema: ComponentGeneratorSchema, bp?: Blueprint, existing?: ExistingComponent): ChartRef {
  const repository = schema.repo ?? bp?.chart?.repository ?? existing?.spec.chart?.repository;
  const chart = schema.chart ?? bp?.chart?.name ?? existing?.spec.chart?.name;
  if (!repository || !chart) {
    throw new GitopsInputError(
      `Component '${name}' is not in the catalog (generators/); give --chart and --repo (and --chart-version), or --kind manifests for plain manifests.`,
    );
  }
  repoKind(repository);
  return { repository, name: chart };
}

function chooseLayer(name: string, platform: Platform, schema: ComponentGeneratorSchema, bp?: Blueprint, existing?: ExistingComponent) {
  const layerName = schema.layer ?? existing?.spec.layer.name ?? bp?.layer;
  if (!layerName) {
    throw new GitopsInputError(
      `Component '${name}' is not in the catalog (generators/); give --layer, one of: ${layerNames(platform).join(', ')}.`,
    );
  }
  return findLayer(platform, layerName);
}

export function normalizeOptions(tree: Tree, schema: ComponentGeneratorSchema): NormalizedComponentOptions {
  const name = assertDnsLabel('Component name', schema.name);
  const platform = readPlatform(tree);
  const allEnvironments = readEnvironments(tree);
  const environments = pickEnvironments(allEnvironments, parseList(schema.environments));
  const blueprint = loadBlueprint(catalogFor(tree), name);
  const locations = locateComponents(tree);
  const existingLayer = locations.get(name);
  const existing = existingLayer ? readComponent(tree, platform, existingLayer, name) : undefined;

  const layer = chooseLayer(name, platform, schema, blueprint, existing);
  const kind = chooseKind(schema, blueprint, existing);
  const chart = kind === 'helm' ? chooseChart(name, schema, blueprint, existing) : undefined;
  const version = schema.chartVersion !== undefined ? assertChartVersion(schema.chartVersion) : blueprint?.chart?.version;
  if (kind === 'helm' && version === undefined && !existing) {
    throw new GitopsInputError(`Component '${name}' is not in the catalog (generators/); give --chart-version, e.g. '1.2.3'.`);
  }
  const dependsOn = (parseList(schema.dependsOn) ?? existing?.spec.dependsOn ?? blueprint?.dependsOn ?? []).map((d) =>
    assertDnsLabel('--depends-on', d),
  );
  const namespace = assertDnsLabel(
    'Namespace',
    schema.namespace ?? existing?.spec.namespace ?? blueprint?.namespace ?? layer.namespace,
  );
  return {
    spec: {
      name,
      layer,
      namespace,
      kind,
      chart,
      crds: schema.crds ?? existing?.spec.crds ?? blueprint?.crds ?? false,
      dependsOn: [...new Set(dependsOn)].sort(),
    },
    description: existing?.description ?? blueprint?.description ?? `${name} (${kind === 'helm' ? `chart ${chart!.name}` : 'plain manifests'})`,
    blueprint,
    existing,
    version,
    versionGiven: schema.chartVersion !== undefined,
    dependsOnGiven: schema.dependsOn !== undefined,
    environments,
    allEnvironments,
    platform,
    git: platform.repository,
    locations,
  };
}

/** Where the version of a new overlay comes from (shared/overlay.ts has the rule). */
export function newOverlaySources(o: NormalizedComponentOptions): NewOverlayVersion {
  return { asked: o.versionGiven ? o.version : undefined, environments: o.allEnvironments, catalog: o.blueprint?.chart?.version };
}
