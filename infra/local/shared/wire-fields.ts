/** Answers built from stored records: the record's members copied under the names the wire uses. */

/** The members of `source` that `names` maps wire names to: `{ ARN: 'arn' }` gives `{ ARN: source.arn }`. */
export function wireFields<Source, const Names extends Readonly<Record<string, keyof Source>>>(
  source: Source,
  names: Names,
): { -readonly [Wire in keyof Names]: Source[Names[Wire]] } {
  return Object.fromEntries(Object.entries(names).map(([wire, key]) => [wire, source[key]])) as {
    -readonly [Wire in keyof Names]: Source[Names[Wire]];
  };
}

/** The members of `source` named in `keys`, under their own names. */
export function pickFields<Source, const Keys extends readonly (keyof Source & string)[]>(
  source: Source,
  keys: Keys,
): Pick<Source, Keys[number]> {
  return wireFields(source, Object.fromEntries(keys.map((key) => [key, key]))) as Pick<Source, Keys[number]>;
}
