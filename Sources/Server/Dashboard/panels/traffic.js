// Traffic charts: throughput timeline, latency percentiles over time, latency
// distribution, and the protocols' share with their RPS, latency and errors.

import { h, setText, replaceChildren } from '../dom.js';
import { LineChart, BarChart, Ring, palette, seriesColors } from '../charts.js';
import { fmtNumber, fmtInt, fmtMs, fmtPercent, fmtPct, isNum } from '../format.js';

const WINDOW_POINTS = 900;
const PERCENTILES = [['p50', palette.green], ['p95', palette.blue], ['p99', palette.amber], ['p999', palette.red]];
const PROTOCOL_COLORS = { http1: palette.blue, http2: palette.green, http3: palette.cyan, websocket: palette.amber, grpc: palette.violet };

function push(list, point) {
  const last = list[list.length - 1];
  if (last && last[0] >= point[0]) { if (last[0] === point[0]) last[1] = point[1]; return; }
  list.push(point);
  if (list.length > WINDOW_POINTS) list.splice(0, list.length - WINDOW_POINTS);
}

export class TrafficPanels {
  constructor({ throughput, percentiles, distribution, protocols }) {
    this.throughputChart = new LineChart(throughput, { testId: 'chart-throughput', unit: 'ops/s', label: 'throughput over time' });
    this.percentileChart = new LineChart(percentiles, { testId: 'chart-latency-percentiles', unit: 'ms', legend: true, label: 'latency percentiles over time' });
    this.distributionChart = new BarChart(distribution, { testId: 'chart-latency-distribution', unit: 'count', label: 'latency distribution' });
    const ringHost = h('div', { class: 'ring-host' });
    this.protocolTable = h('div', { class: 'proto-table', 'data-testid': 'protocols' });
    replaceChildren(protocols, h('div', { class: 'proto-wrap' }, ringHost, this.protocolTable));
    this.protocolRing = new Ring(ringHost, { testId: 'chart-protocols', label: 'protocol share', format: (v) => fmtPercent(v) });
    this.rpsPoints = [];
    this.pct = { p50: [], p95: [], p99: [], p999: [] };
    this.markers = [];
    // The operations the distribution counts (the view's window), in the card's head.
    this.countLabel = document.getElementById('latency-count');
  }

  setMarkers(markers) { this.markers = markers; }

  updateThroughput(rps, { live = false, timeMs } = {}) {
    if (!rps) return;
    if (rps.timeline.length > 0 && (!live || this.rpsPoints.length === 0 || rps.timeline.length > 1)) this.rpsPoints = rps.timeline.slice(-WINDOW_POINTS);
    else if (live && isNum(timeMs) && isNum(rps.current)) push(this.rpsPoints, [timeMs, rps.current]);
    this.throughputChart.setData({ series: [{ name: 'ops/s', color: palette.blue, points: this.rpsPoints, area: true }], markers: this.markers });
  }

  updateLatency(latency, { live = false, timeMs } = {}) {
    if (!latency) return;
    const hasTimeline = latency.timeline.p99.length > 0;
    if (hasTimeline && (!live || latency.timeline.p99.length > 1)) {
      for (const [k] of PERCENTILES) this.pct[k] = latency.timeline[k].slice(-WINDOW_POINTS);
    } else {
      // No timeline in the view: the chart is built from the views seen (live messages,
      // or replay steps), and starts again when time moves backwards.
      const t = live ? timeMs : latency.asOfMs;
      const last = this.pct.p99[this.pct.p99.length - 1];
      if (!isNum(t) || (last && t < last[0])) for (const [k] of PERCENTILES) this.pct[k] = [];
      if (isNum(t)) for (const [k] of PERCENTILES) if (isNum(latency[k])) push(this.pct[k], [t, latency[k]]);
    }
    this.percentileChart.setData({
      series: PERCENTILES.map(([k, color]) => ({ name: k === 'p999' ? 'p99.9' : k, color, points: this.pct[k] })),
      markers: this.markers,
    });
    if (this.countLabel && (isNum(latency.count) || !live)) {
      setText(this.countLabel, isNum(latency.count) ? `${fmtInt(latency.count)} in ${isNum(latency.windowSeconds) ? latency.windowSeconds : '?'} s` : '—');
      this.countLabel.dataset.value = isNum(latency.count) ? String(latency.count) : '';
    }
    if (latency.distribution.length > 0 || !live) {
      this.distributionChart.setData({ bars: latency.distribution.map((b) => ({
        label: isNum(b.upperMs) ? fmtMs(b.upperMs).replace(' ', '') : b.label, value: b.count,
        color: !isNum(b.upperMs) ? (b.count > 0 ? palette.red : palette.slate) : isNum(latency.p99) && b.upperMs > latency.p99 ? palette.red : isNum(latency.p95) && b.upperMs > latency.p95 ? palette.amber : palette.blue,
      })) });
    }
  }

  updateProtocols(list) {
    if (!list) return;
    const withShare = list.map((p) => ({ ...p, share: isNum(p.share) ? p.share : undefined }));
    const total = withShare.reduce((a, p) => a + (isNum(p.rps) ? p.rps : 0), 0);
    for (const p of withShare) if (!isNum(p.share) && total > 0 && isNum(p.rps)) p.share = p.rps / total;
    const colorOf = (p, i) => PROTOCOL_COLORS[p.name.toLowerCase()] ?? seriesColors[(i + 5) % seriesColors.length];
    const top = [...withShare].sort((a, b) => (b.share ?? 0) - (a.share ?? 0))[0];
    this.protocolRing.setData({
      segments: withShare.map((p, i) => ({ label: p.name, value: p.share ?? 0, color: colorOf(p, i) })),
      center: top ? fmtPercent(top.share, 0) : '—', sub: top ? top.name : 'no traffic',
    });
    const head = h('div', { class: 'proto-row head' }, h('span', {}, 'Protocol'), h('span', {}, 'Share'), h('span', {}, 'RPS'), h('span', {}, 'Latency'), h('span', {}, 'Errors'));
    replaceChildren(this.protocolTable, head, withShare.length ? withShare.map((p, i) => {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.background = colorOf(p, i);
      return h('div', { class: `proto-row status-${p.status}`, 'data-protocol': p.name },
        h('span', { class: 'proto-name' }, swatch, p.name, h('span', { class: `status-dot ${p.status}`, title: p.status })),
        h('span', {}, fmtPercent(p.share)), h('span', {}, fmtNumber(p.rps)), h('span', {}, fmtMs(p.latencyMs)),
        h('span', {}, isNum(p.errorRate) ? fmtPct(p.errorRate) : '—'));
    }) : h('div', { class: 'empty' }, 'No operations recorded'));
  }
}
