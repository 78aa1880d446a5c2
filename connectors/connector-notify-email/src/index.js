import { base64Url, defineConnector, hmacSha256, pick } from '@switchboard/connector-sdk';
import { z } from 'zod';

// A Notify API key is `{name}-{serviceId}-{secret}`, both UUIDs; the JWT is HS256 over the secret.
function notifyJwt(apiKey) {
  const serviceId = apiKey.slice(-73, -37);
  const secret = apiKey.slice(-36);
  const head = base64Url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const claims = base64Url(JSON.stringify({ iss: serviceId, iat: Math.floor(Date.now() / 1000) }));
  return `${head}.${claims}.${base64Url(hmacSha256(secret, `${head}.${claims}`))}`;
}

export default defineConnector({
  name: '@switchboard/connector-notify-email',
  description: 'Sends an email through GOV.UK Notify (or a compatible API) for each session.',
  configSchema: z.object({
    apiKey: z.string().min(74).describe('Notify API key.').meta({ writeOnly: true }),
    templateId: z.uuid().describe('Notify template id.'),
    emailAddressField: z.string().default('applicant.email').describe('Passport field holding the recipient address.'),
    personalisation: z.record(z.string(), z.string()).default({}).describe('Template placeholder → passport field.'),
    baseUrl: z.url().default('https://api.notifications.service.gov.uk'),
  }),
  allowedHosts: ['api.notifications.service.gov.uk', '{config.baseUrl}'],
  requires: { type: 'object', required: ['passport'] },
  async run({ session, config, request, log }) {
    const passport = session.data?.passport?.data ?? {};
    const email = passport[config.emailAddressField ?? 'applicant.email'];
    if (typeof email !== 'string') return `no email address at "${config.emailAddressField}"`;
    const personalisation = Object.fromEntries(
      Object.entries(config.personalisation ?? {}).map(([name, path]) => [name, String(passport[path] ?? pick(session.data, path) ?? '')]),
    );
    const res = await request.post(`${(config.baseUrl ?? 'https://api.notifications.service.gov.uk').replace(/\/$/, '')}/v2/notifications/email`, {
      email_address: email, template_id: config.templateId, personalisation, reference: session.id,
    }, { headers: { authorization: `Bearer ${notifyJwt(config.apiKey)}` } });
    log('notify', res.statusCode, res.response?.id ?? '');
    if (res.statusCode === 201) return 'success';
    return res.statusCode === 429 || res.statusCode >= 500 ? 'failed' : `Notify answered ${res.statusCode}: ${res.response?.errors?.[0]?.message ?? ''}`;
  },
});
