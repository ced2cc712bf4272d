/**
 * Synthesizes the CDK app in-process into the state directory, exactly as `cdk synth` would (same app,
 * same bundling), with the local Graph API stand-in as the functions' Send API base URL.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../build-app';

export function synthesizeApp(outdir: string, context: Record<string, string>): string {
  const app = buildApp(new App({ outdir, context }));
  return app.synth().directory;
}
