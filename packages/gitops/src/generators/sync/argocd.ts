/**
 * The Argo CD side of an environment: each Application's chart targetRevision follows the
 * overlay's version.yaml and its annotations (the sync wave) follow platform.yaml's layer order;
 * every layer with an Application has its AppProject, allowing what the Application needs.
 */
import { Tree } from '@nx/devkit';
import { EnvironmentSettings } from '../../model/environment-settings';
import { argoApplicationFile, argoProjectFile, argoRootAppFile, environmentFile, overlayFile, platformFile, VERSION_PATCH_FILE } from '../../model/layout';
import { setIfChanged } from '../../model/yaml-io';
import { application, ComponentSpec, GitSource } from '../../manifests';
import { editYamlFile, setYamlField } from '../shared/files';
import { readOverlayVersion } from '../shared/overlay';
import { ensureProject, setApplicationVersion, usesArgo, writeArgoEntryPoint } from '../shared/wiring';
import { DriftLog } from './drift';

export function syncArgo(tree: Tree, log: DriftLog, env: EnvironmentSettings, components: Map<string, ComponentSpec>, git: GitSource): void {
  const deployed = [...components.values()].filter((c) => tree.exists(argoApplicationFile(env.name, c.name)));
  if (usesArgo(env) || deployed.length > 0) {
    log.check(argoRootAppFile(env.name), 'the root app-of-apps was missing', () => writeArgoEntryPoint(tree, env, git));
  }
  for (const c of deployed) {
    const project = argoProjectFile(env.name, c.layer.name);
    const reason = tree.exists(project)
      ? `AppProject of layer ${c.layer.name} lacked a source repository or destination of Application ${c.name}`
      : `AppProject of layer ${c.layer.name} was missing, and Application ${c.name} is in it`;
    log.check(project, reason, () => ensureProject(tree, c, env.name, git));
    syncApplication(tree, log, env, c, git);
  }
}

function syncApplication(tree: Tree, log: DriftLog, env: EnvironmentSettings, c: ComponentSpec, git: GitSource): void {
  const path = argoApplicationFile(env.name, c.name);
  const version = c.kind === 'helm' ? readOverlayVersion(tree, c, env.name) : undefined;
  if (version !== undefined) {
    const source = overlayFile(c.layer.name, c.name, env.name, VERSION_PATCH_FILE);
    log.check(path, `targetRevision differs from ${source}; now ${version}`, () => setApplicationVersion(tree, c, env.name, version));
  }
  const app = application(c, env, git, version);
  const spec = app.spec as { destination: { namespace: string }; syncPolicy: { automated?: unknown } };
  log.check(path, `destination.namespace differs from component.yaml namespace; now ${spec.destination.namespace}`, () =>
    setYamlField(tree, path, ['spec', 'destination', 'namespace'], spec.destination.namespace),
  );
  const automated = spec.syncPolicy.automated;
  log.check(
    path,
    `syncPolicy.automated differs from ${environmentFile(env.name)} (sync ${env.sync}, prune ${env.prune}, selfHeal ${env.selfHeal}); now ${automated === undefined ? 'none' : JSON.stringify(automated)}`,
    () => setYamlField(tree, path, ['spec', 'syncPolicy', 'automated'], automated),
  );
  const annotations = (app.metadata.annotations ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(annotations)) {
    log.check(path, `${key} differs from the order of layer ${c.layer.name} in ${platformFile()}; now ${value}`, () =>
      editYamlFile(tree, path, (doc) => setIfChanged(doc, ['metadata', 'annotations', key], value)),
    );
  }
}
