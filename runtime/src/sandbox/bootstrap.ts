/**
 * Runs first in every context, before the connector's code: it takes the two host references
 * off the global object into closures (so connector code can never reach them), captures the
 * built-ins it relies on (so connector code cannot tamper with them), and defines the one
 * entry point the host calls. Everything crossing the boundary is copied, never shared.
 */
export const bootstrapSource = String.raw`
(function () {
  'use strict';
  const g = globalThis;
  const reqRef = g.__sb_request, logRef = g.__sb_log;
  delete g.__sb_request; delete g.__sb_log;
  const stringify = JSON.stringify, Str = String, slice = Function.prototype.call.bind(String.prototype.slice);
  const freeze = Object.freeze;
  const MAX_TEXT = 2000;
  const cut = (s) => (s.length > MAX_TEXT ? slice(s, 0, MAX_TEXT) + '…' : s);
  const text = (v) => { try { return cut(typeof v === 'string' ? v : Str(v)); } catch (e) { return '[unprintable]'; } };
  // Each run gets its own request and log, tagged with its run number so the host records
  // calls against the right run when several runs of one enablement share this context.
  const forRun = (rid) => {
    const callHost = (args) => reqRef.apply(undefined, [rid, args], { arguments: { copy: true }, result: { promise: true, copy: true } });
    const request = freeze({
      get(opts) {
        return callHost({ method: 'GET', url: opts && opts.url, headers: opts && opts.headers });
      },
      post(url, payload, opts) {
        const body = typeof payload === 'string' ? payload : stringify(payload === undefined ? null : payload);
        return callHost({ method: 'POST', url, payload: body, json: typeof payload !== 'string', headers: opts && opts.headers });
      },
    });
    const log = freeze(function log(...parts) {
      let line = '';
      for (let i = 0; i < parts.length && line.length < MAX_TEXT; i++) {
        const p = parts[i];
        let s;
        if (typeof p === 'string') s = p;
        else { try { s = stringify(p); } catch (e) { s = text(p); } }
        line += (i ? ' ' : '') + (s === undefined ? 'undefined' : s);
      }
      logRef.applyIgnored(undefined, [rid, cut(line)], { arguments: { copy: true } });
    });
    return { request, log };
  };
  Object.defineProperty(g, '__sb_invoke', {
    value: async function (input) {
      try {
        const mod = g.__sb_connector;
        const connector = mod && (mod.default || mod);
        if (!connector || typeof connector.run !== 'function') return { kind: 'threw', message: 'the package exports no connector (default export with run)' };
        const io = forRun(input.runId);
        const status = await connector.run({ session: input.session, config: input.config, request: io.request, log: io.log });
        if (typeof status === 'string') return { kind: 'returned', value: cut(status) };
        return { kind: 'threw', message: 'the connector returned ' + (status === null ? 'null' : typeof status) + ', not a status string' };
      } catch (e) {
        let message;
        try { message = e && typeof e === 'object' && 'message' in e ? text(e.message) : text(e); } catch (x) { message = '[unprintable error]'; }
        return { kind: 'threw', message };
      }
    },
  });
})();
`;
