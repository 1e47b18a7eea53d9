/**
 * What a push-based deployment says, read from its files: the releases and plain manifests it
 * deploys, and everything it does that import does not take over, each with its file and line.
 * Every format reader (ansible, helmfile, values-dir) returns this; plan.ts maps it onto the tree.
 */
import { ChartRef } from '../../../model/component';
import { ManifestObject } from '../../../model/catalog';
import { ImportFormat } from '../../../model/vocabulary';

export interface SourceLocation {
  file: string;
  line: number;
}

/** A key of `values` meaning: the same values in every environment (the source does not distinguish them). */
export const EVERY_ENVIRONMENT = '*';

export interface ImportedRelease {
  kind: 'helm';
  /** The Helm release name the push deployment used. */
  name: string;
  namespace?: string;
  chart: ChartRef;
  version?: string;
  /** Values by the source's environment name, or under EVERY_ENVIRONMENT; already merged in the order Helm applies them. */
  values: Map<string, Record<string, unknown>>;
  /** Releases that must be ready first (helmfile `needs`), by release name. */
  needs: string[];
  at: SourceLocation;
}

export interface ImportedManifests {
  kind: 'manifests';
  /** Component name: the manifest file's name, or the first object's name. */
  name: string;
  namespace?: string;
  objects: ManifestObject[];
  at: SourceLocation;
}

export type ImportedItem = ImportedRelease | ImportedManifests;

export interface SkippedItem extends SourceLocation {
  /** What was skipped (a task's name, a release). */
  what: string;
  reason: string;
}

export interface ParsedSource {
  format: ImportFormat;
  items: ImportedItem[];
  skipped: SkippedItem[];
}

/** The files a reader reads, relative to the workspace (the Nx Tree satisfies it). */
export interface SourceFiles {
  read(path: string): string | null;
  children(dir: string): string[];
  isFile(path: string): boolean;
}

/** A problem with one item: it is skipped and reported, the rest is imported. */
export class SkipItem extends Error {
  constructor(
    reason: string,
    readonly line?: number,
    readonly file?: string,
  ) {
    super(reason);
  }
}
