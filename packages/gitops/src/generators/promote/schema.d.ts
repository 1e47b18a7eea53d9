/** Options of `nx g @mlops/gitops:promote`, as the user typed them. */
export interface PromoteGeneratorSchema {
  /** Components to promote: positional arguments, an array from Nx Console, or `a,b`. */
  components?: string[] | string;
  to: string;
  from?: string;
  all?: boolean;
  allowDowngrade?: boolean;
  summaryFile?: string;
  /** Release tag the (manually synced) --to environment applies from now on: an existing Git tag. */
  tag?: string;
  skipFormat?: boolean;
}
