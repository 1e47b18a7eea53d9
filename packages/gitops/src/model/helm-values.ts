/**
 * Helm's merge of chart values, the one implementation: later layers win, maps merge key by key,
 * anything else (lists included) is replaced, and a null removes the key. Import merges a release's
 * values files with it; preview merges what Flux (`valuesFrom`, then `values`) and Argo CD
 * (`valueFiles`, then `values`, then `valuesObject`) give a chart.
 */
export type Values = Record<string, unknown>;

function isMap(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function mergeValues(layers: readonly Values[]): Values {
  return layers.reduce<Values>((merged, layer) => mergeInto(merged, layer), {});
}

function mergeInto(into: Values, layer: Values): Values {
  const out: Values = { ...into };
  for (const [key, value] of Object.entries(layer)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeInto(out[key] as Values, value);
    else out[key] = value;
  }
  return out;
}
