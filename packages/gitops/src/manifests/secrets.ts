/**
 * The provider objects of the platform's Secrets: an ExternalSecret (external-secrets.io/v1) that
 * the External Secrets operator turns into the Secret from a ClusterSecretStore, and the
 * SealedSecret (bitnami.com/v1alpha1) shape that the secret generator fills with sealed values.
 */
import type { SecretDeclaration } from '../model/component';
import { K8sObject, MANAGED_LABELS } from './types';

export const EXTERNAL_SECRET_API = 'external-secrets.io/v1';
export const SEALED_SECRET_API = 'bitnami.com/v1alpha1';

/** The Flux Kustomization / Argo CD Application (and AppProject) that applies an environment's Secret objects. */
export const SECRETS_ENTRY = 'platform-secrets';

/** The component that provides Secrets for each provider (SOPS needs none: kustomize-controller decrypts). */
export const PROVIDER_COMPONENT = { 'external-secrets': 'external-secrets', 'sealed-secrets': 'sealed-secrets', sops: undefined } as const;

/** Where a Secret's values live in the external store: one entry per environment and Secret, one property per key. */
export function remoteKey(env: string, secret: Pick<SecretDeclaration, 'name'>): string {
  return `${env}/${secret.name}`;
}

export function externalSecret(secret: SecretDeclaration, env: string, store: string): K8sObject {
  return {
    apiVersion: EXTERNAL_SECRET_API,
    kind: 'ExternalSecret',
    metadata: { name: secret.name, namespace: secret.namespace, labels: MANAGED_LABELS },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: store },
      target: { name: secret.name, creationPolicy: 'Owner' },
      data: secret.keys.map((k) => ({ secretKey: k.name, remoteRef: { key: remoteKey(env, secret), property: k.name } })),
    },
  };
}

/** A SealedSecret in the strict scope (bound to its name and namespace), with its values already sealed. */
export function sealedSecret(secret: Pick<SecretDeclaration, 'name' | 'namespace'>, encryptedData: Record<string, string>): K8sObject {
  return {
    apiVersion: SEALED_SECRET_API,
    kind: 'SealedSecret',
    metadata: { name: secret.name, namespace: secret.namespace },
    spec: {
      encryptedData,
      template: { metadata: { name: secret.name, namespace: secret.namespace } },
    },
  };
}
