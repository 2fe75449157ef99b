// Performance heatmap: time columns × rows over a history range (15m … 7d). Latency rows
// are latency bands of all operations (a cell: how many, and their mean); throughput
// and error rows are operations or protocols (a cell: ops/s, or failed %). Loaded on
// demand, as of the timeline's cursor in replay.

import { h, setText, replaceChildren } from '../dom.js';
import { HeatmapChart } from '../charts.js';
import { fmtInt, formatterFor } from '../format.js';
import { RANGES } from './history.js';

const METRICS = [
  { id: 'latency', label: 'Latency' },
  { id: 'throughput', label: 'Throughput' },
  { id: 'errors', label: 'Error rate' },
];

export class HeatmapPanel {
  /** @param {{load: (metric: string, range: string, by: string) => Promise<object|null>}} source */
  constructor(root, controlsRoot, source) {
    this.source = source;
    this.metric = 'latency';
    this.range = '1h';
    this.by = 'operation';
    this.metricSelect = h('select', { class: 'select', 'aria-label': 'heatmap metric', 'data-testid': 'heatmap-metric',
      on: { change: () => { this.metric = this.metricSelect.value; this.syncControls(); this.load(); } } },
    METRICS.map((m) => h('option', { value: m.id, selected: m.id === this.metric }, m.label)));
    this.bySelect = h('select', { class: 'select', 'aria-label': 'heatmap rows',
      on: { change: () => { this.by = this.bySelect.value; this.load(); } } },
    h('option', { value: 'operation' }, 'per operation'), h('option', { value: 'protocol' }, 'per protocol'));
    this.rangeButtons = RANGES.map((r) => h('button', { type: 'button', class: `seg-btn${r === this.range ? ' active' : ''}`, 'data-range': r,
      on: { click: () => { this.range = r; this.syncControls(); this.load(); } } }, r));
    replaceChildren(controlsRoot, this.metricSelect, this.bySelect, h('div', { class: 'seg-group', role: 'group', 'aria-label': 'heatmap range' }, this.rangeButtons));
    const host = h('div', { class: 'chart-host tall', 'data-testid': 'heatmap' });
    this.status = h('div', { class: 'muted small', 'data-testid': 'heatmap-status' }, '');
    replaceChildren(root, host, this.status);
    this.chart = new HeatmapChart(host, { testId: 'chart-heatmap', label: 'performance heatmap', emptyText: 'no operations in this range' });
    this.requestSeq = 0;
    this.syncControls();
  }

  syncControls() {
    this.bySelect.hidden = this.metric === 'latency';
    for (const b of this.rangeButtons) b.classList.toggle('active', b.dataset.range === this.range);
  }

  /** What to show: the page asks for it with the views when it seeks. */
  request() { return { metric: this.metric, range: this.range, by: this.by }; }

  async load() {
    const seq = ++this.requestSeq;
    const model = await this.source.load(this.metric, this.range, this.by);
    if (seq !== this.requestSeq) return;
    this.drawModel(model);
  }

  /** Shows a heatmap loaded elsewhere (with the views), dropping any load in flight. */
  show(model) {
    ++this.requestSeq;
    this.drawModel(model);
  }

  drawModel(model) {
    if (!model) { setText(this.status, 'the heatmap is not available from this server'); return; }
    this.chart.unit = model.unit;
    this.chart.format = formatterFor(model.unit);
    this.chart.setData(model);
    const column = model.columnWidthMs >= 3600000 ? `${model.columnWidthMs / 3600000} h` : model.columnWidthMs >= 60000 ? `${model.columnWidthMs / 60000} min` : `${model.columnWidthMs / 1000} s`;
    setText(this.status, `${fmtInt(model.totalCount)} operations · ${model.columnsMs.length} columns of ${column} · colour: ${model.colourBy === 'count' ? 'operations per cell' : model.valueLabel}`);
  }
}
