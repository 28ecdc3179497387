import { expect } from 'chai';
import fc from 'fast-check';
import { escapeHtml, html, trusted } from '../../src/web/html.ts';
import { clearedCookie, csrfToken, csrfValid, readCookies, sessionCookie } from '../../src/web/security.ts';

describe('web: html template', () => {
  it('escapes every interpolated string, and keeps Html as markup', () => {
    const name = '<script>alert("x")</script>&\'`';
    const out = html`<p title="${name}">${name}</p>${html`<b>${'ok'}</b>`}`;
    expect(out.markup).to.equal('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;">'
      + '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;</p><b>ok</b>');
  });

  it('joins arrays, drops null, undefined and false, prints numbers', () => {
    expect(html`${['<a>', html`<i>b</i>`]}${null}${undefined}${false}${0}${trusted('<hr>')}`.markup).to.equal('&lt;a&gt;<i>b</i>0<hr>');
  });

  it('never lets a character that opens markup or ends an attribute through', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(escapeHtml(s)).to.not.match(/[<>"'`]/);
    }));
  });
});

describe('web: cookies and CSRF', () => {
  it('writes HttpOnly SameSite=Strict cookies, Secure only under TLS', () => {
    expect(sessionCookie('sid', 'abc', { secure: false })).to.equal('sid=abc; Path=/; HttpOnly; SameSite=Strict');
    expect(sessionCookie('sid', 'abc', { secure: true, maxAgeSeconds: 60 })).to.equal('sid=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
    expect(clearedCookie('sid', { secure: false })).to.include('Max-Age=0');
    expect(() => sessionCookie('sid', 'a;b', { secure: false })).to.throw();
  });

  it('reads cookies, ignoring malformed pairs and later duplicates', () => {
    const cookies = readCookies('a=1; b=two; =x; c; a=3; d=bad;value; e=<x>');
    expect([...cookies]).to.deep.equal([['a', '1'], ['b', 'two'], ['d', 'bad']]);
  });

  it('accepts the session’s CSRF token only', () => {
    const key = Buffer.alloc(32, 7);
    const token = csrfToken(key, 'session-1');
    expect(csrfValid(key, 'session-1', token)).to.equal(true);
    expect(csrfValid(key, 'session-2', token)).to.equal(false);
    expect(csrfValid(Buffer.alloc(32, 8), 'session-1', token)).to.equal(false);
    expect(csrfValid(key, 'session-1', undefined)).to.equal(false);
    expect(csrfValid(key, 'session-1', `${token}x`)).to.equal(false);
  });
});
