import type { ImportFormat } from '../../model/vocabulary';

/** Options of `nx g @mlops/gitops:import <path>`, as the user typed them. */
export interface ImportGeneratorSchema {
  path: string;
  format?: ImportFormat;
  /** Array from Nx Console, or a comma-separated string from the command line. */
  environments?: string[] | string;
  defaultLayer?: string;
  /** values-dir: the release whose values to import, and its chart. */
  release?: string;
  chart?: string;
  repo?: string;
  chartVersion?: string;
  namespace?: string;
  skipFormat?: boolean;
}
