// The broker login: URL, user name and password, prefilled from /config.json. It is the
// first thing on the page and comes back whenever the dashboard is offline for good.

import type { Credentials } from './connection.js';

export class LoginForm {
  readonly #form: HTMLFormElement;
  readonly #url: HTMLInputElement;
  readonly #username: HTMLInputElement;
  readonly #password: HTMLInputElement;
  readonly #submit: HTMLButtonElement;
  readonly #error: HTMLElement;

  constructor(form: HTMLFormElement, onSubmit: (credentials: Credentials) => void) {
    this.#form = form;
    const field = <T extends HTMLElement>(id: string) => {
      const el = form.querySelector<T>(`[data-testid="${id}"]`);
      if (!el) throw new Error(`the login form has no ${id}`);
      return el;
    };
    this.#url = field<HTMLInputElement>('login-url');
    this.#username = field<HTMLInputElement>('login-username');
    this.#password = field<HTMLInputElement>('login-password');
    this.#submit = field<HTMLButtonElement>('login-submit');
    this.#error = field<HTMLElement>('login-error');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      onSubmit({
        url: this.#url.value.trim(),
        username: this.#username.value,
        password: this.#password.value,
      });
    });
  }

  prefill(credentials: Credentials): void {
    this.#url.value = credentials.url;
    this.#username.value = credentials.username;
    this.#password.value = credentials.password;
  }

  /** Shows `message` under the fields; no message hides the line. */
  setError(message?: string): void {
    this.#error.textContent = message ?? '';
    this.#error.hidden = !message;
  }

  /** While a connection attempt runs, the button says so (it can still be pressed again). */
  setBusy(busy: boolean): void {
    this.#submit.textContent = busy ? 'Connecting…' : 'Connect';
    this.#form.dataset.busy = String(busy);
  }

  set visible(visible: boolean) {
    this.#form.hidden = !visible;
  }
}
