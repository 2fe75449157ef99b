// Health ring with score and status, and the per-component breakdown (components with no
// data are shown as left out, with the weights the server rescaled).

import { h, setText, setClassFrom, replaceChildren } from '../dom.js';
import { Ring, palette } from '../charts.js';
import { fmtPercent, isNum } from '../format.js';

const STATUS_COLORS = { excellent: palette.green, good: palette.cyan, degraded: palette.amber, critical: palette.red, unknown: palette.slate };
const STATUSES = Object.keys(STATUS_COLORS).map((s) => `status-${s}`);

export class HealthPanel {
  constructor(root) {
    const ringHost = h('div', { class: 'health-ring-canvas' });
    this.score = h('div', { class: 'health-score', 'data-testid': 'health-score' }, '—');
    this.status = h('div', { class: 'health-status', 'data-testid': 'health-status' }, 'no data');
    this.breakdown = h('div', { class: 'health-breakdown', 'data-testid': 'health-breakdown' });
    replaceChildren(root,
      h('div', { class: 'health-ring' }, ringHost, h('div', { class: 'health-center' }, this.score, h('div', { class: 'health-caption' }, 'health'))),
      this.status, this.breakdown);
    this.ring = new Ring(ringHost, { testId: 'chart-health', label: 'health score', total: 100, thickness: 0.14, format: (v) => v.toFixed(1) });
    this.root = root;
  }

  update(model) {
    if (!model) {
      setText(this.score, '—');
      setText(this.status, 'no data');
      setClassFrom(this.status, STATUSES, 'status-unknown');
      return;
    }
    const status = model.status ?? 'unknown';
    const color = STATUS_COLORS[status] ?? palette.slate;
    setText(this.score, isNum(model.score) ? Math.round(model.score) : '—');
    this.score.dataset.value = isNum(model.score) ? model.score.toFixed(2) : '';
    this.score.style.color = color;
    setText(this.status, status);
    setClassFrom(this.status, STATUSES, `status-${status}`);
    this.ring.setData({ segments: isNum(model.score) ? [{ label: 'score', value: Math.max(0.5, model.score), color }] : [] });
    this.renderBreakdown(model.components);
  }

  renderBreakdown(components) {
    const rows = components.map((c) => {
      const pct = isNum(c.value) ? Math.max(0, Math.min(1, c.value)) : 0;
      const weight = isNum(c.weight) ? `${Math.round(c.weight * 100)}%` : '';
      return h('div', { class: `hb-row${c.included ? '' : ' left-out'}`, 'data-component': c.key, 'data-included': String(c.included) },
        h('span', { class: 'hb-label' }, c.label),
        h('span', { class: 'hb-bar' }, h('span', { class: 'hb-fill' })),
        h('span', { class: 'hb-value' }, c.included ? fmtPercent(c.value, 0) : 'left out'),
        h('span', { class: 'hb-weight', title: c.included ? 'weight after rescaling' : (c.note ?? 'no data: weight given to the others') }, c.included ? weight : '—'));
    });
    replaceChildren(this.breakdown, rows.length ? rows : h('div', { class: 'empty' }, 'no components reported'));
    rows.forEach((row, i) => {
      const c = components[i];
      const fill = row.querySelector('.hb-fill');
      fill.style.width = `${(c.included && isNum(c.value) ? Math.max(0, Math.min(1, c.value)) : 0) * 100}%`;
      fill.style.background = !isNum(c.value) ? palette.slate : c.value >= 0.9 ? palette.green : c.value >= 0.75 ? palette.cyan : c.value >= 0.5 ? palette.amber : palette.red;
    });
  }
}
