import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderMailer } from '../src/mailer.js';

const base = mkdtempSync(path.join(tmpdir(), 'qr-mail-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the folder mailer', () => {
  it('writes each email readable by its own user only, in a folder it makes for that user only', async () => {
    const folder = path.join(base, 'mail');
    const mailer = folderMailer(folder, 'Router <noreply@example.test>');
    await mailer.send({ to: 'a@example.test', subject: 's', text: 't', html: '<p>t</p>', messageId: '<abc@example.test>' });
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const [file] = readdirSync(folder);
    expect(file).toBe('abc@example.test.eml');
    expect(statSync(path.join(folder, file!)).mode & 0o777).toBe(0o600);
  });
});
