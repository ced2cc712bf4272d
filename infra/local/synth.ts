/**
 * Synthesizes the CDK app in-process, exactly as `cdk synth` would (same app, same bundling). Nothing local
 * is baked in (the local cloud supplies its endpoints as template parameters at deploy time), so a
 * synthesized assembly depends only on the sources: it is cached under a hash of them, and a warm start, or
 * every test after the first, reuses it.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../build-app';
import { REPOSITORY_ROOT } from '../constructs/aurora-function';
import { hashOfSources, shortDigest } from '../constructs/source-hash';

/** What a synthesized assembly is made from. */
const SOURCES = ['infra', 'functions', 'workflows', 'events-schema', 'package-lock.json', 'cdk.json'];
const EXCLUDED = new Set(['node_modules', 'local', 'generated-docs']);
/** Settings read by infra/config.ts from the environment. */
const CONFIG_VARIABLES = [
  'AURORA_STAGE',
  'AURORA_SENDER_EMAIL',
  'AURORA_LOG_LEVEL',
  'AURORA_ARCHIVE_RETENTION_DAYS',
  'AURORA_REMINDER_DIGEST_AFTER_MINUTES',
  'AURORA_WEB_ORIGINS',
  'AURORA_WEB_DOMAIN_NAME',
  'AURORA_WEB_CERTIFICATE_ARN',
];

/**
 * Every stack but the web stack is bundled. Locally the web app is built and served by the local cloud
 * itself (infra/local/web/), so the assembly does not depend on web/ and synthesis never waits for Vite.
 */
const LOCAL_BUNDLING_STACKS = ['!*-Web'];

export const SYNTH_CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache', 'aurora-synth');

function sourceHash(): string {
  const hash = hashOfSources(SOURCES, EXCLUDED);
  for (const variable of CONFIG_VARIABLES) hash.update(`${variable}=${process.env[variable] ?? ''}\0`);
  return shortDigest(hash);
}

export function synthesizeApp(outdir: string): string {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': LOCAL_BUNDLING_STACKS } });
  return buildApp(app).synth().directory;
}

/** The app's assembly for the current sources: from the cache, or synthesized into it. */
export function synthesizeCached(cacheRoot: string = SYNTH_CACHE): { directory: string; cached: boolean } {
  const directory = join(cacheRoot, sourceHash());
  if (existsSync(join(directory, 'manifest.json'))) return { directory, cached: true };
  mkdirSync(cacheRoot, { recursive: true });
  const building = `${directory}.${process.pid}.building`;
  synthesizeApp(building);
  try {
    renameSync(building, directory);
  } catch (error) {
    // Another process finished the same synthesis first; theirs is identical.
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(directory, 'manifest.json'))) throw error;
  }
  return { directory, cached: false };
}
