// What a console route is: a method, a path, the one permission it needs (permissions.ts), and a
// handler from the request's context to an outcome the router writes.

import type { Logger } from '../ops/logger.ts';
import type { SecretBox } from '../ops/secret-box.ts';
import type { Store } from '../store/database.ts';
import type { ChannelActivity } from '../usecases/channel-activity.ts';
import type { StaffIdentity } from '../usecases/staff-session.ts';
import type { Html } from '../web/html.ts';
import type { PostedForm } from './console-http.ts';
import type { Lang, Translator } from './i18n.ts';
import type { Permission } from './permissions.ts';

export interface ConsoleDependencies {
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** Opens and seals channel passwords (register, rotate). */
  readonly secrets: () => SecretBox;
  /** This core's channel call counters not yet written (operations dashboard). */
  readonly activity?: ChannelActivity;
  /** Served over TLS: cookies are marked Secure. */
  readonly secure?: boolean;
}

export interface RequestContext {
  readonly deps: ConsoleDependencies;
  readonly who: StaffIdentity;
  readonly lang: Lang;
  readonly t: Translator;
  readonly url: URL;
  /** The path's captured groups. */
  readonly params: readonly string[];
  /** The posted form (empty for GET). */
  readonly form: PostedForm;
  /** The CSRF token every form of the page carries. */
  readonly csrf: string;
  /** UTC ISO instant of the request. */
  readonly now: string;
  /** The business date (UTC+8). */
  readonly today: string;
}

export type Outcome =
  | { readonly kind: 'page'; readonly title: string; readonly body: Html; readonly status?: number }
  | { readonly kind: 'redirect'; readonly to: string }
  | { readonly kind: 'json'; readonly value: unknown };

export interface Route {
  readonly method: 'GET' | 'POST';
  /** Matched against the path after /console. */
  readonly path: RegExp;
  readonly permission: Permission;
  handle(ctx: RequestContext): Promise<Outcome>;
}

export function page(title: string, body: Html, status?: number): Outcome {
  return status === undefined ? { kind: 'page', title, body } : { kind: 'page', title, body, status };
}

/** Back to a console page with a fixed "done" message key (never text from the request). */
export function done(to: string, key: string): Outcome {
  return { kind: 'redirect', to: `${to}${to.includes('?') ? '&' : '?'}done=${encodeURIComponent(key)}` };
}

/** A posted field, trimmed; '' when absent. */
export function field(ctx: RequestContext, name: string): string {
  return (ctx.form.fields.get(name) ?? '').trim();
}

/** A query parameter, trimmed; '' when absent. */
export function query(ctx: RequestContext, name: string): string {
  return (ctx.url.searchParams.get(name) ?? '').trim();
}
