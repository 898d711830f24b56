// What the pages share: the token field and calls to the api that serves them.

/**
 * The page's token: pasted into its field and kept in this tab's session storage, never read from the
 * URL. A token in a URL (even in the fragment, even replaced at once) stays in the browser's history
 * database for good, so no link carries one and a page does not take one that way.
 */
export function tokenField(input: HTMLInputElement, key: string): () => string {
  input.value = sessionStorage.getItem(key) ?? '';
  input.addEventListener('change', () => sessionStorage.setItem(key, input.value.trim()));
  return () => input.value.trim();
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!response.ok) throw new ApiError(response.status, json.error?.message ?? `${method} ${path}: ${response.status}`);
  return json;
}

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`no #${id}`);
  return e as T;
}

/** Why a call failed, for a person: a refused token, or what went wrong. */
export const failure = (what: string, error: unknown): string =>
  error instanceof ApiError && error.status === 401 ? 'That token is not accepted.' : `${what}: ${(error as Error).message}`;

/**
 * Fills a select with the people (`GET /people`, a service token), each as "name (#id)"; returns
 * them by id, or undefined (and says why in `status`) when there is no token or the call failed.
 */
export async function listPeople(token: string, select: HTMLSelectElement, status: HTMLElement): Promise<Map<number, string> | undefined> {
  if (!token) {
    status.textContent = 'Paste the service token npm start printed (or open the link it printed).';
    return undefined;
  }
  try {
    const { people } = await call<{ people: { id: number; name: string }[] }>(token, 'GET', '/people?limit=200');
    select.replaceChildren(...people.map((p) => {
      const option = element('option', `${p.name} (#${p.id})`);
      option.value = String(p.id);
      return option;
    }));
    return new Map(people.map((p) => [p.id, p.name]));
  } catch (error) {
    status.textContent = failure('Could not list people', error);
    return undefined;
  }
}
