import { createHmac } from 'node:crypto';
import { testConnector } from '@switchboard/connector-sdk/testing';
import { describe, expect, it } from 'vitest';

const pkg = new URL('..', import.meta.url).pathname;
const serviceId = '26785a09-ab16-4eb0-8407-a37497a57506';
const secret = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const apiKey = `test_key-${serviceId}-${secret}`;
const templateId = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const session = { id: 'sess-mail', data: { passport: { data: { 'applicant.email': 'ada@example.com', 'applicant.name.first': 'Ada' } } } };

/** A loopback fake of Notify: verifies the HS256 JWT the way Notify does. */
function notify(call: { headers: Record<string, unknown>; body: any }) {
  const jwt = String(call.headers.authorization).replace(/^Bearer /, '');
  const [h, c, s] = jwt.split('.');
  const expected = createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url');
  const claims = JSON.parse(Buffer.from(c!, 'base64url').toString());
  if (s !== expected || claims.iss !== serviceId) return { status: 403, body: { errors: [{ error: 'AuthError', message: 'Invalid token' }] } };
  return { status: 201, body: { id: 'notification-1', reference: call.body.reference } };
}

describe('connector-notify-email', () => {
  it('sends the templated email with personalisation from the session', async () => {
    const r = await testConnector(pkg, {
      session,
      config: (base) => ({ apiKey, templateId, baseUrl: base, emailAddressField: 'applicant.email', personalisation: { first_name: 'applicant.name.first' } }),
      routes: { 'POST /v2/notifications/email': notify },
    });
    expect(r.status).toBe('success');
    expect(r.received[0]!.body).toEqual({ email_address: 'ada@example.com', template_id: templateId, personalisation: { first_name: 'Ada' }, reference: 'sess-mail' });
  });

  it('returns an error message when the session has no address', async () => {
    const r = await testConnector(pkg, {
      session: { id: 's', data: { passport: { data: {} } } },
      config: (base) => ({ apiKey, templateId, baseUrl: base, emailAddressField: 'applicant.email', personalisation: {} }),
    });
    expect(r.status).toBe('no email address at "applicant.email"');
    expect(r.requests).toHaveLength(0);
  });
});
