/**
 * New-device alerts (issue 15 item 5): the first sign-in of an account from a browser it has not
 * used (a long-lived HttpOnly device cookie) sends "new sign-in to your account" with time,
 * device and address; the same browser again sends nothing; the alert can be turned off.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

class FirefoxBrowser extends TestBrowser {
  override request(url: string, init: Parameters<TestBrowser['request']>[1] = {}) {
    return super.request(url, { ...init, headers: { 'user-agent': FIREFOX, ...init.headers } });
  }
}

async function signIn(
  server: TestServer,
  browser: TestBrowser,
  user: { username: string; password: string },
) {
  const app = await server.createClient();
  const rp = await server.rp(app.clientId, app.clientSecret);
  await signInAndRedeem(browser, rp, user, app.redirectUri, { prompt: 'login consent' });
}

describe('new-device alerts', () => {
  let sink: SmtpSink;
  let server: TestServer;
  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({
      EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: sink.url,
      SMTP_REQUIRE_TLS: 'false',
    });
  });
  afterAll(async () => {
    await server.stop({ graceMs: 0 });
    await sink.close();
  });

  const alertsTo = (email: string) =>
    sink.messages.filter((m) => m.to.includes(email) && m.subject.startsWith('New sign-in'));

  it('alerts once per new browser, with the device, the address and a link to the sessions page', async () => {
    const user = await server.createUser();
    const browser = new FirefoxBrowser();
    await signIn(server, browser, user);
    const alert = await sink.waitFor(user.email, (m) => m.subject.startsWith('New sign-in'));
    expect(alert.text).toContain('Device: Firefox on Linux');
    expect(alert.text).toContain('Address: 127.0.0.1');
    expect(alert.text).toContain(`${server.issuer}/account/sessions`);
    const cookie = browser.cookies.find((c) => c.name === 'device');
    expect(cookie).toBeDefined();

    await signIn(server, browser, user); // the same browser, signing in again
    await server.accountCentre.emails.idle();
    expect(alertsTo(user.email)).toHaveLength(1);

    await signIn(server, new FirefoxBrowser(), user); // another browser
    await server.accountCentre.emails.idle();
    expect(alertsTo(user.email)).toHaveLength(2);
    const events = await server.services.store.events.list(
      { subject: user.id, type: 'device.new' },
      { limit: 10 },
    );
    expect(events.items).toHaveLength(2);
  });

  it('marks the device cookie HttpOnly', async () => {
    const user = await server.createUser();
    const app = await server.createClient();
    const rp = await server.rp(app.clientId, app.clientSecret);
    const browser = new TestBrowser();
    const seen: string[] = [];
    const original = browser.request.bind(browser);
    browser.request = async (url, init) => {
      const page = await original(url, init);
      seen.push(...page.headers.getSetCookie());
      return page;
    };
    await signInAndRedeem(browser, rp, user, app.redirectUri);
    const device = seen.find((c) => c.startsWith('device='));
    expect(device).toMatch(/httponly/i);
    expect(device).toMatch(/samesite=lax/i);
    expect(device).toMatch(/expires=/i);
  });
});

describe('new-device alerts turned off', () => {
  it('sends nothing with NEW_DEVICE_ALERTS=false', async () => {
    const sink = await startSmtpSink();
    const server = await startTestServer({
      EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: sink.url,
      SMTP_REQUIRE_TLS: 'false',
      NEW_DEVICE_ALERTS: 'false',
    });
    try {
      const user = await server.createUser();
      await signIn(server, new TestBrowser(), user);
      await server.accountCentre.emails.idle();
      expect(sink.messages).toEqual([]);
    } finally {
      await server.stop({ graceMs: 0 });
      await sink.close();
    }
  });
});
