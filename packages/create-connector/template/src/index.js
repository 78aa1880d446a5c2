import { defineConnector } from '@switchboard/connector-sdk';
import { z } from 'zod';

export default defineConnector({
  name: '{{name}}',
  description: '{{description}}',
  // Shown to operators as a form; fields marked writeOnly are stored encrypted.
  configSchema: z.object({
    endpoint: z.url().describe('Where to send each session.'),
    apiKey: z.string().min(1).describe('Sent as a bearer token.').meta({ writeOnly: true }),
  }),
  // The only hosts `request` may call; `{config.endpoint}` allows the configured endpoint's host.
  allowedHosts: ['{config.endpoint}'],
  async run({ session, config, request, log }) {
    const res = await request.post(config.endpoint, { id: session.id, flow: session.flow, data: session.data }, {
      headers: { authorization: `Bearer ${config.apiKey}` },
    });
    log('sent', session.id, res.statusCode);
    if (res.statusCode >= 200 && res.statusCode < 300) return 'success';
    // "failed" is retried with backoff; any other string is recorded as the error.
    return res.statusCode >= 500 ? 'failed' : `rejected with ${res.statusCode}`;
  },
});
