// Circuit-breaker cards: state colour, failures, parse rate, latency, last failure,
// "testing…" while half-open, the last transitions; and the fault-tolerance summary.

import { h, replaceChildren } from '../dom.js';
import { fmtInt, fmtPercent, fmtMs, fmtClock, fmtAgo, fmtDateTime, isNum } from '../format.js';

const STATE_LABEL = { CLOSED: 'Closed', OPEN: 'Open', HALF_OPEN: 'Half-open' };
const MAX_CARDS = 64;

export class BreakersPanel {
  constructor(root, summaryRoot) {
    this.grid = h('div', { class: 'breaker-grid', 'data-testid': 'breakers' });
    replaceChildren(root, this.grid);
    this.summaryRoot = summaryRoot;
    this.breakers = new Map();
    this.nowMs = Date.now();
  }

  /** Replaces every breaker (initial load, time travel, a full list from the stream). */
  replaceAll(list, nowMs) {
    if (!list) return;
    this.breakers = new Map(list.slice(0, MAX_CARDS).map((b) => [b.connection, b]));
    this.nowMs = nowMs ?? Date.now();
    this.render();
  }

  list() { return [...this.breakers.values()]; }

  render() {
    const order = { OPEN: 0, HALF_OPEN: 1, CLOSED: 2 };
    // Code-unit order, not localeCompare: its first call sets up an ICU collator (~50 ms).
    const byName = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
    const sorted = this.list().sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3) || byName(a.connection, b.connection));
    replaceChildren(this.grid, sorted.length ? sorted.map((b) => this.card(b)) : h('div', { class: 'empty' }, 'No circuit breakers reported'));
  }

  card(b) {
    const state = STATE_LABEL[b.state] ? b.state : 'UNKNOWN';
    const history = (b.history ?? []).slice(-8).map((t) => h('span', {
      class: `hist-dot st-${t.to}`, title: `${fmtClock(t.timeMs)} ${t.from ?? '?'} → ${t.to ?? '?'}${t.reason ? `: ${t.reason}` : ''}`,
    }));
    return h('div', { class: `breaker-card st-${state}`, 'data-testid': 'breaker-card', 'data-connection': b.connection, 'data-state': state },
      h('div', { class: 'bc-head' },
        h('span', { class: 'bc-name', title: b.connection }, b.connection),
        h('span', { class: `state-pill st-${state}` }, h('span', { class: 'dot' }), STATE_LABEL[state] ?? state)),
      state === 'HALF_OPEN' ? h('div', { class: 'bc-testing' }, h('span', { class: 'spinner' }), 'testing…') : null,
      h('div', { class: 'bc-metrics' },
        metric('Failures', fmtInt(b.failures)), metric('Parse rate', fmtPercent(b.parseRate)), metric('Latency', fmtMs(b.latencyMs))),
      h('div', { class: 'bc-foot' },
        h('span', { title: isNum(b.lastFailureMs) ? fmtDateTime(b.lastFailureMs) : '' },
          isNum(b.lastFailureMs) ? `Last failure ${fmtClock(b.lastFailureMs)} · ${fmtAgo(b.lastFailureMs, this.nowMs)}` : 'No failure recorded'),
        h('span', { class: 'hist' }, history)),
      b.reason && state !== 'CLOSED' ? h('div', { class: 'bc-reason' }, b.reason) : null);
  }

  updateSummary(ft, nowMs) {
    if (!ft || !this.summaryRoot) return;
    const pill = (label, value, cls) => h('span', { class: `sum-pill ${cls}` }, h('b', {}, fmtInt(value)), ` ${label}`);
    replaceChildren(this.summaryRoot,
      pill('healthy', ft.healthy, 'ok'), pill('degraded', ft.degraded, 'warn'), pill('failed', ft.failed, 'bad'),
      h('span', { class: 'sum-note' }, isNum(ft.lastCheckpointMs) ? `checkpoint ${fmtAgo(ft.lastCheckpointMs, nowMs ?? Date.now())}` : 'no checkpoint yet'),
      isNum(ft.missedSlots) ? h('span', { class: 'sum-note' }, `${fmtInt(ft.missedSlots)} missed slots`) : null);
  }
}

function metric(label, value) {
  return h('div', { class: 'bc-metric' }, h('span', { class: 'label' }, label), h('span', { class: 'value' }, value));
}

