/** Options of `nx g @mlops/gitops:secret`, as the user typed them. */
export interface SecretGeneratorSchema {
  name: string;
  component: string;
  /** Environments to provide it in: an array from Nx Console, or `a,b`. Default: every environment that deploys the component. */
  environments?: string[] | string;
  /** The Secret's keys: an array or `a,b`. Default: the declaration's, or the keys of --from-env-file. */
  keys?: string[] | string;
  namespace?: string;
  description?: string;
  provider?: string;
  cert?: string;
  fromEnvFile?: string;
  skipFormat?: boolean;
}
