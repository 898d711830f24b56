import type { NotificationKind, NotificationRow } from '@qr/db';
import { htmlToText } from '@qr/matching';
import escapeHtml from 'escape-html';

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

/** What an email says, kept with its notification so a digest can say it again. */
export type Payload =
  | { kind: 'question_for_you'; questionId: number; title: string; excerpt: string; reasons: { terms: string[]; tags: string[]; recentAnswers?: number } }
  | { kind: 'new_answer'; questionId: number; title: string; answererName: string; excerpt: string }
  | { kind: 'answer_accepted'; questionId: number; title: string }
  | { kind: 'answer_voted_up'; questionId: number; title: string };

export const describeKind: Record<NotificationKind, string> = {
  question_for_you: 'questions you can answer',
  new_answer: 'answers to your questions',
  answer_accepted: 'your answers being accepted',
  answer_voted_up: 'your answers being voted up',
};

/** A short plain-text excerpt of a body that may be HTML. */
export function excerpt(body: string, length = 200): string {
  const text = htmlToText(body).replace(/\s+/g, ' ').trim();
  return text.length <= length ? text : `${text.slice(0, length - 1).trimEnd()}…`;
}

function why(reasons: { terms: string[]; tags: string[]; recentAnswers?: number }): string {
  const parts: string[] = [];
  if (reasons.tags.length) parts.push(`you answered questions tagged ${reasons.tags.join(', ')}`);
  if (reasons.terms.length) parts.push(`your answers cover ${reasons.terms.join(', ')}`);
  if (!parts.length && reasons.recentAnswers) parts.push('you have been answering questions lately');
  return parts.length ? `${parts.join('; ')}.` : 'you are one of the people most likely to know.';
}

interface Links {
  question: (id: number) => string;
  unsubscribe: string;
  unsubscribeAll: string;
}

function lines(payload: Payload, links: Links): { subject: string; body: string[]; htmlBody: string[] } {
  const q = links.question(payload.questionId);
  const title = payload.title;
  switch (payload.kind) {
    case 'question_for_you':
      return {
        subject: `A question you can answer: ${title}`,
        body: [`"${title}"`, '', payload.excerpt, '', `Why you: ${why(payload.reasons)}`, '', `Answer it: ${q}`],
        htmlBody: [`<p><strong>${escapeHtml(title)}</strong></p>`, `<blockquote>${escapeHtml(payload.excerpt)}</blockquote>`,
          `<p>Why you: ${escapeHtml(why(payload.reasons))}</p>`, `<p><a href="${escapeHtml(q)}">Answer it</a></p>`],
      };
    case 'new_answer':
      return {
        subject: `A new answer to your question: ${title}`,
        body: [`${payload.answererName} answered "${title}":`, '', payload.excerpt, '', `Read it: ${q}`],
        htmlBody: [`<p>${escapeHtml(payload.answererName)} answered <strong>${escapeHtml(title)}</strong>:</p>`,
          `<blockquote>${escapeHtml(payload.excerpt)}</blockquote>`, `<p><a href="${escapeHtml(q)}">Read it</a></p>`],
      };
    case 'answer_accepted':
      return {
        subject: `Your answer was accepted: ${title}`,
        body: [`The asker of "${title}" accepted your answer. Thank you!`, '', q],
        htmlBody: [`<p>The asker of <strong>${escapeHtml(title)}</strong> accepted your answer. Thank you!</p>`, `<p><a href="${escapeHtml(q)}">See it</a></p>`],
      };
    case 'answer_voted_up':
      return {
        subject: `Your answer was voted up: ${title}`,
        body: [`Someone found your answer to "${title}" useful.`, '', q],
        htmlBody: [`<p>Someone found your answer to <strong>${escapeHtml(title)}</strong> useful.</p>`, `<p><a href="${escapeHtml(q)}">See it</a></p>`],
      };
  }
}

function footer(kind: NotificationKind | undefined, links: Links): { text: string[]; html: string } {
  const text = ['', '--', kind ? `Stop emails about ${describeKind[kind]}: ${links.unsubscribe}` : '', `Stop all emails: ${links.unsubscribeAll}`].filter((l, i) => i < 2 || l);
  const html = `<hr><p style="font-size:small">${kind ? `<a href="${escapeHtml(links.unsubscribe)}">Stop emails about ${escapeHtml(describeKind[kind])}</a> · ` : ''}<a href="${escapeHtml(links.unsubscribeAll)}">Stop all emails</a></p>`;
  return { text, html };
}

export function renderNotification(payload: Payload, name: string, links: Links): Rendered {
  const { subject, body, htmlBody } = lines(payload, links);
  const foot = footer(payload.kind, links);
  return {
    subject,
    text: [`Hello ${name},`, '', ...body, ...foot.text].join('\n'),
    html: `<p>Hello ${escapeHtml(name)},</p>\n${htmlBody.join('\n')}\n${foot.html}`,
  };
}

export function renderDigest(items: NotificationRow[], name: string, links: Links): Rendered {
  const sections = items.map((item) => lines(item.payload as Payload, links));
  const foot = footer(undefined, links);
  return {
    subject: `Your digest: ${items.length} update${items.length === 1 ? '' : 's'}`,
    text: [`Hello ${name},`, '', ...sections.flatMap((s) => [`## ${s.subject}`, ...s.body, '']), ...foot.text].join('\n'),
    html: `<p>Hello ${escapeHtml(name)},</p>\n${sections.map((s) => `<h3>${escapeHtml(s.subject)}</h3>\n${s.htmlBody.join('\n')}`).join('\n')}\n${foot.html}`,
  };
}
