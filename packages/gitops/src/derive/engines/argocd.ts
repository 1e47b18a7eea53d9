/**
 * Argo CD: an environment's root app-of-apps (`argocd/root.yaml`, applied once), one AppProject
 * per layer that has an Application (least privilege), one Application per deployed component.
 */
import type { Component } from '../../model/component';
import {
  argoApplicationFile,
  argoAppsDir,
  argoConfigFile,
  argoProjectFile,
  argoRootAppFile,
  componentDir,
  componentFile,
  environmentFile,
  overlayFile,
  platformFile,
  VERSION_PATCH_FILE,
} from '../../model/layout';
import type { Layer } from '../../model/platform';
import {
  application,
  appProject,
  argocdConfig,
  ARGOCD_NAMESPACE,
  ROOT_PROJECT,
  rootObjects,
  SECRETS_ENTRY,
  secretsApplication,
  secretsProject,
  SYNC_WAVE_ANNOTATION,
  TARGET_REVISION_PATH,
} from '../../manifests/index';
import { DerivedField, DesiredFile, field, MANAGED_BY_FIELD } from '../desired';
import { EngineModule, EnvironmentContext } from './engine';
import { existing, ownedFilesIn } from './ownership';

const OWNED = 'the tool (it owns this file)';

function sourceFields(c: Component, env: string): DerivedField[] {
  const base = `${componentDir(c.layer, c.name)}/base`;
  const git = `${platformFile()} repository (sync: manual: ${environmentFile(env)} release)`;
  if (c.kind !== 'helm') {
    return [
      ...field(git, ['spec', 'source', 'repoURL'], ['spec', 'source', 'targetRevision']),
      ...field(`the overlay ${componentDir(c.layer, c.name)}/overlays/${env}`, ['spec', 'source', 'path']),
      ...field(`${componentFile(c.layer, c.name)} kind`, ['spec', 'sources']),
    ];
  }
  const chart = ['spec', 'sources', 0];
  return [
    ...field(`the chart source ${base}/source.yaml`, [...chart, 'repoURL'], [...chart, 'chart'], [...chart, 'path']),
    ...field(overlayFile(c.layer, c.name, env, VERSION_PATCH_FILE), TARGET_REVISION_PATH),
    ...field(`${componentFile(c.layer, c.name)} releaseName`, [...chart, 'helm', 'releaseName']),
    ...field(`the values files of ${componentDir(c.layer, c.name)}`, [...chart, 'helm', 'valueFiles']),
    ...field(git, ['spec', 'sources', 1]),
    ...field(`${componentFile(c.layer, c.name)} kind`, ['spec', 'source']),
  ];
}

function applicationFile(ctx: EnvironmentContext, c: Component): DesiredFile {
  const { env } = ctx;
  const layer = ctx.layerOf(c);
  const wave = ctx.wave(c);
  const version = c.kind === 'helm' ? c.overlays.get(env.name)?.version : undefined;
  const settings = environmentFile(env.name);
  const gate =
    env.sync === 'manual'
      ? `\nsync: manual. Its Git sources are at the release tag (${environmentFile(env.name)} release) and it never syncs on its own:\n` +
        `release with 'nx g @mlops/gitops:release --environment=${env.name} --tag=<tag>', then '${argoEngine.manualGate(c.name, env)}'.`
      : '';
  return {
    path: argoApplicationFile(env.name, c.name),
    header: `${c.name} in ${env.name} (layer ${layer.name}, sync wave ${wave}); derived by @mlops/gitops: edit the sources, then nx sync.${gate}`,
    documents: [
      {
        object: application(c, env, ctx.platform.repository, {
          project: layer.name,
          wave,
          version,
        }),
        fields: [
          ...field(OWNED, MANAGED_BY_FIELD),
          ...field(`the component's folder ${componentDir(c.layer, c.name)}`, ['metadata', 'name']),
          ...field(`the dependencies in ${componentFile(c.layer, c.name)} and the layer order in ${platformFile()}`, [
            'metadata',
            'annotations',
            SYNC_WAVE_ANNOTATION,
          ]),
          ...field(`the layer folder of ${c.name}`, ['spec', 'project']),
          ...field(`${componentFile(c.layer, c.name)} namespace`, ['spec', 'destination']),
          ...field(`${settings} sync, prune, selfHeal`, ['spec', 'syncPolicy', 'automated']),
          ...sourceFields(c, env.name),
        ],
      },
    ],
  };
}

function projectFile(ctx: EnvironmentContext, layer: Layer, members: Component[]): DesiredFile {
  const git = ctx.platform.repository.url;
  const repos = [...new Set([git, ...members.flatMap((c) => (c.chart ? [c.chart.repository] : []))])];
  const namespaces = [...new Set(members.map((c) => c.namespace))];
  const object = appProject(
    layer,
    repos,
    namespaces,
    members.some((c) => c.crds),
  );
  const source = `the Applications of layer ${layer.name} in ${ctx.env.name} (chart sources, namespaces, CRDs)`;
  return {
    path: argoProjectFile(ctx.env.name, layer.name),
    header: `AppProject of layer ${layer.name} in ${ctx.env.name}: least privilege (derived by @mlops/gitops).`,
    documents: [
      {
        object,
        fields: [
          ...field(OWNED, MANAGED_BY_FIELD),
          ...field(`${platformFile()} layers`, ['spec', 'description']),
          ...field(source, ['spec', 'sourceRepos'], ['spec', 'destinations'], ['spec', 'clusterResourceWhitelist']),
        ],
      },
    ],
  };
}

function secretsFiles(ctx: EnvironmentContext): DesiredFile[] {
  const secrets = ctx.secrets;
  if (!secrets) return [];
  const env = ctx.env.name;
  const settings = environmentFile(env);
  return [
    {
      path: argoProjectFile(env, SECRETS_ENTRY),
      header: `AppProject of the Secret objects of ${env}: this repository and the namespaces they live in (derived by @mlops/gitops).`,
      documents: [
        {
          object: secretsProject(ctx.platform.repository, secrets.namespaces),
          fields: [...field(OWNED, MANAGED_BY_FIELD), ...field(`the namespaces of the Secrets the components of ${env} declare`, ['spec'])],
        },
      ],
    },
    {
      path: argoApplicationFile(env, SECRETS_ENTRY),
      header: `The Secret objects of ${env} (${secrets.provider}), sync wave ${secrets.wave}: after the provider's operator, before the components needing them.`,
      documents: [
        {
          object: secretsApplication(ctx.env, ctx.platform.repository, secrets.wave),
          fields: [
            ...field(OWNED, MANAGED_BY_FIELD),
            ...field(`the secret provider's operator and the components' secrets`, ['metadata', 'annotations', SYNC_WAVE_ANNOTATION]),
            ...field(`${platformFile()} repository (sync: manual: ${settings} release)`, ['spec', 'source']),
            ...field(`${settings} sync, prune, selfHeal`, ['spec', 'syncPolicy', 'automated']),
          ],
        },
      ],
    },
  ];
}

/** The argocd-cm keys the waves need; applied server-side so Argo CD's other settings stay as they are. */
function configFile(ctx: EnvironmentContext): DesiredFile {
  const path = argoConfigFile(ctx.env.name);
  return {
    path,
    header:
      `Argo CD settings this tree needs in ${ctx.env.name}: Application health, so that sync waves wait for the Applications before them.\n` +
      `Apply once, server-side so the other keys of argocd-cm stay: kubectl apply --server-side --field-manager=mlops-gitops -f ${path}`,
    documents: [
      {
        object: argocdConfig(),
        fields: [...field(OWNED, MANAGED_BY_FIELD), ...field('Argo CD (1.8 and later assess no Application health by default)', ['data'])],
      },
    ],
  };
}

function rootFile(ctx: EnvironmentContext): DesiredFile {
  const path = argoRootAppFile(ctx.env.name);
  const source = `${platformFile()} repository and ${environmentFile(ctx.env.name)}`;
  return {
    path,
    header:
      `Argo CD root app-of-apps of ${ctx.env.name}: apply once with 'kubectl apply -f ${path}' (after argocd-cm.yaml), it syncs argocd/apps.\n` +
      `AppProject ${ROOT_PROJECT} limits it to this repository, the argocd namespace, Applications and AppProjects.`,
    documents: rootObjects(ctx.env, ctx.platform.repository).map((object) => ({
      object,
      fields: [...field(OWNED, MANAGED_BY_FIELD), ...field(source, ['spec'])],
    })),
  };
}

export const argoEngine: EngineModule = {
  name: 'argocd',
  derive(ctx) {
    const byLayer = new Map<string, Component[]>();
    for (const c of ctx.deployed) byLayer.set(c.layer, [...(byLayer.get(c.layer) ?? []), c]);
    const projects = [...byLayer.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, members]) => projectFile(ctx, ctx.layerOf(members[0]), members));
    return [rootFile(ctx), configFile(ctx), ...projects, ...secretsFiles(ctx), ...ctx.deployed.map((c) => applicationFile(ctx, c))];
  },
  ownedFiles(view, env) {
    return [...existing(view, [argoRootAppFile(env), argoConfigFile(env)]), ...ownedFilesIn(view, argoAppsDir(env), env)];
  },
  entryFile: argoApplicationFile,
  manualGate(component) {
    return `argocd app sync ${component}`;
  },
  onRemove(c, env) {
    if (env.prune) {
      return `Argo CD (${env.name}): the root app-of-apps prunes the Application '${c.name}'; its resources finalizer deletes everything it deployed (the Helm release '${c.releaseName}' included).`;
    }
    return `Argo CD (${env.name}): the root app-of-apps does not prune here, so the Application '${c.name}' stays until a person runs: argocd app delete ${c.name}   (its resources finalizer then deletes what it deployed)`;
  },
  onRename(from, to, env) {
    return (
      `Argo CD (${env.name}): the Application '${from.name}' is replaced by '${to}', which keeps the Helm release name ` +
      `'${from.releaseName}'. Before merging, remove the old Application's resources finalizer so pruning it deletes nothing: ` +
      `kubectl -n ${ARGOCD_NAMESPACE} patch application ${from.name} --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'`
    );
  },
};
