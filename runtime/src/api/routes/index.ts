import type { RouteSpec } from '../route.ts';
import listAudit from './audit/list.ts';
import { listFlowDestinations } from './connectors/destinations.ts';
import { disableTeamConnector, enableConnector, getTeamConnector, listTeamConnectors, updateTeamConnector } from './connectors/enablements.ts';
import { installConnectorRoute, listConnectorPackages, uninstallConnector } from './connectors/packages.ts';
import { getConnectorRun, listConnectorRuns, retryConnectorRun, runConnectorNow } from './connectors/runs.ts';
import connectCable from './cable/connect.ts';
import createCableTicket from './cable/tickets.ts';
import createCredential from './credentials/create.ts';
import listCredentials from './credentials/list.ts';
import downloadSessionFile from './files/get.ts';
import listSessionFiles from './files/list.ts';
import registerSessionFileReference from './files/register.ts';
import downloadFileByLink from './files/token-download.ts';
import uploadSessionFile from './files/upload.ts';
import revokeCredential from './credentials/revoke.ts';
import rotateCredential from './credentials/rotate.ts';
import getSession from './sessions/get.ts';
import listSessions from './sessions/list.ts';
import submitSession from './sessions/submit.ts';
import { healthz, readyz } from './system/health.ts';
import createTeamAdminToken from './teams/admin-tokens.ts';
import createTeam from './teams/create.ts';
import { createFlow, listFlowsRoute } from './teams/flows.ts';
import getTeam from './teams/get.ts';
import { createGrant, deleteGrantRoute, listGrantsRoute } from './teams/grants.ts';
import listTeams from './teams/list.ts';
import updateTeam from './teams/update.ts';
import { getReplayRoute, replayWebhook, retryDeliveryRoute, rotateWebhookSecretRoute, testWebhook } from './webhooks/actions.ts';
import { createWebhook, deleteWebhookRoute, getWebhookRoute, listWebhooksRoute, updateWebhookRoute } from './webhooks/crud.ts';
import { listEventAttempts, listEvents, listWebhookAttempts, listWebhookDeliveries } from './webhooks/history.ts';

/** Every route of the API, in the order the OpenAPI document lists them. */
export const routes: RouteSpec[] = [
  submitSession, listSessions, getSession,
  uploadSessionFile, registerSessionFileReference, listSessionFiles, downloadSessionFile, downloadFileByLink,
  createTeam, listTeams, getTeam, updateTeam, createTeamAdminToken,
  createFlow, listFlowsRoute,
  createGrant, listGrantsRoute, deleteGrantRoute,
  createCredential, listCredentials, rotateCredential, revokeCredential,
  listAudit,
  createWebhook, listWebhooksRoute, getWebhookRoute, updateWebhookRoute, deleteWebhookRoute, rotateWebhookSecretRoute, testWebhook,
  listWebhookDeliveries, listWebhookAttempts, listEventAttempts, listEvents, retryDeliveryRoute, replayWebhook, getReplayRoute,
  installConnectorRoute, listConnectorPackages, uninstallConnector,
  enableConnector, listTeamConnectors, getTeamConnector, updateTeamConnector, disableTeamConnector,
  listConnectorRuns, getConnectorRun, retryConnectorRun, runConnectorNow, listFlowDestinations,
  connectCable, createCableTicket,
  healthz, readyz,
];
