import './style.css';
import { ApiError, byId, call, element, tokenField } from './api.js';

interface QueueView {
  name: string;
  messages: number;
  unacked: number;
  consumers: number;
  publishRate?: number;
  ackRate?: number;
  published?: number;
  acked?: number;
}
interface DeadLetter { id: string; type: string; reason: string; error: string; attempts: string; deadAt: string; body: string }

const token = tokenField(byId<HTMLInputElement>('token'), 'qr.admin-token');
const status = byId<HTMLParagraphElement>('status');
const history = new Map<string, number[]>(); // queue -> depth samples, newest last
const previous = new Map<string, { at: number; published: number; acked: number }>();
const SAMPLES = 60;
let deadShown = '';

/** An SVG line of the last samples (no library: the page loads nothing from elsewhere). */
function sparkline(values: number[]): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${SAMPLES} 20`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `messages over time, now ${values.at(-1) ?? 0}`);
  const max = Math.max(1, ...values);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', values.map((v, i) => `${i + SAMPLES - values.length},${(20 - (v / max) * 18 - 1).toFixed(1)}`).join(' '));
  svg.append(line);
  return svg;
}

function rates(q: QueueView, now: number): { in: string; acked: string } {
  if (q.publishRate !== undefined || q.ackRate !== undefined) return { in: (q.publishRate ?? 0).toFixed(1), acked: (q.ackRate ?? 0).toFixed(1) };
  // the in-memory broker gives counters: rates between two looks
  const before = previous.get(q.name);
  previous.set(q.name, { at: now, published: q.published ?? 0, acked: q.acked ?? 0 });
  if (!before) return { in: '–', acked: '–' };
  const seconds = (now - before.at) / 1000;
  return { in: (((q.published ?? 0) - before.published) / seconds).toFixed(1), acked: (((q.acked ?? 0) - before.acked) / seconds).toFixed(1) };
}

async function refresh(): Promise<void> {
  if (!token()) {
    status.textContent = 'Paste an admin token (npm start prints one; or npx lemur token create --scope admin).';
    return;
  }
  let queues: QueueView[];
  try {
    ({ queues } = await call<{ queues: QueueView[] }>(token(), 'GET', '/admin/queues'));
  } catch (error) {
    status.textContent = error instanceof ApiError && (error.status === 401 || error.status === 403) ? 'That is not an admin token.' : `Could not read the queues: ${(error as Error).message}`;
    return;
  }
  const now = performance.now();
  queues.sort((a, b) => a.name.localeCompare(b.name));
  const rows = queues.map((q) => {
    const samples = [...(history.get(q.name) ?? []), q.messages].slice(-SAMPLES);
    history.set(q.name, samples);
    const r = rates(q, now);
    const tr = element('tr');
    if (q.name.endsWith('.dead') && q.messages > 0) tr.className = 'has-dead';
    const name = element('th', q.name);
    name.scope = 'row';
    const chart = element('td');
    chart.append(sparkline(samples));
    tr.append(name, element('td', String(q.messages)), element('td', String(q.unacked)), element('td', String(q.consumers)), element('td', r.in), element('td', r.acked), chart);
    return tr;
  });
  byId<HTMLTableElement>('queues').tBodies[0]!.replaceChildren(...rows);
  byId<HTMLElement>('updated').textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  await showDeadLetters(queues.filter((q) => q.name.endsWith('.dead') && q.messages > 0).map((q) => q.name.slice(0, -'.dead'.length)));
}

async function showDeadLetters(queues: string[]): Promise<void> {
  const all: { queue: string; letters: DeadLetter[] }[] = [];
  for (const queue of queues) {
    const { deadLetters } = await call<{ deadLetters: DeadLetter[] }>(token(), 'GET', `/admin/queues/${encodeURIComponent(queue)}/dead-letters?limit=50`);
    all.push({ queue, letters: deadLetters });
  }
  const key = JSON.stringify(all.map((a) => [a.queue, a.letters.map((l) => l.id)]));
  if (key === deadShown) return; // keep focus and scroll where they are
  deadShown = key;
  const list = byId<HTMLUListElement>('dead');
  if (all.length === 0) {
    list.replaceChildren(element('li', 'No dead letters.'));
    return;
  }
  list.replaceChildren(
    ...all.flatMap(({ queue, letters }) =>
      letters.map((letter) => {
        const li = element('li', undefined, 'dead-letter');
        li.append(
          element('strong', `${queue}: ${letter.type || '(no type)'}`),
          element('p', letter.reason || '(no reason recorded)', 'reason'),
          element('p', `${letter.error} · attempts ${letter.attempts || '?'} · ${letter.deadAt || ''}`, 'detail'),
          element('pre', letter.body.length > 300 ? `${letter.body.slice(0, 300)}…` : letter.body),
        );
        const button = element('button', 'Replay');
        button.type = 'button';
        button.setAttribute('aria-label', `Replay dead letter ${letter.id} to ${queue}`);
        button.addEventListener('click', () => void replayDead(queue, letter.id));
        li.append(button);
        return li;
      }),
    ),
  );
}

async function replayDead(queue: string, id: string): Promise<void> {
  try {
    const result = await call<{ replayed: number }>(token(), 'POST', `/admin/queues/${encodeURIComponent(queue)}/dead-letters/replay`, { ids: [id] });
    deadShown = '';
    await refresh();
    status.textContent = `Replayed ${result.replayed} dead letter(s) to ${queue}.`;
  } catch (error) {
    status.textContent = `Replay failed: ${(error as Error).message}`;
  }
}

byId<HTMLFormElement>('auth').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('qr.admin-token', token());
  void refresh();
});
byId<HTMLFormElement>('replay').addEventListener('submit', (event) => {
  event.preventDefault();
  const questionId = Number(byId<HTMLInputElement>('question-id').value);
  void call<{ published: number }>(token(), 'POST', '/admin/replay', { questionId }).then(
    (r) => (status.textContent = `Question #${questionId}: ${r.published} message(s) published again.`),
    (error: Error) => (status.textContent = `Replay failed: ${error.message}`),
  );
});
void refresh();
setInterval(() => void refresh(), 2_000);
