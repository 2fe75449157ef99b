// Caches: overall hit-rate gauge, compression, evictions, size, entries, TTL, and one
// bar per cache (hit rate, size, entries).

import { h, setText, replaceChildren } from '../dom.js';
import { Gauge, LineChart, palette } from '../charts.js';
import { fmtPercent, fmtRatio, fmtInt, fmtBytes, fmtMs, isNum } from '../format.js';

export class CachePanel {
  constructor(root) {
    const gaugeHost = h('div', { class: 'gauge-host' });
    this.stats = {};
    const stat = (key, label) => {
      const value = h('div', { class: 'stat-value' }, '—');
      this.stats[key] = value;
      return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), value);
    };
    this.list = h('div', { class: 'cache-list', 'data-testid': 'cache-list' });
    const historyHost = h('div', { class: 'chart-host short' });
    replaceChildren(root,
      h('div', { class: 'cache-top' }, gaugeHost,
        h('div', { class: 'stat-grid' }, stat('compression', 'Compression'), stat('evictions', 'Evictions'), stat('size', 'Total size'),
          stat('entries', 'Entries'), stat('ttl', 'Average TTL'), stat('miss', 'Miss rate'))),
      h('div', { class: 'sub-title' }, 'Hit rate, last ten minutes'), historyHost,
      h('div', { class: 'sub-title' }, 'Per cache'), this.list);
    // Drawn from the view's per-second history (the server's), at load and at every seek.
    this.history = new LineChart(historyHost, { testId: 'chart-cache-hit-rate-history', unit: 'ratio', yMax: 1, label: 'cache hit rate history' });
    this.gauge = new Gauge(gaugeHost, {
      testId: 'chart-cache-hit-rate', unit: 'ratio', min: 0, max: 1, label: 'cache hit rate',
      zones: [{ upTo: 0.5, color: palette.red }, { upTo: 0.8, color: palette.amber }, { upTo: 1, color: palette.green }],
    });
  }

  update(model) {
    if (!model) return;
    this.gauge.setData({ value: model.hitRate, label: 'hit rate' });
    this.history.setData({ series: [{ name: 'hit rate', color: palette.green, points: model.history, area: true }] });
    setText(this.stats.compression, fmtRatio(model.compressionRatio));
    setText(this.stats.evictions, fmtInt(model.evictions));
    setText(this.stats.size, fmtBytes(model.totalSizeBytes));
    setText(this.stats.entries, fmtInt(model.entries));
    setText(this.stats.ttl, fmtMs(model.avgTTLms));
    setText(this.stats.miss, fmtPercent(isNum(model.missRate) ? model.missRate : isNum(model.hitRate) ? 1 - model.hitRate : undefined));
    const maxSize = Math.max(1, ...model.caches.map((c) => c.sizeBytes ?? 0));
    replaceChildren(this.list, model.caches.length ? model.caches.map((c) => {
      const hit = h('span', { class: 'fill' });
      const rate = isNum(c.hitRate) ? c.hitRate : 0;
      hit.style.width = `${rate * 100}%`;
      hit.style.background = rate >= 0.8 ? palette.green : rate >= 0.5 ? palette.amber : palette.red;
      const size = h('span', { class: 'fill size' });
      size.style.width = `${((c.sizeBytes ?? 0) / maxSize) * 100}%`;
      return h('div', { class: 'cache-item', 'data-cache': c.name },
        h('div', { class: 'ci-head' }, h('span', { class: 'ci-name' }, c.name), h('span', { class: 'ci-rate' }, fmtPercent(c.hitRate, 0))),
        h('div', { class: 'bar', title: 'hit rate' }, hit),
        h('div', { class: 'bar thin', title: 'size relative to the largest cache' }, size),
        h('div', { class: 'ci-foot' }, h('span', {}, fmtBytes(c.sizeBytes)), h('span', {}, `${fmtInt(c.entries)} entries`),
          isNum(c.evictions) ? h('span', {}, `${fmtInt(c.evictions)} evictions`) : null));
    }) : h('div', { class: 'empty' }, 'No cache reports'));
  }
}
