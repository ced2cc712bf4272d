/**
 * Trino (Athena engine v3) functions that DuckDB lacks or names differently, defined as DuckDB macros with
 * Trino's name and meaning, so that one SQL text runs on both engines. docs/local-analytics.md lists them.
 */
export const TRINO_MACROS: Readonly<Record<string, { readonly parameters: string; readonly body: string }>> =
  {
    // Both estimate from a t-digest, so the answers are close, not identical, on large inputs.
    approx_percentile: { parameters: 'value, percentage', body: 'approx_quantile(value, percentage)' },
    approx_distinct: { parameters: 'value', body: 'approx_count_distinct(value)' },
    from_iso8601_timestamp: { parameters: 'text', body: 'CAST(text AS TIMESTAMP WITH TIME ZONE)' },
    from_iso8601_date: { parameters: 'text', body: 'CAST(text AS DATE)' },
    to_unixtime: { parameters: 'instant', body: 'epoch(instant)' },
    from_unixtime: { parameters: 'seconds', body: 'to_timestamp(seconds)' },
    regexp_like: { parameters: 'text, pattern', body: 'regexp_matches(text, pattern)' },
    cardinality: { parameters: 'items', body: 'len(items)' },
    json_extract_scalar: { parameters: 'json, path', body: 'json_extract_string(json, path)' },
  };

/** The statements that define every macro in `schema`. */
export const trinoMacroStatements = (schema: string): string[] =>
  Object.entries(TRINO_MACROS).map(
    ([name, { parameters, body }]) => `CREATE OR REPLACE MACRO ${schema}.${name}(${parameters}) AS ${body}`,
  );
