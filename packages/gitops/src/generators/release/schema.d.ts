export interface ReleaseGeneratorSchema {
  component: string;
  environment: string;
  chartVersion?: string;
  imageTag?: string;
  valuesKey?: string;
  skipFormat?: boolean;
}
