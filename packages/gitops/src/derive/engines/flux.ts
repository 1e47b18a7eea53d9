/**
 * Flux: an environment's entry point (`clusters/<env>/kustomization.yaml`, which `flux bootstrap
 * --path` points at, and `namespaces.yaml`) and one Flux Kustomization per deployed component.
 */
import type { Component } from '../../model/component';
import {
  componentFile,
  componentDir,
  environmentEntry,
  environmentFile,
  environmentKustomization,
  fluxDir,
  fluxEntryFile,
  namespacesFile,
  platformFile,
  relativeTo,
  releaseSourceFile,
  secretsDir,
} from '../../model/layout';
import { readYaml } from '../../model/yaml-io';
import {
  environmentKustomization as entryKustomization,
  fluxEntryComment,
  fluxKustomization,
  isGated,
  K8sObject,
  namespace,
  RELEASE_SOURCE,
  releaseGitRepository,
  SECRETS_ENTRY,
  secretsKustomization,
} from '../../manifests/index';
import { DesiredFile, field, MANAGED_BY_FIELD } from '../desired';
import { yamlFilesIn } from '../tree-view';
import { EngineModule, EnvironmentContext } from './engine';
import { existing, isOwnedFile, ownedFilesIn } from './ownership';

export const LAYER_LABEL = 'mlops.example.com/layer';

function optional<T>(x: T | undefined): T[] {
  return x === undefined ? [] : [x];
}

function componentEntry(ctx: EnvironmentContext, c: Component): DesiredFile {
  const { env } = ctx;
  const config = componentFile(c.layer, c.name);
  const settings = environmentFile(env.name);
  return {
    path: fluxEntryFile(env.name, c.name),
    header: fluxEntryComment(c, env),
    documents: [
      {
        object: fluxKustomization(c, env, [...ctx.deployedDependencies(c), ...(ctx.usesSecrets(c) ? [SECRETS_ENTRY] : [])]),
        fields: [
          ...field('the tool (it owns this file)', MANAGED_BY_FIELD),
          ...field(`the component's folder ${componentDir(c.layer, c.name)}`, ['metadata', 'name'], ['spec', 'path']),
          ...field(`${settings} sync (manual: the release source ${RELEASE_SOURCE})`, ['spec', 'sourceRef']),
          ...field(`${config} namespace`, ['spec', 'targetNamespace']),
          ...field(`${config} dependsOn (those deployed in ${env.name}) and secrets`, ['spec', 'dependsOn']),
          ...field(`${settings} prune`, ['spec', 'prune']),
          ...field(`${settings} selfHeal (without it helm-controller only warns of drift)`, ['spec', 'patches']),
          // The gate is the release source, never a suspended Kustomization: a suspend left in a tree goes.
          ...field(`${settings} sync (the release tag gates it, not suspend)`, ['spec', 'suspend']),
        ],
      },
    ],
  };
}

interface HandWritten {
  path: string;
  targetNamespace?: string;
}

/** Flux Kustomizations a person put in flux/: listed in the entry point, their namespaces created. */
function handWrittenEntries(ctx: EnvironmentContext, derived: Set<string>): HandWritten[] {
  const dir = fluxDir(ctx.env.name);
  return yamlFilesIn(ctx.view, dir)
    .map((f) => `${dir}/${f}`)
    .filter((path) => !derived.has(path) && !isOwnedFile(ctx.view, path, ctx.env.name))
    .map((path) => {
      let ns: unknown;
      try {
        ns = readYaml<{ spec?: { targetNamespace?: unknown } } | null>(path, ctx.view.read(path) ?? '')?.spec?.targetNamespace;
      } catch {
        ns = undefined;
      }
      return typeof ns === 'string' ? { path, targetNamespace: ns } : { path };
    });
}

/** Resources a person added to the entry point outside flux/ (kept, after namespaces.yaml). */
function handAddedResources(ctx: EnvironmentContext): string[] {
  const path = environmentKustomization(ctx.env.name);
  const text = ctx.view.read(path);
  if (text === null) return [];
  let resources: unknown;
  try {
    resources = readYaml<{ resources?: unknown } | null>(path, text)?.resources;
  } catch {
    return [];
  }
  const entry = environmentEntry(ctx.env.name);
  const ns = relativeTo(entry, namespacesFile(ctx.env.name));
  const fluxPrefix = relativeTo(entry, fluxDir(ctx.env.name)) + '/';
  return Array.isArray(resources) ? resources.map(String).filter((r) => r !== ns && !r.startsWith(fluxPrefix)) : [];
}

/** A gated environment's GitRepository on its release tag; none before the first release (nothing is applied then). */
function releaseSource(ctx: EnvironmentContext): DesiredFile | undefined {
  if (!isGated(ctx.env) || !ctx.env.release) return undefined;
  const settings = environmentFile(ctx.env.name);
  return {
    path: releaseSourceFile(ctx.env.name),
    header:
      `The release gate of ${ctx.env.name}: every Flux Kustomization here reconciles from this repository at the tag below.\n` +
      `Release or roll back with: nx g @mlops/gitops:release --environment=${ctx.env.name} --tag=<tag>   (derived from ${settings} release).`,
    documents: [
      {
        object: releaseGitRepository(ctx.platform.repository, ctx.env.release),
        fields: [
          ...field('the tool (it owns this file)', MANAGED_BY_FIELD),
          ...field(`${platformFile()} repository`, ['spec', 'url']),
          ...field(`${settings} release`, ['spec', 'ref']),
        ],
      },
    ],
  };
}

function secretsEntry(ctx: EnvironmentContext): DesiredFile | undefined {
  const secrets = ctx.secrets;
  if (!secrets) return undefined;
  const settings = environmentFile(ctx.env.name);
  return {
    path: fluxEntryFile(ctx.env.name, SECRETS_ENTRY),
    header: `The Secret objects of ${ctx.env.name} (${secrets.provider}): applies ${secretsDir(ctx.env.name)} (derived by @mlops/gitops).`,
    documents: [
      {
        object: secretsKustomization(ctx.env, secrets.provider, secrets.dependsOn),
        fields: [
          ...field('the tool (it owns this file)', MANAGED_BY_FIELD),
          ...field(`the secrets folder ${secretsDir(ctx.env.name)}`, ['spec', 'path']),
          ...field(`${settings} sync (manual: the release source ${RELEASE_SOURCE})`, ['spec', 'sourceRef']),
          ...field(`${settings} prune`, ['spec', 'prune']),
          ...field(`the secret provider (${platformFile()} secrets, ${settings} secretsProvider)`, ['spec', 'dependsOn'], ['spec', 'decryption']),
        ],
      },
    ],
  };
}

function entryPoint(ctx: EnvironmentContext, entries: DesiredFile[], handWritten: HandWritten[]): DesiredFile {
  const env = ctx.env.name;
  const entry = environmentEntry(env);
  const listed = [...entries.map((e) => e.path), ...handWritten.map((h) => h.path)].map((p) => relativeTo(entry, p));
  const resources = [relativeTo(entry, namespacesFile(env)), ...[...new Set([...listed, ...handAddedResources(ctx)])].sort()];
  return {
    path: environmentKustomization(env),
    header:
      `Flux entry point of ${env} (flux bootstrap --path points at this folder).\n` +
      `Derived by @mlops/gitops from the components deployed here: run nx sync after editing a source.`,
    documents: [
      {
        object: entryKustomization(resources),
        fields: field(`the components with an overlay for ${env}, and flux/`, ['resources']),
      },
    ],
  };
}

function namespaces(ctx: EnvironmentContext, handWritten: HandWritten[]): DesiredFile {
  const byName = new Map<string, K8sObject>();
  for (const c of ctx.deployed) if (!byName.has(c.namespace)) byName.set(c.namespace, namespace(c.namespace, c.layer));
  for (const h of handWritten) if (h.targetNamespace && !byName.has(h.targetNamespace)) byName.set(h.targetNamespace, namespace(h.targetNamespace));
  const objects = [...byName.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return {
    path: namespacesFile(ctx.env.name),
    header: `Namespaces of ${ctx.env.name}, created before any component (derived by @mlops/gitops).`,
    documents: objects.map((object) => ({
      object,
      fields: object.metadata.labels ? field('the layer of the components deploying into it', ['metadata', 'labels', LAYER_LABEL]) : [],
    })),
  };
}

export const fluxEngine: EngineModule = {
  name: 'flux',
  derive(ctx) {
    const entries = [...ctx.deployed.map((c) => componentEntry(ctx, c)), ...optional(secretsEntry(ctx))];
    const release = optional(releaseSource(ctx));
    const handWritten = handWrittenEntries(ctx, new Set(entries.map((e) => e.path)));
    return [entryPoint(ctx, [...release, ...entries], handWritten), namespaces(ctx, handWritten), ...release, ...entries];
  },
  ownedFiles(view, env) {
    return [
      ...existing(view, [environmentKustomization(env), namespacesFile(env), releaseSourceFile(env)]),
      ...ownedFilesIn(view, fluxDir(env), env),
    ];
  },
  entryFile: fluxEntryFile,
  manualGate(_component, env) {
    return `nx g @mlops/gitops:release --environment=${env.name} --tag=<tag>   # ${env.name} applies only its release tag`;
  },
  onRemove(c, env) {
    const applied =
      c.kind === 'helm' ? `the HelmRelease '${c.releaseName}', and helm-controller uninstalls the Helm release '${c.releaseName}'` : 'its objects';
    if (env.prune && env.sync === 'auto') {
      return `Flux (${env.name}): the parent Kustomization prunes the Kustomization '${c.name}', whose garbage collection deletes ${applied}.`;
    }
    const byHand =
      c.kind === 'helm'
        ? `kubectl -n ${c.namespace} delete helmrelease ${c.releaseName}`
        : `kubectl -n ${c.namespace} delete <each object of ${c.name}>`;
    return `Flux (${env.name}): the Kustomization '${c.name}' goes, but ${env.name} syncs manually without pruning, so what it applied stays. To uninstall, a person runs: ${byHand}`;
  },
  onRename(from, to, env) {
    const release = from.kind === 'helm' ? ` (the HelmRelease keeps its name and the Helm release '${from.releaseName}' its name)` : '';
    return (
      `Flux (${env.name}): the Kustomization '${from.name}' is replaced by '${to}'. The base's objects keep their names${release} ` +
      `and carry kustomize.toolkit.fluxcd.io/prune: disabled, so the old Kustomization's garbage collection leaves them and '${to}' adopts them: no uninstall.`
    );
  },
};
