/** Options of `nx g @mlops/gitops:remove`, as the user typed them. */
export interface RemoveGeneratorSchema {
  component: string;
  /** Array from Nx Console, or a comma-separated string from the command line. Default: the whole component. */
  environments?: string[] | string;
  skipFormat?: boolean;
}
