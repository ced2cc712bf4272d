/**
 * The parts of aws-ses-v2-local this service reuses: SES-compatible template rendering (Handlebars with SES's
 * rules: no HTML escaping, built-in helpers only) and the MIME parser it reads raw messages with.
 *
 * Both are loaded through aws-ses-v2-local's own module resolution, so the parser is exactly the version that
 * package pins; its deep modules are CommonJS files without an `exports` map, which ESM cannot import by
 * bare path.
 */
import { createRequire } from 'node:module';
import type { ParsedMail } from 'mailparser';

type RenderTemplateModule = typeof import('aws-ses-v2-local/dist/v2/renderTemplate');

const requireFromPackage = createRequire(createRequire(import.meta.url).resolve('aws-ses-v2-local'));

const renderTemplateModule = requireFromPackage('./v2/renderTemplate') as RenderTemplateModule;
const mailParser = requireFromPackage('mailparser') as {
  simpleParser: (source: Buffer) => Promise<ParsedMail>;
};

export type TemplateParts = { Subject?: string; Html?: string; Text?: string };

export const TemplateRenderError = renderTemplateModule.TemplateRenderError;

/** Renders a template's subject, HTML and text parts with `data`; throws TemplateRenderError when malformed. */
export function renderTemplateParts(
  parts: TemplateParts,
  data: Record<string, unknown>,
): { subject: string; html: string; text: string } {
  return renderTemplateModule.compileTemplateParts(parts)(data);
}

export function parseMime(raw: Buffer): Promise<ParsedMail> {
  return mailParser.simpleParser(raw);
}
