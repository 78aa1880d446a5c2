import { pino, type Logger } from 'pino';

export type { Logger };

// Paths that could ever carry a secret are censored even if a caller slips.
const redact = [
  'authorization', 'secret', 'token', 'password', 'config', 'data',
  '*.authorization', '*.secret', '*.token', '*.password',
  'req.headers.authorization', 'req.headers.cookie',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { pid: process.pid }, redact: { paths: redact, censor: '[redacted]' } }, destination);
}
