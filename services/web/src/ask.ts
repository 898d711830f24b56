import './style.css';
import { byId, call, element, listPeople, tokenField } from './api.js';

interface Match {
  userId: number;
  score: number;
  reasons: { terms: string[]; tags: string[]; recentAnswers?: number; passedOver?: number[] };
}

const token = tokenField(byId<HTMLInputElement>('token'), 'qr.service-token');
const status = byId<HTMLParagraphElement>('status');
const askerSelect = byId<HTMLSelectElement>('asker');
let names = new Map<number, string>();

async function loadPeople(): Promise<void> {
  const people = await listPeople(token(), askerSelect, status);
  if (!people) return;
  names = people;
  status.textContent = `${people.size} people to ask as.`;
}
byId<HTMLInputElement>('token').addEventListener('change', () => void loadPeople());
void loadPeople();

/** The text with every occurrence of the words wrapped in <mark>, as DOM nodes (never innerHTML). */
function highlighted(text: string, words: string[]): Node[] {
  const wanted = words.filter((w) => w.length > 1).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (wanted.length === 0) return [document.createTextNode(text)];
  const pattern = new RegExp(`\\b(${wanted.join('|')})\\w*`, 'gi');
  const nodes: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    nodes.push(document.createTextNode(text.slice(last, m.index)));
    nodes.push(element('mark', m[0]));
    last = m.index + m[0].length;
  }
  nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function showQuestion(q: { title: string; body: string; tags: string[] }, matches: Match[]): void {
  const words = [...new Set(matches.flatMap((m) => m.reasons.terms))];
  const tags = new Set(matches.flatMap((m) => m.reasons.tags));
  const article = byId<HTMLElement>('question');
  const title = element('h3');
  title.append(...highlighted(q.title, words));
  const body = element('p');
  body.append(...highlighted(q.body, words));
  const tagList = element('ul', undefined, 'tags');
  for (const tag of q.tags) tagList.append(element(tags.has(tag) ? 'mark' : 'span', tag, 'tag'));
  article.replaceChildren(title, body, tagList);
}

function showMatches(matches: Match[]): void {
  const list = byId<HTMLOListElement>('matches');
  list.replaceChildren(
    ...matches.map((m) => {
      const li = element('li', undefined, 'match');
      li.dataset.userId = String(m.userId);
      li.append(element('strong', names.get(m.userId) ?? `#${m.userId}`), element('span', ` score ${m.score.toFixed(2)}`, 'score'));
      const why: string[] = [];
      if (m.reasons.tags.length) why.push(`tags: ${m.reasons.tags.join(', ')}`);
      if (m.reasons.terms.length) why.push(`words: ${m.reasons.terms.join(', ')}`);
      if (m.reasons.recentAnswers) why.push(`answered lately (${m.reasons.recentAnswers})`);
      if (m.reasons.passedOver?.length) why.push(`asked instead of ${m.reasons.passedOver.map((id) => names.get(id) ?? `#${id}`).join(', ')} (asked enough lately, or paused)`);
      li.append(element('p', why.join(' · ') || 'among the most active lately', 'reasons'));
      return li;
    }),
  );
  if (matches.length === 0) list.append(element('li', 'Nobody to ask yet.'));
}

byId<HTMLFormElement>('ask').addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    const askerId = Number(askerSelect.value);
    const question = {
      askerId,
      title: byId<HTMLInputElement>('title').value.trim(),
      body: byId<HTMLTextAreaElement>('body').value.trim(),
      tags: byId<HTMLInputElement>('tags').value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean),
    };
    status.textContent = 'Asking…';
    let id: number;
    try {
      ({ id } = await call<{ id: number }>(token(), 'POST', '/questions', question));
    } catch (error) {
      status.textContent = `Not asked: ${(error as Error).message}`;
      return;
    }
    byId<HTMLElement>('result').hidden = false;
    byId<HTMLOListElement>('matches').replaceChildren();
    showQuestion(question, []);
    status.textContent = `Question #${id} asked; waiting for the matcher…`;
    const started = performance.now();
    const events = new EventSource(`/questions/${id}/events`);
    events.addEventListener('matched', (e) => {
      const { matches } = JSON.parse((e as MessageEvent<string>).data) as { matches: Match[] };
      events.close();
      showQuestion(question, matches);
      showMatches(matches);
      status.textContent = `Question #${id}: ${matches.length} people asked, ${Math.round(performance.now() - started)} ms after it was stored.`;
    });
    events.addEventListener('timeout', () => {
      events.close();
      status.textContent = `Question #${id} is not matched yet; is a matcher running?`;
    });
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) return;
      status.textContent = `Question #${id}: the live connection dropped; retrying…`;
    };
  })();
});
