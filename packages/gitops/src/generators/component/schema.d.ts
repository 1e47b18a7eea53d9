import type { ComponentKind } from '../../model/vocabulary';

/** Options of `nx g @mlops/gitops:component`, as the user typed them. */
export interface ComponentGeneratorSchema {
  name: string;
  layer?: string;
  kind?: ComponentKind;
  chart?: string;
  repo?: string;
  chartVersion?: string;
  namespace?: string;
  /** Array from Nx Console, or a comma-separated string from the command line. */
  dependsOn?: string[] | string;
  environments?: string[] | string;
  crds?: boolean;
  skipFormat?: boolean;
}
