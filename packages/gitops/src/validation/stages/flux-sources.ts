/**
 * Which Flux Kustomizations deploy a folder of this repository: a `spec.path` is relative to
 * the root of its source, so only a GitRepository that is this repository resolves here
 * (`flux-system`, the one `flux bootstrap` writes, or one whose URL is this repository's).
 * The path of an OCIRepository, a Bucket or another repository lies in an artifact this
 * tree does not hold and cannot be checked offline.
 */
import { folderOf, Subject } from './subject';
import { groupOf, metadataOf } from '../../model/kubernetes';

export interface OwnSources {
  /** GitRepository names that stand for this repository. */
  names: string[];
  /** Whether a GitRepository URL is this repository (layout mode knows it from platform.yaml). */
  isOwnUrl: (url: string) => boolean;
}

export function isFluxKustomization(o: Record<string, unknown>): boolean {
  return o.kind === 'Kustomization' && groupOf(String(o.apiVersion)) === 'kustomize.toolkit.fluxcd.io';
}

/** The folder of this repository a Flux Kustomization deploys, or undefined when its source is elsewhere. */
export function deployedFolder(ks: Subject, own: OwnSources, gitRepositories: () => Subject[]): string | undefined {
  const spec = (ks.object.spec ?? {}) as Record<string, unknown>;
  const ref = (spec.sourceRef ?? {}) as Record<string, unknown>;
  if (ref.kind !== 'GitRepository' || typeof ref.name !== 'string') return undefined;
  if (!own.names.includes(ref.name) && !isOwnGitRepository(ref, ks, own, gitRepositories)) return undefined;
  return folderOf(typeof spec.path === 'string' ? spec.path : '');
}

function isOwnGitRepository(ref: Record<string, unknown>, ks: Subject, own: OwnSources, gitRepositories: () => Subject[]): boolean {
  const ns = typeof ref.namespace === 'string' ? ref.namespace : metadataOf(ks.object).namespace;
  return gitRepositories().some((g) => {
    const m = metadataOf(g.object);
    const url = ((g.object.spec ?? {}) as Record<string, unknown>).url;
    return m.name === ref.name && (m.namespace === undefined || m.namespace === ns) && typeof url === 'string' && own.isOwnUrl(url);
  });
}
