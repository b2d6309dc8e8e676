/**
 * Canonical JSON for hashing: object keys sorted by code unit, no whitespace, numbers as JSON.stringify writes
 * them (the data hashed here holds only strings, integers, booleans, null, arrays and objects, for which this
 * matches RFC 8785, the JSON Canonicalization Scheme).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`canonicalJson: ${value} has no JSON form`);
  }
  return JSON.stringify(value);
}
