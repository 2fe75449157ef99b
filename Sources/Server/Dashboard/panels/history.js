// Historical analysis: a range selector (15m … 7d) and a metric, showing average, peak,
// low, standard deviation, the series and the server's insights. Loaded on demand only.

import { h, setText, replaceChildren } from '../dom.js';
import { LineChart, palette } from '../charts.js';
import { formatterFor, fmtInt, isNum } from '../format.js';

export const RANGES = ['15m', '1h', '6h', '24h', '7d'];
const DEFAULT_METRICS = [
  { id: 'rps', label: 'Throughput', unit: 'ops/s' },
  { id: 'latency', label: 'Latency p99', unit: 'ms' },
  { id: 'errors', label: 'Error rate', unit: '%' },
  { id: 'cpu', label: 'CPU', unit: '%' },
  { id: 'memory', label: 'Memory used', unit: 'bytes' },
];
const INSIGHT_ICONS = { warning: '!', critical: '!', positive: '▲', negative: '▼', info: 'i' };

export class HistoryPanel {
  /** @param {{load: (range: string, metric: string) => Promise<object|null>}} source */
  constructor(root, controlsRoot, source) {
    this.source = source;
    this.range = '1h';
    this.metric = DEFAULT_METRICS[0].id;
    this.metrics = DEFAULT_METRICS;
    this.rangeButtons = RANGES.map((r) => h('button', { type: 'button', class: `seg-btn${r === this.range ? ' active' : ''}`, 'data-range': r,
      on: { click: () => { this.range = r; this.syncButtons(); this.load(); } } }, r));
    this.select = h('select', { class: 'select', 'aria-label': 'metric', on: { change: () => { this.metric = this.select.value; this.load(); } } });
    this.fillSelect();
    replaceChildren(controlsRoot, this.select, h('div', { class: 'seg-group', role: 'group', 'aria-label': 'range' }, this.rangeButtons));
    this.values = {};
    const stat = (key, label) => {
      const value = h('div', { class: 'stat-value big', 'data-testid': `history-${key}` }, '—');
      this.values[key] = value;
      return h('div', { class: 'stat card-inset' }, h('div', { class: 'stat-label' }, label), value);
    };
    const chartHost = h('div', { class: 'chart-host tall' });
    this.insights = h('ul', { class: 'insights', 'data-testid': 'history-insights' });
    this.status = h('div', { class: 'muted small' }, '');
    replaceChildren(root,
      h('div', { class: 'history-stats' }, stat('average', 'Average'), stat('peak', 'Peak'), stat('low', 'Low'), stat('stddev', 'Std deviation'), stat('count', 'Samples')),
      h('div', { class: 'history-body' }, chartHost, h('div', { class: 'history-insights' }, h('div', { class: 'sub-title' }, 'Insights'), this.insights, this.status)));
    this.chart = new LineChart(chartHost, { testId: 'chart-history', legend: true, label: 'historical series', emptyText: 'no samples in this range' });
    this.requestSeq = 0;
  }

  fillSelect() {
    replaceChildren(this.select, this.metrics.map((m) => h('option', { value: m.id, selected: m.id === this.metric }, m.label)));
  }

  syncButtons() { for (const b of this.rangeButtons) b.classList.toggle('active', b.dataset.range === this.range); }

  async load() {
    const seq = ++this.requestSeq;
    setText(this.status, 'loading…');
    const model = await this.source.load(this.range, this.metric);
    if (seq !== this.requestSeq) return;
    if (!model) { setText(this.status, 'historical analysis is not available from this server'); return; }
    setText(this.status, '');
    if (model.metrics.length > 0 && model.metrics.join() !== this.metrics.map((m) => m.id).join()) {
      this.metrics = model.metrics.map((id) => DEFAULT_METRICS.find((m) => m.id === id) ?? { id, label: id });
      this.fillSelect();
    }
    const known = this.metrics.find((m) => m.id === this.metric);
    const unit = model.unit ?? known?.unit;
    const format = formatterFor(unit);
    setText(this.values.average, isNum(model.average) ? format(model.average) : '—');
    setText(this.values.peak, isNum(model.peak) ? format(model.peak) : '—');
    setText(this.values.low, isNum(model.low) ? format(model.low) : '—');
    setText(this.values.stddev, isNum(model.stdDev) ? format(model.stdDev) : '—');
    setText(this.values.count, fmtInt(model.count ?? model.series.length));
    this.chart.unit = unit;
    this.chart.format = format;
    this.chart.signature = undefined;
    const avg = isNum(model.average) && model.series.length > 1 ? [[model.series[0][0], model.average], [model.series[model.series.length - 1][0], model.average]] : [];
    this.chart.setData({ series: [
      { name: known?.label ?? this.metric, color: palette.cyan, points: model.series, area: true },
      { name: 'average', color: palette.muted, points: avg, dash: [4, 4], width: 1 },
    ] });
    replaceChildren(this.insights, model.insights.length ? model.insights.map((i) => h('li', { class: `insight ${i.type}` },
      h('span', { class: 'insight-icon' }, INSIGHT_ICONS[i.type] ?? '•'), h('span', {}, i.message))) : h('li', { class: 'insight muted' }, 'No insights for this range'));
  }
}
