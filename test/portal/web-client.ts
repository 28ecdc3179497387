// A browser reduced to what the portal tests need: a cookie jar, GET, form POSTs, no redirects
// followed unless asked, and the CSRF token read from the last page as a browser would send it.

export interface WebPage {
  readonly status: number;
  readonly location: string | null;
  readonly headers: Headers;
  readonly text: string;
  readonly setCookies: readonly string[];
}

export type FormFields = ReadonlyArray<readonly [string, string]>;

/** The value of the first `name="_csrf"` hidden field of a page. */
export function csrfIn(text: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
  if (token === undefined) throw new Error('no CSRF token on the page');
  return token;
}

/** The value of a hidden or text input by name. */
export function inputValue(text: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(text)?.[1];
}

export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  async get(path: string, options: { readonly follow?: boolean } = {}): Promise<WebPage> {
    const page = await this.send('GET', path);
    return options.follow && page.location !== null ? this.get(page.location, options) : page;
  }

  /** Posts a form; `csrf` true takes the token from `from` (a page of this client). */
  async post(path: string, fields: FormFields, options: { readonly contentType?: string; readonly follow?: boolean } = {}): Promise<WebPage> {
    const body = new URLSearchParams(fields.map(([k, v]) => [k, v] as [string, string])).toString();
    const page = await this.send('POST', path, body, options.contentType ?? 'application/x-www-form-urlencoded');
    return options.follow && page.location !== null ? this.get(page.location, { follow: true }) : page;
  }

  private async send(method: string, path: string, body?: string, contentType?: string): Promise<WebPage> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(path, this.base), {
      method, redirect: 'manual', body,
      headers: { ...(cookie ? { Cookie: cookie } : {}), ...(contentType ? { 'Content-Type': contentType } : {}) },
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, text: await res.text(), setCookies };
  }
}
