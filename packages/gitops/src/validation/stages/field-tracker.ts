/**
 * Unknown-field detection without a copy of any schema: the precompiled ajv
 * validators read every property their schema declares (`data.spec`,
 * `data.chart` …) and enumerate the keys of maps (labels, annotations). We
 * run the real validator over a Proxy that records those reads; a key of an
 * object the validator looked into but never asked for is a field the schema
 * does not define. Objects the validator never looks into (free-form values
 * such as `spec.values`) are left alone.
 */

interface Visit {
  value: Record<string, unknown>;
  read: Set<string>;
  enumerated: boolean;
  touched: boolean;
}

export interface FieldTracker {
  /** The object to hand to the validator. */
  proxy: unknown;
  /** Paths (as key lists) of fields no schema property covers. */
  unknownFields(): string[][];
}

export function trackFields(root: unknown): FieldTracker {
  const visits = new Map<string, Visit & { path: string[] }>();
  const wrap = (value: unknown, path: string[]): unknown => {
    if (!value || typeof value !== 'object') return value;
    const key = JSON.stringify(path);
    let visit = visits.get(key);
    if (!visit) {
      visit = { value: value as Record<string, unknown>, read: new Set(), enumerated: false, touched: false, path };
      visits.set(key, visit);
    }
    const v = visit;
    return new Proxy(value as object, {
      get(target, prop, receiver) {
        const result = Reflect.get(target, prop, receiver);
        if (typeof prop !== 'string') return result;
        v.touched = true;
        v.read.add(prop);
        return Object.prototype.hasOwnProperty.call(target, prop) ? wrap(result, [...path, prop]) : result;
      },
      has(target, prop) {
        if (typeof prop === 'string') {
          v.touched = true;
          v.read.add(prop);
        }
        return Reflect.has(target, prop);
      },
      ownKeys(target) {
        v.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
  };
  const proxy = wrap(root, []);
  return {
    proxy,
    unknownFields() {
      const unknown: string[][] = [];
      for (const v of visits.values()) {
        if (Array.isArray(v.value) || v.enumerated || !v.touched) continue;
        for (const k of Object.keys(v.value)) if (!v.read.has(k)) unknown.push([...v.path, k]);
      }
      return unknown.sort((a, b) => a.join('.').localeCompare(b.join('.')));
    },
  };
}
