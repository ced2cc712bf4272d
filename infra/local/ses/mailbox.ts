import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { appendJsonLine, readJsonLines } from '../shared/persistence';

export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** Bytes of the decoded content. */
  readonly size: number;
  /** The content, base64 (absent in mail stored before attachments kept it). */
  readonly content?: string;
  /** SES v2 `ContentDisposition`: ATTACHMENT or INLINE. */
  readonly disposition?: string;
  /** SES v2 `ContentId`, what an INLINE attachment is referenced by from the HTML. */
  readonly contentId?: string;
}

/** One message as SES accepted it; what the inbox JSON and page show. */
export interface SentMail {
  readonly id: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly replyTo: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments: readonly MailAttachment[];
  /** When SES accepted it, ISO-8601 on the shared clock. */
  readonly at: string;
  readonly configurationSetName?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Which API sent it, e.g. `ses:SendEmail` or `sesv2:SendEmail`. */
  readonly via: string;
}

/** Accepted mail, kept in memory and appended to a JSON-lines file so that it survives a restart. */
export class Mailbox {
  private readonly path: string;
  private readonly mails: SentMail[];

  constructor(directory: string) {
    this.path = join(directory, 'messages.jsonl');
    this.mails = readJsonLines<SentMail>(this.path);
  }

  add(mail: SentMail): void {
    appendJsonLine(this.path, mail);
    this.mails.push(mail);
  }

  /** Newest first. */
  list(): SentMail[] {
    return [...this.mails].reverse();
  }

  find(id: string): SentMail | undefined {
    return this.mails.find((mail) => mail.id === id);
  }

  clear(): void {
    rmSync(this.path, { force: true });
    this.mails.length = 0;
  }
}
