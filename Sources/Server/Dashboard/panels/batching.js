// Batching: batch size against the optimal size over time, sizes, queue depth,
// throughput, latency and the priority distribution of queued work.

import { h, setText, replaceChildren } from '../dom.js';
import { LineChart, palette } from '../charts.js';
import { fmtNumber, fmtMs, fmtInt, isNum } from '../format.js';

const HISTORY_MAX = 600;

export class BatchingPanel {
  constructor(root) {
    const chartHost = h('div', { class: 'chart-host' });
    this.stats = {};
    const stat = (key, label) => {
      const value = h('div', { class: 'stat-value' }, '—');
      this.stats[key] = value;
      return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), value);
    };
    this.prioBar = h('div', { class: 'stacked-bar', 'data-testid': 'batch-priority' });
    this.prioLegend = h('div', { class: 'legend' });
    replaceChildren(root,
      chartHost,
      h('div', { class: 'stat-row' }, stat('current', 'Current'), stat('optimal', 'Optimal'), stat('avg', 'Average'), stat('range', 'Min / max')),
      h('div', { class: 'stat-row' }, stat('queue', 'Queue depth'), stat('throughput', 'Throughput'), stat('latency', 'Batch latency')),
      h('div', { class: 'sub-title' }, 'Priority distribution'), this.prioBar, this.prioLegend);
    this.chart = new LineChart(chartHost, { testId: 'chart-batch-size', unit: 'count', legend: true, label: 'batch size vs optimal size' });
    this.sizes = [];
    this.optimal = [];
  }

  update(model, { live = false, timeMs } = {}) {
    if (!model) return;
    if (model.history.length > 0) {
      this.sizes = model.history.filter((b) => isNum(b.size)).map((b) => [b.timeMs, b.size]);
      this.optimal = model.history.filter((b) => isNum(b.optimalSize)).map((b) => [b.timeMs, b.optimalSize]);
    } else {
      // The view has no history: the chart is built from the reports seen, and starts
      // again when time moves backwards (time travel).
      const t = model.lastBatchMs ?? (live ? timeMs : undefined);
      const last = this.sizes[this.sizes.length - 1];
      if (!isNum(t) || (last && t < last[0])) { this.sizes = []; this.optimal = []; }
      if (isNum(t) && isNum(model.currentSize)) pushPoint(this.sizes, [t, model.currentSize]);
      if (isNum(t) && isNum(model.optimalSize)) pushPoint(this.optimal, [t, model.optimalSize]);
    }
    this.chart.setData({ series: [
      { name: 'batch size', color: palette.blue, points: this.sizes, area: true },
      { name: 'optimal', color: palette.green, points: this.optimal, dash: [5, 4] },
    ] });
    setText(this.stats.current, fmtNumber(model.currentSize));
    setText(this.stats.optimal, fmtNumber(model.optimalSize));
    setText(this.stats.avg, fmtNumber(model.avgSize));
    setText(this.stats.range, `${fmtNumber(model.minSize)} / ${fmtNumber(model.maxSize)}`);
    const trend = isNum(model.queueTrend) && model.queueTrend !== 0 ? ` ${model.queueTrend > 0 ? '▲' : '▼'}${fmtInt(Math.abs(model.queueTrend))}` : '';
    setText(this.stats.queue, fmtInt(model.queueDepth) + trend);
    this.stats.queue.classList.toggle('growing', model.queueGrowing === true);
    setText(this.stats.throughput, isNum(model.throughput) ? `${fmtNumber(model.throughput)}/s` : '—');
    setText(this.stats.latency, fmtMs(model.latencyMs));
    const p = model.priority;
    const total = p.high + p.medium + p.low;
    const parts = [['high', p.high, 'bad'], ['medium', p.medium, 'warn'], ['low', p.low, 'info']];
    replaceChildren(this.prioBar, parts.map(([name, v, cls]) => {
      const seg = h('span', { class: `seg ${cls}`, title: `${name}: ${fmtInt(v)}` });
      seg.style.width = `${total > 0 ? (v / total) * 100 : 0}%`;
      return seg;
    }));
    replaceChildren(this.prioLegend, parts.map(([name, v, cls]) => h('span', { class: 'legend-item' },
      h('span', { class: `swatch ${cls}` }), `${name} ${fmtInt(v)}${total > 0 ? ` (${Math.round((v / total) * 100)}%)` : ''}`)));
  }
}

function pushPoint(list, point) {
  const last = list[list.length - 1];
  if (last && last[0] >= point[0]) return;
  list.push(point);
  if (list.length > HISTORY_MAX) list.splice(0, list.length - HISTORY_MAX);
}
