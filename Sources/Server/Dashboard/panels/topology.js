// Topology: each connection a node coloured by its breaker state, with a load bar and
// TPS, linked to the monitors it reports to. Drawn in SVG; all labels are text nodes.

import { s, replaceChildren } from '../dom.js';
import { fmtNumber, fmtPercent, fmtMs, isNum } from '../format.js';

const STATE_COLORS = { CLOSED: '#10b981', HALF_OPEN: '#f59e0b', OPEN: '#ef4444' };
const MAX_NODES = 48;
const MAX_MONITORS = 24;

function loadColor(load) { return load > 80 ? '#ef4444' : load > 60 ? '#f59e0b' : '#10b981'; }

function clip(text, max) { return text.length > max ? text.slice(0, max - 1) + '…' : text; }

export class TopologyPanel {
  constructor(root) {
    this.root = root;
    this.svg = s('svg', { class: 'topology', 'data-testid': 'topology', role: 'img', 'aria-label': 'connection topology' });
    replaceChildren(root, this.svg);
    this.lastSignature = '';
    // The width comes from a ResizeObserver: reading clientWidth while the page is being
    // built would force a layout of the whole page.
    this.widthPx = undefined;
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(([entry]) => {
        const width = Math.floor(entry.contentRect.width);
        if (width === this.widthPx || width === 0) return;
        this.widthPx = width;
        if (this.model) { this.lastSignature = ''; this.update(this.model); }
      }).observe(root);
    }
  }

  update(model) {
    if (!model) return;
    this.model = model;
    const signature = JSON.stringify(model.connections);
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    const conns = model.connections.slice(0, MAX_NODES);
    const monitors = [...new Set(conns.flatMap((c) => c.monitors))].sort().slice(0, MAX_MONITORS);
    const width = Math.max(this.widthPx ?? 900, 560, Math.max(conns.length, monitors.length) * 120);
    const height = monitors.length ? 300 : 190;
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    if (conns.length === 0) {
      replaceChildren(this.svg, s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'topo-empty' }, 'No connections reported'));
      return;
    }
    const cx = (i, n) => (width / n) * (i + 0.5);
    const nodeY = 88, monY = 250;
    const monX = new Map(monitors.map((m, i) => [m, cx(i, monitors.length)]));
    const links = [];
    conns.forEach((c, i) => {
      for (const m of c.monitors) {
        if (!monX.has(m)) continue;
        const x1 = cx(i, conns.length), x2 = monX.get(m);
        links.push(s('path', { class: `topo-link st-${c.state}`, d: `M${x1},${nodeY + 66} C${x1},${nodeY + 120} ${x2},${monY - 70} ${x2},${monY - 14}` }));
      }
    });
    const nodes = conns.map((c, i) => {
      const x = cx(i, conns.length);
      const color = STATE_COLORS[c.state] ?? '#64748b';
      const load = isNum(c.load) ? Math.max(0, Math.min(100, c.load)) : 0;
      const title = `${c.id}\nstate ${c.state}\nload ${isNum(c.load) ? c.load.toFixed(0) + '%' : '—'}\n${fmtNumber(c.tps)} TPS\nparse rate ${fmtPercent(c.parseRate)}\nlatency ${fmtMs(c.latencyMs)}\nmonitors: ${c.monitors.join(', ') || 'none'}`;
      return s('g', { class: `topo-node st-${c.state}`, transform: `translate(${x},${nodeY})`, 'data-testid': 'topology-node', 'data-connection': c.id, 'data-state': c.state },
        s('title', {}, title),
        s('text', { class: 'topo-label', y: -44, 'text-anchor': 'middle' }, clip(c.id, 16)),
        s('circle', { r: 30, fill: color, 'fill-opacity': 0.16, stroke: color, 'stroke-width': 2.5 }),
        s('text', { class: 'topo-state', y: 4, 'text-anchor': 'middle', fill: color }, c.state === 'HALF_OPEN' ? 'HALF' : c.state),
        s('rect', { x: -30, y: 38, width: 60, height: 6, rx: 3, class: 'topo-track' }),
        s('rect', { x: -30, y: 38, width: (load / 100) * 60, height: 6, rx: 3, fill: loadColor(load) }),
        s('text', { class: 'topo-sub', y: 58, 'text-anchor': 'middle' }, `${fmtNumber(c.tps)} TPS · ${isNum(c.load) ? c.load.toFixed(0) : '—'}%`));
    });
    const mons = monitors.map((m) => s('g', { class: 'topo-monitor', transform: `translate(${monX.get(m)},${monY})`, 'data-testid': 'topology-monitor' },
      s('title', {}, m),
      s('rect', { x: -50, y: -14, width: 100, height: 28, rx: 14 }),
      s('text', { y: 4, 'text-anchor': 'middle' }, clip(m, 14))));
    replaceChildren(this.svg, s('g', {}, links), s('g', {}, mons), s('g', {}, nodes));
  }
}
