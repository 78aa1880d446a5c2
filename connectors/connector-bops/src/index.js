import { defineConnector } from '@switchboard/connector-sdk';
import { z } from 'zod';

const field = (data, key) => data?.passport?.data?.[key];

export default defineConnector({
  name: '@switchboard/connector-bops',
  description: 'Submits a planning application to a BOPS back office (POST /api/v1/planning_applications).',
  configSchema: z.object({
    baseUrl: z.url({ protocol: /^https?$/ }).describe("The council's BOPS URL, e.g. https://lambeth.bops.services"),
    token: z.string().min(8).describe('BOPS API bearer token.').meta({ writeOnly: true }),
  }),
  allowedHosts: ['{config.baseUrl}'],
  // BOPS cannot accept an application without these.
  requires: {
    type: 'object',
    required: ['passport'],
    properties: {
      passport: {
        type: 'object',
        required: ['data'],
        properties: { data: { type: 'object', required: ['application.type', 'applicant.email', '_address'] } },
      },
    },
  },
  async run({ session, config, request, log }) {
    const d = session.data;
    const address = field(d, '_address') ?? {};
    const application = {
      application_type: field(d, 'application.type'),
      description: field(d, 'proposal.description') ?? '',
      applicant_first_name: field(d, 'applicant.name.first'),
      applicant_last_name: field(d, 'applicant.name.last'),
      applicant_email: field(d, 'applicant.email'),
      site: { uprn: address.uprn, address_1: address.single_line_address, postcode: address.postcode },
      payment_reference: session.paymentId ?? undefined,
      planx_session_id: session.id,
    };
    const res = await request.post(`${config.baseUrl.replace(/\/$/, '')}/api/v1/planning_applications`, application, {
      headers: { authorization: `Bearer ${config.token}` },
    });
    if (res.statusCode === 200 || res.statusCode === 201) {
      log('BOPS application', res.response?.id ?? '(no id)');
      return 'success';
    }
    log('BOPS refused the application', res.statusCode, res.response?.message ?? '');
    return res.statusCode >= 500 ? 'failed' : `BOPS answered ${res.statusCode}`;
  },
});
