export interface ReleaseGeneratorSchema {
  component?: string;
  environment: string;
  tag?: string;
  chartVersion?: string;
  imageTag?: string;
  valuesKey?: string;
  skipFormat?: boolean;
}
