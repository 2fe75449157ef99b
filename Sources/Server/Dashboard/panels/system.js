// Host vitals: CPU per core with total and load average, and the memory breakdown.

import { h, replaceChildren } from '../dom.js';
import { BarChart, Ring, palette } from '../charts.js';
import { fmtBytes, fmtPct, isNum } from '../format.js';

export class SystemPanels {
  constructor({ cpu, cpuMeta, memory }) {
    this.cpuChart = new BarChart(cpu, {
      testId: 'chart-cpu-cores', unit: '%', max: 100, label: 'CPU per core',
      colorFor: (v) => (v > 85 ? palette.red : v > 65 ? palette.amber : palette.blue),
    });
    this.cpuMeta = cpuMeta;
    const ringHost = h('div', { class: 'ring-host' });
    this.memLegend = h('div', { class: 'mem-legend', 'data-testid': 'memory-breakdown' });
    replaceChildren(memory, h('div', { class: 'proto-wrap' }, ringHost, this.memLegend));
    this.memRing = new Ring(ringHost, { testId: 'chart-memory', unit: 'bytes', label: 'memory breakdown' });
  }

  updateCpu(cpu) {
    if (!cpu) return;
    this.cpuChart.setData({ bars: cpu.cores.map((c) => ({ label: /^\d+$/.test(c.label) ? `cpu${c.label}` : c.label, value: c.percent })) });
    const load = cpu.loadAverage;
    replaceChildren(this.cpuMeta,
      h('span', { class: 'meta-item' }, 'total ', h('b', {}, fmtPct(cpu.total))),
      ['1m', '5m', '15m'].map((p, i) => h('span', { class: 'meta-item' }, `load ${p} `, h('b', {}, isNum(load[i]) ? load[i].toFixed(2) : '—'))));
  }

  updateMemory(m) {
    if (!m) return;
    const buffers = m.buffersBytes ?? 0, cached = m.cachedBytes ?? 0;
    // "used" from the collector excludes buffers and cache when the total adds up;
    // otherwise show what is known and leave the rest as free.
    const used = isNum(m.usedBytes) ? m.usedBytes : isNum(m.totalBytes) && isNum(m.availableBytes) ? m.totalBytes - m.availableBytes : undefined;
    const free = isNum(m.totalBytes) && isNum(used) ? Math.max(0, m.totalBytes - used - buffers - cached) : m.availableBytes;
    const parts = [
      { label: 'used', value: used, color: palette.blue },
      { label: 'buffers', value: buffers, color: palette.violet },
      { label: 'cached', value: cached, color: palette.cyan },
      { label: 'free', value: free, color: '#334155' },
    ];
    this.memRing.setData({
      segments: parts.filter((p) => isNum(p.value)),
      center: isNum(used) && m.totalBytes > 0 ? fmtPct((used / m.totalBytes) * 100, 0) : '—', sub: `of ${fmtBytes(m.totalBytes)}`,
    });
    const rows = parts.map((p) => {
      const sw = h('span', { class: 'swatch' });
      sw.style.background = p.color;
      return h('div', { class: 'mem-row' }, sw, h('span', { class: 'mem-label' }, p.label), h('b', {}, fmtBytes(p.value)));
    });
    rows.push(h('div', { class: 'mem-row' }, h('span', { class: 'swatch', }), h('span', { class: 'mem-label' }, 'available'), h('b', {}, fmtBytes(m.availableBytes))));
    rows.push(h('div', { class: 'mem-row' }, h('span', { class: 'swatch' }), h('span', { class: 'mem-label' }, 'swap used'), h('b', {}, fmtBytes(m.swapUsedBytes))));
    replaceChildren(this.memLegend, rows);
  }
}
