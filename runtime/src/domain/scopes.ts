import { z } from 'zod';

export const producerScopes = ['sessions:write'] as const;
export const consumerScopes = ['sessions:read', 'files:read', 'events:read'] as const;
export const scopeSchema = z.enum([...producerScopes, ...consumerScopes]);
export type Scope = z.infer<typeof scopeSchema>;
