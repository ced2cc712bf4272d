/**
 * Builds the single-page app into web/dist (`npm run web:build`); the API's address comes from /config.json
 * at run time, so one build serves every stage. `npm run web:dev` serves the sources with a /config.json of
 * its own that names AURORA_API_URL (default: the local cloud's API on port 3000).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** The dev server's /config.json; in a deployment the host writes it (infra/). */
const devConfig = (): Plugin => ({
  name: 'aurora-dev-config',
  apply: 'serve',
  configureServer(server) {
    server.middlewares.use('/config.json', (_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ apiUrl: process.env.AURORA_API_URL ?? 'http://127.0.0.1:3000' }));
    });
  },
});

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // No .env files: nothing about the deployment is baked into the bundle.
  envDir: false,
  plugins: [devConfig()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The API's CORS allows this origin by default (infra/config.ts).
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // FullCalendar and luxon are most of the bundle; a lower warning threshold would only be noise.
    chunkSizeWarningLimit: 700,
  },
});
