/** The deployment's settings, read at run time so that one build serves any stage. */
export interface AppConfig {
  readonly apiUrl: string;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const body: unknown = await response.json();
  const apiUrl =
    typeof body === 'object' && body !== null ? (body as { apiUrl?: unknown }).apiUrl : undefined;
  if (typeof apiUrl !== 'string' || !/^https?:\/\//.test(apiUrl)) {
    throw new Error('/config.json has no apiUrl');
  }
  return { apiUrl: apiUrl.replace(/\/+$/, '') };
}
