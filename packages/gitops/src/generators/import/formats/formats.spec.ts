import { resolveValue } from './jinja';
import { SkipItem } from './source';
import { mergeAll } from './values';

describe('plain variables of a play', () => {
  const scope = { ns: 'data-plane', versions: { kafka: '4.1.0' }, alias: '{{ ns }}', sizes: { small: 1 }, item: { name: 'strimzi' } };

  it('substitutes a whole-value variable with its value (a mapping stays a mapping), nested keys and variables naming variables', () => {
    expect(resolveValue('{{ sizes }}', scope)).toEqual({ small: 1 });
    expect(resolveValue({ v: '{{ versions.kafka }}', n: '{{alias}}' }, scope)).toEqual({ v: '4.1.0', n: 'data-plane' });
    expect(resolveValue(['{{ item.name }}-operator'], scope)).toEqual(['strimzi-operator']);
  });

  it.each([
    ["{{ ns | default('x') }}", 'is templated beyond a plain variable'],
    ["{{ lookup('env', 'HOME') }}", 'is templated beyond a plain variable'],
    ['{% if prod %}3{% endif %}', 'holds a Jinja statement'],
    ['{{ undefined_var }}', "uses 'undefined_var', which the play's vars, vars_files and loop do not define"],
    ['size-{{ sizes }}', "'{{ sizes }}' inside 'size-{{ sizes }}' is a mapping, not text"],
  ])('skips %s, saying why', (value, reason) => {
    expect(() => resolveValue(value, scope)).toThrow(SkipItem);
    expect(() => resolveValue(value, scope)).toThrow(reason);
  });

  it('refuses variables that name each other in a loop', () => {
    expect(() => resolveValue('{{ a }}', { a: '{{ b }}', b: '{{ a }}' })).toThrow('more than 20 levels deep');
  });
});

describe("Helm's merge of values files", () => {
  it('merges mappings key by key, later wins, replaces lists, and null removes a key', () => {
    expect(mergeAll([{ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null }, { a: { e: 'x' } }])).toEqual({ a: { b: 1, c: [3], e: 'x' } });
  });
});
