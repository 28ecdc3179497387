// A minimal browser for console integration tests: keeps the cookies the console sets, follows
// nothing by itself, and reads the CSRF token from a page's forms.

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, body?: string | FormData, contentType?: string): Promise<Answer> {
    const headers: Record<string, string> = { Cookie: this.cookieHeader() };
    if (contentType) headers['Content-Type'] = contentType;
    const response = await fetch(`${this.base}${path}`, { method, headers, body, redirect: 'manual' });
    this.remember(response.headers);
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  /** Posts a urlencoded form; `csrf: true` adds the token of the page at `from` (default: the dashboard). */
  async post(path: string, fields: Record<string, string>, options: { csrf?: boolean | string; from?: string } = {}): Promise<Answer> {
    const form = new URLSearchParams(fields);
    if (options.csrf === true) form.set('csrf', await this.csrf(options.from ?? '/console/'));
    else if (typeof options.csrf === 'string') form.set('csrf', options.csrf);
    return this.request('POST', path, form.toString(), 'application/x-www-form-urlencoded');
  }

  async postMultipart(path: string, form: FormData, withCsrf = true): Promise<Answer> {
    if (withCsrf) form.set('csrf', await this.csrf('/console/'));
    return this.request('POST', path, form);
  }

  async csrf(from: string): Promise<string> {
    const page = await this.get(from);
    const token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (token === undefined) throw new Error(`no CSRF token on ${from} (status ${page.status})`);
    return token;
  }

  async login(username: string, password: string): Promise<Answer> {
    const token = await this.csrf('/console/login');
    return this.post('/console/login', { username, password }, { csrf: token });
  }
}
