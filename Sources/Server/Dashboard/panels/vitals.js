// Vitals cards: ops/s with trend against the previous window, p99 latency, active
// connections, CPU and memory.

import { h, setText, replaceChildren } from '../dom.js';
import { fmtNumber, fmtMs, fmtPct, fmtBytes, fmtSigned, fmtInt, isNum } from '../format.js';

function card(key, label) {
  const value = h('div', { class: 'vital-value', 'data-testid': `vital-${key}` }, '—');
  const sub = h('div', { class: 'vital-sub' }, '');
  const bar = h('div', { class: 'vital-bar' }, h('span'));
  const element = h('div', { class: 'vital', 'data-vital': key }, h('div', { class: 'vital-label' }, label), value, sub, bar);
  return { element, value, sub, fill: bar.firstChild, bar };
}

export class VitalsPanel {
  constructor(root) {
    this.cards = {
      ops: card('ops', 'Operations / s'), p99: card('p99', 'p99 latency'), conns: card('connections', 'Connections'),
      cpu: card('cpu', 'CPU'), mem: card('memory', 'Memory'),
    };
    this.cards.ops.bar.hidden = true;
    this.cards.p99.bar.hidden = true;
    replaceChildren(root, Object.values(this.cards).map((c) => c.element));
  }

  /** `higherIsBetter` colours a full bar green (connections up) instead of red (CPU busy). */
  setBar(c, fraction, higherIsBetter = false) {
    const f = isNum(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
    c.fill.style.width = `${f * 100}%`;
    c.fill.className = higherIsBetter ? (f < 0.5 ? 'hot' : f < 1 ? 'warm' : 'good') : f > 0.85 ? 'hot' : f > 0.65 ? 'warm' : '';
  }

  update({ rps, latency, topology, faultTolerance, cpu, memory, activeConnections, connections }) {
    if (rps) {
      setText(this.cards.ops.value, fmtNumber(rps.current));
      const t = rps.trendPercent;
      setText(this.cards.ops.sub, isNum(t) ? `${t >= 0 ? '▲' : '▼'} ${fmtSigned(t)} vs previous` : 'trend: —');
      this.cards.ops.sub.className = `vital-sub ${isNum(t) ? (t >= 0 ? 'up' : 'down') : ''}`;
    }
    if (latency) {
      setText(this.cards.p99.value, fmtMs(latency.p99));
      setText(this.cards.p99.sub, `p50 ${fmtMs(latency.p50)} · p95 ${fmtMs(latency.p95)}`);
    }
    if (connections && isNum(connections.active) && (connections.total > 0 || connections.status !== 'unknown')) {
      // /api/v1/connections/metrics: reports and the http_connections family together.
      setText(this.cards.conns.value, fmtInt(connections.active));
      setText(this.cards.conns.sub, `${fmtInt(connections.idle)} idle · ${fmtNumber(connections.rate, 2)}/s new · ${connections.status}`);
      this.cards.conns.sub.className = `vital-sub conn-${connections.status}`;
      this.setBar(this.cards.conns, connections.total > 0 ? connections.active / connections.total : undefined, true);
    } else {
      const conns = topology?.connections ?? [];
      const active = isNum(activeConnections) ? activeConnections : topology ? conns.filter((c) => c.state !== 'OPEN').length : undefined;
      if (isNum(active)) {
        setText(this.cards.conns.value, fmtInt(active));
        const ft = faultTolerance;
        setText(this.cards.conns.sub, ft && isNum(ft.healthy)
          ? `${fmtInt(ft.healthy)} healthy · ${fmtInt(ft.degraded)} degraded · ${fmtInt(ft.failed)} failed`
          : `${conns.length} known`);
        this.setBar(this.cards.conns, conns.length ? active / conns.length : undefined, true);
      }
    }
    if (cpu) {
      setText(this.cards.cpu.value, fmtPct(cpu.total));
      const load = cpu.loadAverage.filter(isNum).map((v) => v.toFixed(2)).join(' · ');
      setText(this.cards.cpu.sub, load ? `load ${load}` : `${cpu.cores.length} cores`);
      this.setBar(this.cards.cpu, isNum(cpu.total) ? cpu.total / 100 : undefined);
    }
    if (memory) {
      const used = memory.usedBytes, total = memory.totalBytes;
      setText(this.cards.mem.value, isNum(used) && isNum(total) && total > 0 ? fmtPct((used / total) * 100) : fmtBytes(used));
      setText(this.cards.mem.sub, `${fmtBytes(used)} of ${fmtBytes(total)}`);
      this.setBar(this.cards.mem, isNum(used) && total > 0 ? used / total : undefined);
    }
  }
}
