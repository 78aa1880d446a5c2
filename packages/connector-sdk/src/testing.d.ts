import type { RequestRecord, SandboxResult, Limits } from '@switchboard/runtime/sandbox';

export type ReceivedCall = { method: string; path: string; query: Record<string, string>; headers: Record<string, string | string[] | undefined>; body: any; rawBody: string };
export type RouteReply = { status: number; body?: unknown; headers?: Record<string, string> };
export type Routes = Record<string, RouteReply | ((call: ReceivedCall) => RouteReply | unknown | Promise<RouteReply | unknown>)>;

export declare function testConnector(pkgDir: string, options?: {
  session?: Record<string, unknown>;
  config?: Record<string, unknown> | ((baseUrl: string) => Record<string, unknown>);
  routes?: Routes;
  limits?: Partial<Limits>;
  dryRun?: boolean;
}): Promise<{ status: string; result: SandboxResult; requests: RequestRecord[]; received: ReceivedCall[]; logs: string[]; baseUrl: string }>;
