/**
 * The production gate, layout mode: an environment that syncs manually applies only its release
 * tag (environment.yaml `release`). Every Flux Kustomization in its flux/ folder reconciles from
 * the release GitRepository, and every Argo CD Application in argocd/apps takes this repository at
 * the release tag. Derived entries are held to that by drift already; this also covers entries
 * written by hand (`gate-open`), and says when nothing has been released yet (`gate-unreleased`).
 */
import { EnvironmentSettings } from '../../model/environment-settings';
import { argoAppsDir, environmentFile, fluxDir } from '../../model/layout';
import { Platform } from '../../model/platform';
import { TreeModel } from '../../model/tree-model';
import { keyLineOf, loadYamlFile, ParsedYamlFile } from '../../model/yaml-io';
import { isGated, RELEASE_SOURCE } from '../../manifests/index';
import { TreeView, yamlFilesIn } from '../../derive/index';
import { Finding } from '../types';

export function checkGate(view: TreeView, model: TreeModel): Finding[] {
  const platform = model.platform;
  if (!platform) return [];
  const out: Finding[] = [];
  for (const e of model.environments.values()) {
    const env = e.resolved;
    if (!env || !isGated(env)) continue;
    if (!env.release) out.push(unreleased(env, e.file));
    out.push(...fluxEntries(view, env), ...argoEntries(view, env, platform));
  }
  return out;
}

function unreleased(env: EnvironmentSettings, file: string): Finding {
  return {
    target: '',
    file,
    line: 1,
    rule: 'gate-unreleased',
    severity: 'warning',
    message: `Environment '${env.name}' syncs manually but names no release tag: Flux applies nothing there, and Argo CD's Applications follow the branch until one is set.`,
    hint: `Tag a reviewed commit and release it: git tag v1.0.0 && git push origin v1.0.0 && npx nx g @mlops/gitops:release --environment=${env.name} --tag=v1.0.0`,
  };
}

interface Entry {
  path: string;
  parsed: ParsedYamlFile;
  index: number;
  object: Record<string, any>;
}

function entriesIn(view: TreeView, dir: string, kind: string): Entry[] {
  const out: Entry[] = [];
  for (const f of yamlFilesIn(view, dir)) {
    const path = `${dir}/${f}`;
    const parsed = loadYamlFile(path, view.read(path) ?? '');
    for (const d of parsed.documents) {
      const o = d.value as Record<string, any> | null;
      if (o && o.kind === kind) out.push({ path, parsed, index: d.index, object: o });
    }
  }
  return out;
}

function fluxEntries(view: TreeView, env: EnvironmentSettings): Finding[] {
  return entriesIn(view, fluxDir(env.name), 'Kustomization')
    .filter((e) => e.object.spec?.sourceRef?.name !== RELEASE_SOURCE)
    .map((e) =>
      open(
        e,
        ['spec', 'sourceRef'],
        env,
        `Flux Kustomization '${e.object.metadata?.name}' reconciles from '${e.object.spec?.sourceRef?.name ?? '(no source)'}', not from the release source ${RELEASE_SOURCE}`,
      ),
    );
}

function argoEntries(view: TreeView, env: EnvironmentSettings, platform: Platform): Finding[] {
  if (!env.release) return [];
  const out: Finding[] = [];
  for (const e of entriesIn(view, argoAppsDir(env.name), 'Application')) {
    const spec = e.object.spec ?? {};
    const sources: { at: (string | number)[]; source: Record<string, any> }[] = Array.isArray(spec.sources)
      ? spec.sources.map((source: Record<string, any>, i: number) => ({ at: ['spec', 'sources', i, 'targetRevision'], source }))
      : spec.source
        ? [{ at: ['spec', 'source', 'targetRevision'], source: spec.source }]
        : [];
    for (const { at, source } of sources) {
      if (source?.repoURL !== platform.repository.url || source.targetRevision === env.release) continue;
      out.push(
        open(
          e,
          at,
          env,
          `Application '${e.object.metadata?.name}' takes this repository at '${source.targetRevision ?? 'HEAD'}', not at the release tag ${env.release}`,
        ),
      );
    }
  }
  return out;
}

function open(e: Entry, at: (string | number)[], env: EnvironmentSettings, what: string): Finding {
  return {
    target: '',
    file: e.path,
    line: keyLineOf(e.parsed, e.index, at),
    rule: 'gate-open',
    severity: 'error',
    message: `${what}: environment '${env.name}' syncs manually and applies only its release (${environmentFile(env.name)} release).`,
    hint: `Derived entries follow with \`npx nx sync\`; an entry written by hand must use the release source too.`,
  };
}
