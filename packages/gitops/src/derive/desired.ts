/**
 * The desired state of the derived files: what `derive` returns and `reconcile` applies.
 *
 * A derived file is written whole when it is missing. When it exists, only its derived fields are
 * set (in place, comments kept); every other field is an initial default a person may change
 * (a Flux Kustomization's `interval`, say) and stays as it is.
 */
import { MANAGED_BY, MANAGED_BY_LABEL } from '../manifests/types';

export type FieldPath = (string | number)[];

export interface DerivedField {
  path: FieldPath;
  /** The source of truth it follows, for messages: e.g. "gitops/components/…/component.yaml dependsOn". */
  source: string;
}

export interface DesiredDocument {
  /** The complete object, as written when the document is missing. */
  object: Record<string, unknown>;
  /** The fields derive owns in an existing document; a field whose desired value is undefined is removed. */
  fields: DerivedField[];
}

export interface DesiredFile {
  path: string;
  /** A file outside every environment's folder (the workspace's .sops.yaml): the environments whose validation checks it. */
  environments?: string[];
  /** Comment at the top of a new file. */
  header?: string;
  /** Matched with the file's documents by kind and metadata.name; documents derive does not want are removed. */
  documents: DesiredDocument[];
}

export const MANAGED_BY_FIELD: FieldPath = ['metadata', 'labels', MANAGED_BY_LABEL];

/** Identity of a document inside a derived file. */
export function documentKey(object: unknown): string {
  const o = (object ?? {}) as { kind?: unknown; metadata?: { name?: unknown } };
  return `${String(o.kind ?? '')}/${String(o.metadata?.name ?? '')}`;
}

/** Whether a parsed object carries the managed-by label. */
export function isManaged(object: unknown): boolean {
  const labels = (object as { metadata?: { labels?: Record<string, unknown> } } | null)?.metadata?.labels;
  return labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

export function field(source: string, ...paths: FieldPath[]): DerivedField[] {
  return paths.map((path) => ({ path, source }));
}
