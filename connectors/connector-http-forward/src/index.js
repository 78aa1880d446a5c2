import { defineConnector, hmacSha256Hex, pick } from '@switchboard/connector-sdk';
import { z } from 'zod';

export default defineConnector({
  name: '@switchboard/connector-http-forward',
  description: 'POSTs the session (or a chosen subset of its fields) as JSON to your endpoint, signed with HMAC-SHA256.',
  configSchema: z.object({
    url: z.url({ protocol: /^https?$/ }).describe('Where to POST each session.'),
    secret: z.string().min(16).describe('Shared secret for the signature header.').meta({ writeOnly: true }),
    fields: z.array(z.string().min(1)).optional().describe('Dotted paths into the session data to send; the whole data when absent.'),
  }),
  allowedHosts: ['{config.url}'],
  async run({ session, config, request, log }) {
    const data = config.fields ? Object.fromEntries(config.fields.map((f) => [f, pick(session.data, f)])) : session.data;
    const body = JSON.stringify({ id: session.id, team: session.team, flow: session.flow, submittedAt: session.submittedAt, data });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `t=${timestamp},v1=${hmacSha256Hex(config.secret, `${timestamp}.${body}`)}`;
    const res = await request.post(config.url, body, { headers: { 'content-type': 'application/json', 'x-switchboard-signature': signature } });
    log('forwarded', session.id, 'status', res.statusCode);
    return res.statusCode >= 200 && res.statusCode < 300 ? 'success' : 'failed';
  },
});
