// What both pages share: the token (from the page's #token=… once, then this tab's session storage)
// and calls to the api that serves them.

export function tokenField(input: HTMLInputElement, key: string): () => string {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(key, fromFragment);
    history.replaceState(null, '', location.pathname); // out of the address bar and the history
  }
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
