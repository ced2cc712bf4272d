/** Reads a required setting from the function's environment, failing loudly at cold start when missing. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
