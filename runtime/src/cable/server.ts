import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { toProblem, ApiError } from '../api/problem.ts';
import type { Deps } from '../api/context.ts';
import { useTicket } from '../db/store/cable.ts';
import { getCredential } from '../db/store/credentials.ts';
import { hashSecret } from '../domain/secrets.ts';
import { newId } from '../domain/ids.ts';
import type { CableCredential } from './connection.ts';
import type { CableHub } from './hub.ts';
import { SUBPROTOCOL } from './protocol.ts';

export const CABLE_PATH = '/v1/cable';

function refuse(socket: Duplex, error: ApiError, requestId: string) {
  const body = JSON.stringify(toProblem(error, requestId));
  const reason = error.status === 401 ? 'Unauthorized' : error.status === 403 ? 'Forbidden' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Who is connecting: Basic key:secret, or a single-use ticket (`?ticket=` or Bearer). */
async function authenticate(deps: Deps, req: IncomingMessage, url: URL): Promise<CableCredential> {
  const header = req.headers.authorization ?? '';
  const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
  const ticket = url.searchParams.get('ticket') ?? /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  let cred;
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const result = await deps.verifyCredential(decoded.slice(0, Math.max(colon, 0)), decoded.slice(colon + 1));
    if (!result.ok) {
      throw result.reason === 'wrong_environment'
        ? new ApiError('wrong_environment', 'this key was issued for another environment')
        : new ApiError('unauthenticated', 'the API key or secret is not valid');
    }
    cred = result.credential;
  } else if (ticket) {
    const id = await useTicket(deps.db, hashSecret(ticket), deps.clock.now());
    const row = id ? await getCredential(deps.db, id, null) : undefined;
    if (!row || row.revoked_at) throw new ApiError('unauthenticated', 'the ticket is unknown, used or expired');
    cred = row;
  } else {
    throw new ApiError('unauthenticated', 'a consumer credential (Basic auth) or a ticket is required');
  }
  if (cred.kind !== 'consumer' || !cred.scopes.includes('events:read')) {
    throw new ApiError('insufficient_scope', 'a consumer credential with scope events:read is required');
  }
  return { id: cred.id, platform: cred.platform, team: cred.teams[0]! };
}

/** Serves `GET /v1/cable` upgrades on the API's HTTP server; refusals are problem+json before the upgrade. */
export function attachCable(server: Server, deps: Deps, hub: CableHub) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://switchboard.invalid');
    const requestId = newId('req');
    socket.on('error', () => socket.destroy());
    if (url.pathname !== CABLE_PATH) {
      refuse(socket, new ApiError('not_found', `no websocket at ${url.pathname}`), requestId);
      return;
    }
    const audit = (status: number, credentialId: string | null, team: string | null, code: string | null) =>
      deps.audit.record({
        at: deps.clock.now(), requestId, actorKind: credentialId ? 'credential' : 'anonymous', actorId: credentialId, platform: null,
        team, method: 'GET', route: CABLE_PATH, path: url.pathname, sessionId: null, status, code, clientAddress: req.socket.remoteAddress ?? null,
      });
    authenticate(deps, req, url).then(
      async (credential) => {
        await audit(101, credential.id, credential.team, null);
        wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, credential));
      },
      async (error: unknown) => {
        const apiError = error instanceof ApiError ? error : new ApiError('internal_error', 'could not authenticate the connection');
        if (!(error instanceof ApiError)) deps.log.error({ err: error }, 'cable authentication failed');
        await audit(apiError.status, null, null, apiError.code).catch(() => {});
        refuse(socket, apiError, requestId);
      },
    );
  });

  return {
    close() {
      hub.close();
      wss.close();
    },
  };
}
