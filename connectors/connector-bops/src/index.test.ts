import { testConnector } from '@switchboard/connector-sdk/testing';
import { describe, expect, it } from 'vitest';

const pkg = new URL('..', import.meta.url).pathname;
const session = {
  id: 'sess-bops', paymentId: 'pay_123',
  data: { passport: { data: {
    'application.type': 'ldc.proposed', 'applicant.email': 'ada@example.com', 'applicant.name.first': 'Ada', 'applicant.name.last': 'Lovelace',
    'proposal.description': 'Rear extension', _address: { uprn: '100021892955', single_line_address: '1 Test Street, London', postcode: 'SE1 1AA' },
  } } },
};

/** A loopback fake of BOPS's create endpoint: bearer token checked, payload validated. */
const bops = (token: string) => ({
  'POST /api/v1/planning_applications': (call: { headers: Record<string, unknown>; body: any }) => {
    if (call.headers.authorization !== `Bearer ${token}`) return { status: 401, body: { message: 'unauthorised' } };
    if (!call.body?.application_type || !call.body?.applicant_email) return { status: 400, body: { message: 'missing fields' } };
    return { status: 200, body: { id: 42, message: 'Application created' } };
  },
});

describe('connector-bops', () => {
  it('submits the mapped application with the bearer token', async () => {
    const r = await testConnector(pkg, { session, config: (base) => ({ baseUrl: base, token: 'bops-token-123' }), routes: bops('bops-token-123') });
    expect(r.status).toBe('success');
    expect(r.received[0]!.body).toMatchObject({
      application_type: 'ldc.proposed', applicant_first_name: 'Ada', applicant_last_name: 'Lovelace', applicant_email: 'ada@example.com',
      description: 'Rear extension', site: { uprn: '100021892955', address_1: '1 Test Street, London', postcode: 'SE1 1AA' },
      payment_reference: 'pay_123', planx_session_id: 'sess-bops',
    });
    expect(r.logs).toContain('BOPS application 42');
  });

  it('returns an error message, not a retry, when BOPS rejects the request', async () => {
    const r = await testConnector(pkg, { session, config: (base) => ({ baseUrl: base, token: 'wrong-token' }), routes: bops('bops-token-123') });
    expect(r.status).toBe('BOPS answered 401');
  });
});
