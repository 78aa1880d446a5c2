import { defineRoute } from '../../route.ts';
import { ApiError } from '../../problem.ts';

// Documents the websocket endpoint; the upgrade itself is served by cable/server.ts.
export default defineRoute({
  method: 'get',
  path: '/v1/cable',
  operationId: 'connectCable',
  tag: 'Events',
  summary: 'Receive events live over a websocket (ActionCable protocol)',
  description: [
    'Upgrade to a websocket with subprotocol `actioncable-v1-json`, authenticated with a consumer credential that has `events:read` (HTTP Basic, or a ticket from `POST /v1/cable/tickets` as `?ticket=`). A refused upgrade is answered with 401/403 problem+json before any upgrade.',
    'The server sends `{"type":"welcome"}`, then `{"type":"ping","message":<unix time>}` every 3 s. Subscribe with `{"command":"subscribe","identifier":"{\\"channel\\":\\"EventChannel\\",\\"events\\":\\"session.*\\"}"}`; optional identifier keys: `since` (an event id or ISO time: stored events after it are replayed in order, then live, with no gap and no duplicate), `ack` (true: acknowledge with `{"command":"message","identifier":…,"data":"{\\"action\\":\\"ack\\",\\"id\\":\\"evt_…\\"}"}`; on reconnect unacknowledged events come first) and `name` (names the acknowledged position).',
    'Each event arrives as `{"identifier":…,"message":{"id","timestamp","name","version","payload","link","received_at","subject"}}` where `payload` is the light notification `{id, team, flow, paymentID}` and `link` the session to pull. A credential sees its own team\'s events for flows that granted its platform. No global order is promised across processes; a slow reader is disconnected with `reconnect: true` and resumes from its acknowledged position.',
  ].join('\n\n'),
  access: { kind: 'credential', credential: 'consumer', scope: 'events:read' },
  responses: {
    101: { description: 'Switching Protocols: the websocket is open and speaks `actioncable-v1-json`.' },
    426: { description: 'Not a websocket upgrade request (`upgrade_required`).' },
  },
  handler() {
    throw new ApiError('upgrade_required', 'connect with a websocket upgrade (subprotocol actioncable-v1-json)');
  },
});
