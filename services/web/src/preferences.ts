import './style.css';
import { byId, call, failure, listPeople, tokenField } from './api.js';

interface Preferences {
  userId: number;
  optedOut: string[];
  maxAsksPerDay: number | null;
  pausedUntil: string | null;
  digest: 'off' | 'hourly' | 'daily';
}

const token = tokenField(byId<HTMLInputElement>('token'), 'qr.service-token');
const status = byId<HTMLParagraphElement>('status');
const personSelect = byId<HTMLSelectElement>('person');
const form = byId<HTMLFormElement>('preferences');
const maxAsks = byId<HTMLInputElement>('max-asks');
const pausedUntil = byId<HTMLInputElement>('paused-until');
const digest = byId<HTMLSelectElement>('digest');
const optOuts = (): HTMLInputElement[] => [...form.querySelectorAll<HTMLInputElement>('input[name="optedOut"]')];

async function loadPeople(): Promise<void> {
  if (await listPeople(token(), personSelect, status)) await loadPreferences();
}

function show(p: Preferences): void {
  maxAsks.value = p.maxAsksPerDay === null ? '' : String(p.maxAsksPerDay);
  pausedUntil.value = p.pausedUntil ? p.pausedUntil.slice(0, 10) : '';
  digest.value = p.digest;
  for (const box of optOuts()) box.checked = p.optedOut.includes(box.value);
  form.hidden = false;
}

// The form stays hidden while a person's preferences are on their way, so nothing typed is overwritten when they
// arrive; only the latest load shows (an earlier answer, for a person chosen before, is dropped).
let latestLoad = 0;
async function loadPreferences(): Promise<void> {
  if (!personSelect.value) return;
  const load = ++latestLoad;
  form.hidden = true;
  try {
    const preferences = await call<Preferences>(token(), 'GET', `/users/${personSelect.value}/preferences`);
    if (load !== latestLoad) return;
    show(preferences);
    status.textContent = `Preferences of ${personSelect.selectedOptions[0]?.textContent ?? ''}.`;
  } catch (error) {
    if (load === latestLoad) status.textContent = failure('Could not read the preferences', error);
  }
}

byId<HTMLInputElement>('token').addEventListener('change', () => void loadPeople());
personSelect.addEventListener('change', () => void loadPreferences());
void loadPeople();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    const change = {
      maxAsksPerDay: maxAsks.value === '' ? null : Number(maxAsks.value),
      // a pause lasts to the end of the day chosen (UTC)
      pausedUntil: pausedUntil.value === '' ? null : `${pausedUntil.value}T23:59:59.000Z`,
      optedOut: optOuts().filter((box) => box.checked).map((box) => box.value),
      digest: digest.value,
    };
    try {
      show(await call<Preferences>(token(), 'PUT', `/users/${personSelect.value}/preferences`, change));
      status.textContent = 'Saved. The matchers follow it from the next question on.';
    } catch (error) {
      status.textContent = failure('Not saved', error);
    }
  })();
});
