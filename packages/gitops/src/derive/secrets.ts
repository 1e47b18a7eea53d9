/**
 * The Secret objects of an environment (`clusters/<env>/secrets/`): for External Secrets one
 * ExternalSecret per Secret the deployed components declare, derived from component.yaml and
 * platform.yaml; for Sealed Secrets and SOPS the files the `secret` generator (or a person) wrote,
 * which derive cannot produce (they hold encrypted values) and only lists. The folder's
 * kustomization.yaml lists every file in it; one Flux Kustomization or Argo CD Application applies it.
 */
import { providedSecrets, SecretDeclaration } from '../model/component';
import { componentFile, KUSTOMIZATION_FILE, platformFile, secretFile, secretsDir } from '../model/layout';
import { environmentKustomization as listKustomization, externalSecret, SECRETS_ENTRY } from '../manifests/index';
import { DesiredFile, field, MANAGED_BY_FIELD } from './desired';
import type { EnvironmentContext } from './engines/engine';
import { existing, ownedFilesIn } from './engines/ownership';
import { TreeView, yamlFilesIn } from './tree-view';

export interface SecretNeed {
  secret: SecretDeclaration;
  /** The component.yaml declaring it (the first, when several declare the same name and namespace). */
  declaredIn: string;
}

/** The Secrets the deployed components need the provider to supply, one per namespace and name. */
export function secretsNeeded(ctx: Pick<EnvironmentContext, 'deployed'>): SecretNeed[] {
  const byKey = new Map<string, SecretNeed>();
  for (const c of ctx.deployed) {
    for (const secret of providedSecrets(c)) {
      const key = `${secret.namespace}/${secret.name}`;
      if (!byKey.has(key)) byKey.set(key, { secret, declaredIn: componentFile(c.layer, c.name) });
    }
  }
  return [...byKey.values()].sort((a, b) =>
    secretFile('', a.secret.namespace, a.secret.name).localeCompare(secretFile('', b.secret.namespace, b.secret.name)),
  );
}

export function deriveSecretFiles(ctx: EnvironmentContext): DesiredFile[] {
  const env = ctx.env.name;
  const needs = secretsNeeded(ctx);
  const objects = ctx.env.secrets === 'external-secrets' ? needs.map(({ secret, declaredIn }) => externalSecretFile(ctx, secret, declaredIn)) : [];
  const dir = secretsDir(env);
  const owned = new Set(ownedFilesIn(ctx.view, dir, env));
  const written = yamlFilesIn(ctx.view, dir).filter((f) => f !== KUSTOMIZATION_FILE && !owned.has(`${dir}/${f}`));
  const listed = [...new Set([...objects.map((o) => o.path.slice(dir.length + 1)), ...written])].sort();
  if (listed.length === 0 && needs.length === 0) return [];
  const kustomization: DesiredFile = {
    path: `${dir}/${KUSTOMIZATION_FILE}`,
    header: `The Secret objects of ${env}, applied by ${SECRETS_ENTRY} (derived by @mlops/gitops: every file of this folder).`,
    documents: [{ object: listKustomization(listed), fields: field(`the files of ${dir}`, ['resources']) }],
  };
  return [kustomization, ...objects];
}

function externalSecretFile(ctx: EnvironmentContext, secret: SecretDeclaration, declaredIn: string): DesiredFile {
  const store = ctx.platform.secrets.store;
  return {
    path: secretFile(ctx.env.name, secret.namespace, secret.name),
    header: `Secret ${secret.name} in ${secret.namespace} (${ctx.env.name}), from the ClusterSecretStore ${store}: derived from ${declaredIn}.`,
    documents: [
      {
        object: externalSecret(secret, ctx.env.name, store),
        fields: [
          ...field('the tool (it owns this file)', MANAGED_BY_FIELD),
          ...field(`${declaredIn} secrets`, ['metadata', 'name'], ['metadata', 'namespace'], ['spec', 'target'], ['spec', 'data']),
          ...field(`${platformFile()} secrets.store`, ['spec', 'secretStoreRef']),
        ],
      },
    ],
  };
}

/** The files of the secrets folder derive owns: its kustomization.yaml and the ExternalSecrets it wrote. */
export function ownedSecretFiles(view: TreeView, env: string): string[] {
  const dir = secretsDir(env);
  return [...existing(view, [`${dir}/${KUSTOMIZATION_FILE}`]), ...ownedFilesIn(view, dir, env)];
}
