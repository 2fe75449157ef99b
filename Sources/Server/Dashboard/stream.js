// The one live connection: an EventSource on /api/v1/stream. The browser reconnects by
// itself and sends Last-Event-ID (the last log offset seen), so the server resumes with
// no gap; only when the source is closed for good (an HTTP error) is a new one opened,
// after a back-off, and the page reloads its views because the new source has no offset.

import { ENDPOINTS } from './api.js';

export const STREAM_EVENTS = ['metrics', 'health', 'alert', 'circuit-breaker', 'optimization', 'cache-stats', 'batch-metrics', 'topology', 'reset', 'lagged'];
const RETRY_MS_MIN = 1000;
const RETRY_MS_MAX = 30000;

export class LiveStream {
  /**
   * @param {{onMessage: (name: string, data: any, offset: string) => void,
   *          onState: (state: 'live'|'reconnecting'|'offline') => void,
   *          onResync: () => void}} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.source = null;
    this.retryMs = RETRY_MS_MIN;
    this.retryTimer = null;
    this.lastOffset = null;
    this.opens = 0;
  }

  start() {
    if (typeof EventSource !== 'function') { this.handlers.onState('offline'); return; }
    const source = new EventSource(ENDPOINTS.stream);
    this.source = source;
    source.onopen = () => {
      this.retryMs = RETRY_MS_MIN;
      this.opens++;
      this.handlers.onState('live');
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) { this.handlers.onState('reconnecting'); return; }
      this.handlers.onState('offline');
      source.close();
      this.scheduleRestart();
    };
    for (const name of STREAM_EVENTS) {
      source.addEventListener(name, (event) => {
        if (event.lastEventId) this.lastOffset = event.lastEventId;
        let data = null;
        try { data = event.data ? JSON.parse(event.data) : null; } catch { return; }
        this.handlers.onMessage(name, data, event.lastEventId);
      });
    }
  }

  scheduleRestart() {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryMs = Math.min(RETRY_MS_MAX, this.retryMs * 2);
      this.start();
      this.handlers.onResync();
    }, this.retryMs);
  }

  stop() {
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }
}
