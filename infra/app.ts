/** Entry point of the CDK CLI (cdk.json): `npx cdk synth`, `npx cdk deploy`. */
import { buildApp } from './build-app';

buildApp().synth();
