import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** RFC 5322 Message-ID, with the angle brackets */
  messageId: string;
  headers?: Record<string, string>;
}

/** Where email goes: an SMTP server, or a folder of .eml files. */
export interface Mailer {
  readonly describe: string;
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

/**
 * The longest one SMTP send may take before it fails: connecting, the greeting, and silence on the
 * socket are each bounded (nodemailer's own defaults reach minutes), so a send ends well within the
 * lease a notification is claimed for (notify.ts).
 */
export const SMTP_GIVES_UP_MS = 40_000;

/** Real SMTP through nodemailer: smtp://user:pass@host:port (or smtps://). Rejects when the server does not accept the mail. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }, { from });
  const url = new URL(smtpUrl);
  return {
    describe: `${url.protocol}//${url.host}`,
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Writes each email as `<folder>/<message id>.eml` (the embedded default: no SMTP server needed), readable
 * by this user only (files 0600; a folder it makes, 0700). A repeat overwrites the same file.
 */
export function folderMailer(folder: string, from: string): Mailer {
  const render = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    describe: `folder ${path.resolve(folder)}`,
    async send(mail) {
      const info = await render.sendMail({ from, ...mail });
      // mail is the recipients' and the operator's: the folder and its files are not for other local users
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const name = mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._@-]/g, '_');
      await writeFile(path.join(folder, `${name}.eml`), info.message as Buffer, { mode: 0o600 });
    },
    async close() {},
  };
}
