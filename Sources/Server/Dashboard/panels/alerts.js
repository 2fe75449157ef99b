// Live alerts feed: newest first, severity icon and colour, time, connection, folded
// details, severity filter, Acknowledge, and a browser notification for critical alerts
// raised live when the user has allowed notifications. Items are kept by id and patched
// in place, so a stream message touches one element, not the list.

import { h, setText, replaceChildren } from '../dom.js';
import { fmtClock, fmtNumber, isNum } from '../format.js';
import { icon } from '../icons.js';

const MAX_ALERTS = 200;
const SEVERITY_NAMES = ['critical', 'warning', 'info'];
const SEVERITIES = ['all', 'critical', 'warning', 'info'];

export class AlertsPanel {
  /** @param {{onAck: (id: string) => Promise<{ok: boolean, error?: string}>}} actions */
  constructor(root, actions) {
    this.actions = actions;
    this.alerts = new Map();
    this.nodes = new Map();
    this.filter = 'all';
    this.readOnly = false;
    this.counts = {};
    this.filterButtons = SEVERITIES.map((sev) => {
      const count = h('span', { class: 'count' }, '');
      const button = h('button', { class: `chip sev-${sev}${sev === 'all' ? ' active' : ''}`, type: 'button', 'data-filter': sev,
        on: { click: () => this.setFilter(sev) } }, sev === 'all' ? 'All' : sev[0].toUpperCase() + sev.slice(1), count);
      this.counts[sev] = count;
      return button;
    });
    this.notifyButton = h('button', { class: 'icon-button', type: 'button', title: 'Notify me of critical alerts',
      on: { click: () => this.requestNotifications() } }, icon('bell'), ' Notify');
    this.list = h('div', { class: 'alerts-list', 'data-testid': 'alerts-feed', role: 'log', 'aria-live': 'polite' });
    this.empty = h('div', { class: 'empty' }, 'No alerts');
    replaceChildren(root, h('div', { class: 'alerts-filters' }, this.filterButtons, h('span', { class: 'spacer' }), this.notifyButton), this.list);
    this.list.append(this.empty);
    this.syncNotifyButton();
  }

  syncNotifyButton() {
    const supported = typeof Notification === 'function';
    this.notifyButton.hidden = !supported || Notification.permission !== 'default';
  }

  async requestNotifications() {
    if (typeof Notification !== 'function') return;
    await Notification.requestPermission();
    this.syncNotifyButton();
  }

  setFilter(sev) {
    this.filter = sev;
    for (const b of this.filterButtons) b.classList.toggle('active', b.dataset.filter === sev);
    for (const [id, node] of this.nodes) node.hidden = !this.matches(this.alerts.get(id));
    this.syncEmpty();
  }

  matches(alert) { return this.filter === 'all' || alert.severity === this.filter; }

  /** Threshold alerts' guidance by id, from /api/v1/alerts/performance: the value now
   *  and what to do. Redraws the items it concerns. */
  setGuidance(byId) {
    if (!byId) return;
    this.guidance = byId;
    for (const [id, alert] of this.alerts) {
      const old = this.nodes.get(id);
      if (old && byId.has(id)) old.replaceWith(this.nodeFor(alert));
    }
  }

  /** Replaces the whole feed (initial load, time travel). */
  replaceAll(alerts, { readOnly = false } = {}) {
    if (!alerts) return;
    this.readOnly = readOnly;
    this.alerts.clear();
    this.nodes.clear();
    const sorted = [...alerts].sort((a, b) => (b.timeMs ?? 0) - (a.timeMs ?? 0)).slice(0, MAX_ALERTS);
    for (const a of sorted) this.alerts.set(a.id, a);
    replaceChildren(this.list, sorted.map((a) => this.nodeFor(a)), this.empty);
    this.syncCounts();
  }

  /** Adds or updates one alert from the stream; notifies when it is new and critical. */
  upsert(alert, { notify = true } = {}) {
    const existing = this.alerts.get(alert.id);
    const merged = existing ? { ...existing, ...Object.fromEntries(Object.entries(alert).filter(([, v]) => v !== undefined && v !== '')) } : alert;
    this.alerts.set(merged.id, merged);
    const old = this.nodes.get(merged.id);
    const node = this.nodeFor(merged);
    if (old) old.replaceWith(node); else this.list.prepend(node);
    if (!existing && notify && merged.severity === 'critical' && merged.state === 'active') this.notify(merged);
    this.trim();
    this.syncCounts();
  }

  /** Applies an ack or resolve to a known alert. */
  patch(update) {
    const alert = this.alerts.get(update.id);
    if (!alert) return;
    this.upsert({ ...alert, ...update }, { notify: false });
  }

  trim() {
    if (this.alerts.size <= MAX_ALERTS) return;
    const oldest = [...this.alerts.values()].sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0)).slice(0, this.alerts.size - MAX_ALERTS);
    for (const a of oldest) { this.alerts.delete(a.id); this.nodes.get(a.id)?.remove(); this.nodes.delete(a.id); }
  }

  syncCounts() {
    const counts = { all: 0, critical: 0, warning: 0, info: 0 };
    for (const a of this.alerts.values()) {
      if (a.state !== 'active') continue;
      counts.all++;
      if (counts[a.severity] !== undefined) counts[a.severity]++;
    }
    for (const sev of SEVERITIES) setText(this.counts[sev], counts[sev] ? String(counts[sev]) : '');
    this.syncEmpty();
  }

  syncEmpty() {
    const anyShown = [...this.alerts.values()].some((a) => this.matches(a));
    this.empty.hidden = anyShown;
  }

  activeCount() { return [...this.alerts.values()].filter((a) => a.state === 'active').length; }

  notify(alert) {
    if (typeof Notification !== 'function' || Notification.permission !== 'granted') return;
    try {
      new Notification(`Tacho: critical alert${alert.connection ? ` on ${alert.connection}` : ''}`, { body: alert.message, tag: `tacho-${alert.id}` });
    } catch { /* notifications can be refused by the platform */ }
  }

  nodeFor(a) {
    const sev = SEVERITY_NAMES.includes(a.severity) ? a.severity : 'info';
    const meta = [];
    if (a.connection) meta.push(h('span', { class: 'tag' }, a.connection));
    if (a.metric) meta.push(h('span', { class: 'tag muted' }, a.metric));
    if (isNum(a.value)) meta.push(h('span', { class: 'alert-num' }, `value ${fmtNumber(a.value, 2)}${isNum(a.threshold) ? ` / threshold ${fmtNumber(a.threshold, 2)}` : ''}`));
    const guide = this.guidance?.get(a.id);
    if (guide && isNum(guide.currentValue)) meta.push(h('span', { class: 'alert-num', 'data-testid': 'alert-current' }, `now ${fmtNumber(guide.currentValue, 2)}`));
    const resolution = guide?.resolution ? h('div', { class: 'alert-resolution', 'data-testid': 'alert-resolution' }, h('strong', {}, 'Resolution: '), guide.resolution) : null;
    let details = null;
    if (a.data !== undefined) {
      const text = typeof a.data === 'string' ? a.data : JSON.stringify(a.data, null, 2);
      details = h('details', { class: 'alert-details' }, h('summary', {}, 'Details'), h('pre', {}, text));
    }
    let action = null;
    if (a.state === 'active' && !this.readOnly) {
      const button = h('button', { class: 'btn small', type: 'button', 'data-testid': 'alert-ack' }, 'Acknowledge');
      button.addEventListener('click', async () => {
        button.disabled = true;
        setText(button, 'Acknowledging…');
        const result = await this.actions.onAck(a.id);
        if (result.ok) { this.patch({ id: a.id, state: 'acknowledged' }); return; }
        button.disabled = false;
        setText(button, 'Acknowledge');
        button.title = result.error ?? 'failed';
      });
      action = button;
    }
    const stateLabel = a.state === 'acknowledged' ? `acknowledged${a.ackBy ? ` by ${a.ackBy}` : ''}` : a.state;
    const node = h('article', {
      class: `alert-item sev-${sev} state-${a.state}`, 'data-testid': 'alert-item', 'data-alert-id': a.id,
      'data-alert-state': a.state, 'data-severity': sev,
    },
    h('div', { class: 'alert-head' },
      h('span', { class: 'sev-icon', title: sev }, icon(sev)),
      h('span', { class: 'alert-kind' }, a.kind || sev),
      h('span', { class: 'state-badge' }, stateLabel),
      h('span', { class: 'spacer' }),
      h('time', { class: 'alert-time', title: isNum(a.timeMs) ? new Date(a.timeMs).toISOString() : '' }, fmtClock(a.timeMs))),
    h('div', { class: 'alert-message' }, a.message),
    meta.length || action ? h('div', { class: 'alert-meta' }, meta, h('span', { class: 'spacer' }), action) : null,
    resolution,
    details);
    node.hidden = !this.matches(a);
    this.nodes.set(a.id, node);
    return node;
  }

  /** Every alert's time, for the timeline's markers. */
  markers() { return [...this.alerts.values()].filter((a) => isNum(a.timeMs)).map((a) => ({ timeMs: a.timeMs, severity: a.severity, text: a.message })); }

}
