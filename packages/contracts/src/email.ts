import addressparser from 'nodemailer/lib/addressparser';

/** What RFC 5321 lets an address be at most, in characters. */
const MAX_ADDRESS = 254;
const NO_SPACE_OR_CONTROL = /^[^\s\u0000-\u001f\u007f]+$/;

/**
 * Whether `email` is one plain mailbox, read by the parser that sends mail (nodemailer's
 * addressparser, as hydra's SMTP transport reads the To header): exactly one address, no display
 * name or comment, no list or group, nothing the parser would drop or rewrite, one `@` with
 * something on both sides. `victim@corp.example,attacker` (a list) and `x<attacker@evil.example>`
 * (a name around another address) are not: stored, they would send mail somewhere else.
 */
export function isMailbox(email: string): boolean {
  if (email.length > MAX_ADDRESS || !NO_SPACE_OR_CONTROL.test(email)) return false;
  const parsed = addressparser(email);
  if (parsed.length !== 1) return false;
  const [only] = parsed as [{ address?: string; name?: string; group?: unknown }];
  if (only.group !== undefined || only.name !== '' || only.address !== email) return false;
  const at = email.indexOf('@');
  return at > 0 && at === email.lastIndexOf('@') && at < email.length - 1;
}
