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

/**
 * Packages whose code decides results besides the schema packages: the validator runtime
 * the schema packages load, the CEL evaluator of the CRD rules, and the .gitignore-style
 * matcher of `.sourceignore` and `--exclude`.
 */
export const SCHEMA_RUNTIME_PACKAGES = ['@kubernetes-models/base', '@kubernetes-models/validate', 'ajv', '@bufbuild/cel', 'ignore'] as const;
