import type { z } from 'zod';

/**
 * Stable error codes: consumers switch on `code`, never on the message text.
 * Each maps to exactly one HTTP status.
 */
export const problemCodes = {
  malformed_json: 400,
  validation_failed: 422,
  unauthenticated: 401,
  wrong_environment: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_granted: 403,
  not_found: 404,
  team_not_found: 404,
  session_not_found: 404,
  file_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  session_id_conflict: 409,
  session_expired: 410,
  integrity_mismatch: 409,
  in_use: 409,
  invalid_package: 422,
  registry_error: 502,
  file_deleted: 410,
  payload_too_large: 413,
  upgrade_required: 426,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  upload_incomplete: 400,
  invalid_download_link: 403,
  rate_limited: 429,
  internal_error: 500,
  file_reference_failed: 502,
  not_ready: 503,
} as const;

export type ProblemCode = keyof typeof problemCodes;

export type FieldIssue = { path: string; message: string; code: string };

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  fields?: FieldIssue[];
  requestId?: string;
};

/** The one error type the API throws; `onError` turns it into application/problem+json (RFC 9457). */
export class ApiError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly fields: FieldIssue[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ProblemCode, detail: string, extra: { fields?: FieldIssue[]; headers?: Record<string, string> } = {}) {
    super(detail);
    this.code = code;
    this.status = problemCodes[code];
    this.fields = extra.fields;
    this.headers = extra.headers;
  }
}

const titles: Partial<Record<ProblemCode, string>> = {
  malformed_json: 'Malformed JSON body',
  validation_failed: 'Validation failed',
  unauthenticated: 'Authentication required',
  wrong_environment: 'Credential belongs to another environment',
  insufficient_scope: 'Credential lacks the required scope',
  not_granted: 'Flow not granted to this platform',
  session_expired: 'Session data has expired',
  payload_too_large: 'Payload too large',
  rate_limited: 'Too many requests',
  internal_error: 'Internal error',
};

export function toProblem(error: ApiError, requestId?: string): Problem {
  return {
    type: `https://switchboard.dev/problems/${error.code.replaceAll('_', '-')}`,
    title: titles[error.code] ?? error.code.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase()),
    status: error.status,
    code: error.code,
    detail: error.message,
    ...(error.fields ? { fields: error.fields } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

export function validationError(where: 'body' | 'query' | 'path' | 'header', error: z.ZodError): ApiError {
  const fields = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
  const first = fields[0];
  return new ApiError('validation_failed', first ? `${first.path}: ${first.message}` : `invalid ${where}`, { fields });
}
