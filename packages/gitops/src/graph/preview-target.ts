/**
 * The inferred `preview` target: what a change between two commits does to the project
 * (`nx affected -t preview` with NX_BASE set previews only what the change touches). Never cached:
 * the result depends on the git refs compared, which are not among the files Nx hashes.
 */
import type { TargetConfiguration } from '@nx/devkit';

export const PREVIEW_TARGET = 'preview';
export const PREVIEW_EXECUTOR = '@mlops/gitops:preview';

export function previewTarget(description: string): TargetConfiguration {
  return { executor: PREVIEW_EXECUTOR, options: {}, cache: false, metadata: { description, technologies: ['kustomize'] } };
}
