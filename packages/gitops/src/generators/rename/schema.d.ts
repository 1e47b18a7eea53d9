/** Options of `nx g @mlops/gitops:rename`, as the user typed them. */
export interface RenameGeneratorSchema {
  component: string;
  to: string;
  skipFormat?: boolean;
}
