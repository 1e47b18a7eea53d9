/**
 * What a validation result depends on besides the files it reads: the npm
 * packages whose schemas decide stage 4. The graph room lists them as Nx
 * `externalDependencies`, so upgrading a schema package invalidates every
 * cached validate result.
 */
export const SCHEMA_PACKAGES = [
  'kubernetes-models',
  '@kubernetes-models/flux-cd',
  '@kubernetes-models/argo-cd',
  '@kubernetes-models/sealed-secrets',
  '@kubernetes-models/external-secrets',
] as const;

/** Packages the schema packages load at runtime (their validator runtime). */
export const SCHEMA_RUNTIME_PACKAGES = ['@kubernetes-models/base', '@kubernetes-models/validate', 'ajv'] as const;
