// Tacho's own small canvas chart library: line/area, bar, gauge and ring charts with
// axes, units and hover values. Each chart owns two stacked canvases sized for the
// device pixel ratio: the plot, redrawn only when its data or size changed (batched into
// one animation frame), and a hover overlay, redrawn alone as the pointer moves.
// Labels are drawn with fillText or written with textContent: no markup is ever built.

import { formatterFor, fmtClock, isNum } from './format.js';

export const palette = {
  text: '#cbd5e1', muted: '#64748b', grid: 'rgba(148,163,184,0.12)', axis: 'rgba(148,163,184,0.35)',
  track: '#1e293b', blue: '#3b82f6', green: '#10b981', amber: '#f59e0b', red: '#ef4444',
  violet: '#8b5cf6', cyan: '#06b6d4', pink: '#ec4899', lime: '#84cc16', slate: '#475569',
};
export const seriesColors = [palette.blue, palette.green, palette.amber, palette.violet, palette.cyan, palette.pink, palette.lime, palette.red];

const FONT = '11px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const FONT_BIG = '600 20px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

// ---- frame scheduler: every dirty chart is drawn once in the next animation frame ----
const dirty = new Set();
let frameRequested = false;
export const chartStats = { draws: 0, drawMs: 0 };

function markDirty(chart) {
  dirty.add(chart);
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(flush);
}

function flush() {
  frameRequested = false;
  const started = performance.now();
  const charts = [...dirty];
  dirty.clear();
  for (const chart of charts) {
    // Off-screen charts are drawn once (so every canvas has content) and then only
    // when they scroll back into view.
    if (!chart.visible && chart.drawnOnce) { chart.pending = true; continue; }
    chart.render();
    chartStats.draws++;
  }
  chartStats.drawMs += performance.now() - started;
}

// Charts scrolled out of view are not drawn until they come back.
const visibility = typeof IntersectionObserver === 'function'
  ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const chart = entry.target.__chart;
      if (!chart) continue;
      chart.visible = entry.isIntersecting;
      if (chart.visible && chart.pending) { chart.pending = false; markDirty(chart); }
    }
  }, { rootMargin: '200px' })
  : null;

const resizes = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => { for (const e of entries) e.target.__chart?.resize(e.contentRect); })
  : null;

// ---- axis helpers ----
function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function niceTicks(min, max, count) {
  if (max <= min) max = min + 1;
  const step = niceStep((max - min) / count);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = lo; v <= hi + step / 2 && ticks.length < 20; v += step) ticks.push(+v.toPrecision(12));
  return { lo, hi, ticks };
}

const TIME_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

function timeTicks(t0, t1, maxTicks) {
  const span = Math.max(1, t1 - t0);
  const step = TIME_STEPS_MS.find((s) => span / s <= maxTicks) ?? 86400000 * Math.ceil(span / maxTicks / 86400000);
  const ticks = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1 && ticks.length < 30; t += step) ticks.push(t);
  return { ticks, step };
}

function timeLabel(ms, step) {
  const d = new Date(ms);
  if (step >= 86400000) return `${d.getMonth() + 1}/${d.getDate()}`;
  const c = fmtClock(ms);
  return step >= 60000 ? c.slice(0, 5) : c;
}

function lowerBound(points, x) {
  let lo = 0, hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function nearestIndex(points, x) {
  if (points.length === 0) return -1;
  const i = lowerBound(points, x);
  if (i <= 0) return 0;
  if (i >= points.length) return points.length - 1;
  return x - points[i - 1][0] <= points[i][0] - x ? i - 1 : i;
}

function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

// ---- base ----
class Chart {
  /**
   * @param {HTMLElement} host an empty element whose size the chart fills
   * @param {object} options unit, height, testId, label
   */
  constructor(host, options = {}) {
    this.host = host;
    this.options = options;
    this.unit = options.unit;
    this.format = options.format ?? formatterFor(options.unit);
    this.data = null;
    this.signature = undefined;
    this.visible = true;
    this.pending = false;
    host.classList.add('chart');
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('data-testid', options.testId ?? 'chart');
    this.canvas.setAttribute('role', 'img');
    if (options.label) this.canvas.setAttribute('aria-label', options.label);
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'chart-overlay';
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'chart-tooltip';
    this.tooltip.hidden = true;
    host.append(this.canvas, this.overlay, this.tooltip);
    host.__chart = this;
    this.overlay.addEventListener('pointermove', (e) => this.onPointer(e));
    this.overlay.addEventListener('pointerleave', () => this.clearHover());
    this.width = 0;
    this.height = 0;
    resizes?.observe(host);
    visibility?.observe(host);
    // The observer reports the first size after the next layout. Measuring here instead
    // (clientWidth) forced one layout of the whole page per chart while the page was
    // being built: ~40 % of the first render's main-thread time.
    if (!resizes) this.resize();
  }

  /** @param {DOMRectReadOnly} [rect] the host's content box, from the ResizeObserver */
  resize(rect) {
    const width = Math.max(10, Math.floor(rect ? rect.width : this.host.clientWidth));
    const height = Math.max(10, Math.floor(this.options.height ?? (rect ? rect.height : this.host.clientHeight) ?? 160));
    const dpr = window.devicePixelRatio || 1;
    if (width === this.width && height === this.height && dpr === this.dpr) return;
    this.width = width; this.height = height; this.dpr = dpr;
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      c.style.width = width + 'px';
      c.style.height = height + 'px';
    }
    markDirty(this);
  }

  /** Replaces the data; nothing is drawn when it is the same as before. */
  setData(data) {
    const signature = this.signatureOf(data);
    if (signature !== undefined && signature === this.signature) return;
    this.signature = signature;
    this.data = data;
    // The most points any series holds: how much history the chart was given (tests read it).
    const counts = (data?.series ?? []).map((series) => series.points?.length ?? 0);
    this.canvas.dataset.points = String(counts.length ? Math.max(...counts) : 0);
    markDirty(this);
  }

  signatureOf(data) { return JSON.stringify(data); }

  context(canvas) {
    const ctx = canvas.getContext('2d');
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.font = FONT;
    return ctx;
  }

  render() {
    if (!this.width) return; // not laid out yet: resize() marks the chart dirty again
    const ctx = this.context(this.canvas);
    if (!this.data) { this.drawNoData(ctx, this.width, this.height); return; }
    this.draw(ctx, this.width, this.height);
    this.drawnOnce = true;
    this.host.dataset.drawn = 'true';
    if (this.hoverPoint) this.drawHover(this.hoverPoint.x, this.hoverPoint.y);
  }

  /** Before any data: the chart's frame with a note, so an absent view reads as such. */
  drawNoData(ctx, w, h) { this.drawEmpty(ctx, w, h, this.options.emptyText ?? 'no data'); }

  drawEmpty(ctx, w, h, text = 'no data') {
    ctx.fillStyle = palette.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, w / 2, h / 2);
  }

  onPointer(event) {
    const rect = this.overlay.getBoundingClientRect();
    this.hoverPoint = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    this.drawHover(this.hoverPoint.x, this.hoverPoint.y);
  }

  clearHover() {
    this.hoverPoint = null;
    this.context(this.overlay);
    this.tooltip.hidden = true;
  }

  drawHover(x, y) {
    const ctx = this.context(this.overlay);
    const lines = this.data ? this.hover(ctx, x, y) : null;
    if (!lines || lines.length === 0) { this.tooltip.hidden = true; return; }
    this.tooltip.replaceChildren();
    for (const [i, line] of lines.entries()) {
      const row = document.createElement('div');
      if (line.color) {
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = line.color;
        row.append(swatch);
      }
      row.append(document.createTextNode(line.text));
      if (i === 0 && !line.color) row.className = 'tt-title';
      this.tooltip.append(row);
    }
    this.tooltip.hidden = false;
    const tw = this.tooltip.offsetWidth, th = this.tooltip.offsetHeight;
    const left = x + 14 + tw > this.width ? x - 14 - tw : x + 14;
    this.tooltip.style.left = Math.max(0, left) + 'px';
    this.tooltip.style.top = Math.max(0, Math.min(this.height - th, y - th / 2)) + 'px';
  }

  hover() { return null; }
}

// ---- line / area ----
/**
 * data: { series: [{ name, color, points: [[timeMs, value], ...], area, dash }],
 *         markers: [{ x: timeMs, color }] }
 * options: unit, yMin (default 0), yMax, xRange: [t0, t1] (default: the data's)
 */
export class LineChart extends Chart {
  signatureOf(data) {
    const parts = [];
    for (const s of data.series) {
      const p = s.points;
      parts.push(s.name, p.length, p[0]?.[0], p[0]?.[1], p[p.length - 1]?.[0], p[p.length - 1]?.[1], p[p.length >> 1]?.[1]);
    }
    parts.push(data.markers?.length ?? 0, data.xRange?.[0], data.xRange?.[1]);
    return parts.join('|');
  }

  layout(ctx, w, h) {
    let t0 = Infinity, t1 = -Infinity, v0 = Infinity, v1 = -Infinity;
    for (const s of this.data.series) {
      for (const [t, v] of s.points) {
        if (!isNum(v)) continue;
        if (t < t0) t0 = t; if (t > t1) t1 = t;
        if (v < v0) v0 = v; if (v > v1) v1 = v;
      }
    }
    if (this.data.xRange) [t0, t1] = this.data.xRange;
    if (!(t1 > t0)) { t0 = (isNum(t0) ? t0 : Date.now()) - 60000; t1 = t0 + 60000; }
    const yMin = this.options.yMin ?? 0;
    const lo = Math.min(yMin, isNum(v0) ? v0 : 0);
    const hi = Math.max(this.options.yMax ?? 0, isNum(v1) ? v1 : 1, lo + 1e-9);
    const y = niceTicks(lo, hi === lo ? lo + 1 : hi, h < 120 ? 2 : 4);
    const labelWidth = Math.max(...y.ticks.map((t) => ctx.measureText(this.format(t)).width));
    const plot = { left: Math.ceil(labelWidth) + 10, right: w - 8, top: this.options.legend ? 24 : 8, bottom: h - 20 };
    const sx = (t) => plot.left + ((t - t0) / (t1 - t0)) * (plot.right - plot.left);
    const sy = (v) => plot.bottom - ((v - y.lo) / (y.hi - y.lo)) * (plot.bottom - plot.top);
    return { t0, t1, y, plot, sx, sy };
  }

  draw(ctx, w, h) {
    const hasPoints = this.data.series.some((s) => s.points.length > 0);
    if (!hasPoints) { this.drawEmpty(ctx, w, h, this.options.emptyText ?? 'waiting for data'); this.geometry = null; return; }
    const g = this.layout(ctx, w, h);
    this.geometry = g;
    const { plot, sx, sy } = g;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.lineWidth = 1;
    for (const tick of g.y.ticks) {
      const py = Math.round(sy(tick)) + 0.5;
      ctx.strokeStyle = palette.grid;
      ctx.beginPath(); ctx.moveTo(plot.left, py); ctx.lineTo(plot.right, py); ctx.stroke();
      ctx.fillStyle = palette.muted;
      ctx.fillText(this.format(tick), plot.left - 6, py);
    }
    const tt = timeTicks(g.t0, g.t1, Math.max(2, Math.floor((plot.right - plot.left) / 80)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of tt.ticks) {
      const px = Math.round(sx(t)) + 0.5;
      ctx.strokeStyle = palette.grid;
      ctx.beginPath(); ctx.moveTo(px, plot.top); ctx.lineTo(px, plot.bottom); ctx.stroke();
      const label = timeLabel(t, tt.step);
      const half = ctx.measureText(label).width / 2;
      if (px + half > w || px - half < plot.left - 20) continue;
      ctx.fillStyle = palette.muted;
      ctx.fillText(label, px, plot.bottom + 5);
    }
    if (this.options.legend) this.drawLegend(ctx, w);
    ctx.strokeStyle = palette.axis;
    ctx.beginPath(); ctx.moveTo(plot.left, plot.bottom + 0.5); ctx.lineTo(plot.right, plot.bottom + 0.5); ctx.stroke();

    for (const marker of this.data.markers ?? []) {
      if (marker.x < g.t0 || marker.x > g.t1) continue;
      const px = Math.round(sx(marker.x)) + 0.5;
      ctx.strokeStyle = withAlpha(marker.color ?? palette.amber, 0.6);
      ctx.setLineDash([3, 3]);
      ctx.beginPath(); ctx.moveTo(px, plot.top); ctx.lineTo(px, plot.bottom); ctx.stroke();
      ctx.setLineDash([]);
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, plot.top - 2, plot.right - plot.left, plot.bottom - plot.top + 4);
    ctx.clip();
    for (const [i, s] of this.data.series.entries()) {
      const color = s.color ?? seriesColors[i % seriesColors.length];
      const pts = s.points.filter((p) => isNum(p[1]));
      if (pts.length === 0) continue;
      ctx.beginPath();
      for (const [j, [t, v]] of pts.entries()) {
        if (j === 0) ctx.moveTo(sx(t), sy(v)); else ctx.lineTo(sx(t), sy(v));
      }
      if (s.area) {
        ctx.save();
        ctx.lineTo(sx(pts[pts.length - 1][0]), plot.bottom);
        ctx.lineTo(sx(pts[0][0]), plot.bottom);
        ctx.closePath();
        const gradient = ctx.createLinearGradient(0, plot.top, 0, plot.bottom);
        gradient.addColorStop(0, withAlpha(color, 0.35));
        gradient.addColorStop(1, withAlpha(color, 0.02));
        ctx.fillStyle = gradient;
        ctx.fill();
        ctx.restore();
        ctx.beginPath();
        for (const [j, [t, v]] of pts.entries()) {
          if (j === 0) ctx.moveTo(sx(t), sy(v)); else ctx.lineTo(sx(t), sy(v));
        }
      }
      ctx.strokeStyle = color;
      ctx.lineWidth = s.width ?? 1.75;
      ctx.lineJoin = 'round';
      ctx.setLineDash(s.dash ?? []);
      ctx.stroke();
      ctx.setLineDash([]);
      if (pts.length === 1) {
        ctx.fillStyle = color;
        ctx.beginPath(); ctx.arc(sx(pts[0][0]), sy(pts[0][1]), 3, 0, Math.PI * 2); ctx.fill();
      }
    }
    ctx.restore();
  }

  drawLegend(ctx, w) {
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const items = this.data.series.filter((s) => s.points.length > 0 && !s.hideInLegend);
    let x = w - 8;
    for (let i = items.length - 1; i >= 0; i--) {
      const s = items[i];
      const color = s.color ?? seriesColors[this.data.series.indexOf(s) % seriesColors.length];
      const tw = ctx.measureText(s.name).width;
      x -= tw;
      ctx.fillStyle = palette.text;
      ctx.fillText(s.name, x, 9);
      x -= 18;
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dash ?? []);
      ctx.beginPath(); ctx.moveTo(x, 9); ctx.lineTo(x + 13, 9); ctx.stroke();
      ctx.setLineDash([]);
      x -= 14;
    }
  }

  hover(ctx, x) {
    const g = this.geometry;
    if (!g || x < g.plot.left || x > g.plot.right) return null;
    const t = g.t0 + ((x - g.plot.left) / (g.plot.right - g.plot.left)) * (g.t1 - g.t0);
    const lines = [];
    let shownTime = null;
    for (const [i, s] of this.data.series.entries()) {
      const k = nearestIndex(s.points, t);
      if (k < 0) continue;
      const [pt, pv] = s.points[k];
      if (!isNum(pv)) continue;
      shownTime ??= pt;
      const color = s.color ?? seriesColors[i % seriesColors.length];
      ctx.fillStyle = color;
      ctx.beginPath(); ctx.arc(g.sx(pt), g.sy(pv), 3.5, 0, Math.PI * 2); ctx.fill();
      lines.push({ color, text: `${s.name}: ${this.format(pv)}` });
    }
    if (shownTime === null) return null;
    const px = Math.round(g.sx(shownTime)) + 0.5;
    ctx.strokeStyle = palette.axis;
    ctx.beginPath(); ctx.moveTo(px, g.plot.top); ctx.lineTo(px, g.plot.bottom); ctx.stroke();
    lines.unshift({ text: fmtClock(shownTime) });
    return lines;
  }
}

// ---- bar ----
/**
 * data: { bars: [{ label, value, color }] }
 * options: unit, max (fixed scale top), colorFor(value) → color
 */
export class BarChart extends Chart {
  draw(ctx, w, h) {
    const bars = this.data.bars ?? [];
    if (bars.length === 0) { this.drawEmpty(ctx, w, h); this.geometry = null; return; }
    const top = this.options.max ?? Math.max(...bars.map((b) => (isNum(b.value) ? b.value : 0)), 1e-9);
    const y = this.options.max ? { lo: 0, hi: top, ticks: niceTicks(0, top, 4).ticks.filter((t) => t <= top) } : niceTicks(0, top, h < 120 ? 2 : 4);
    const labelWidth = Math.max(...y.ticks.map((t) => ctx.measureText(this.format(t)).width));
    const plot = { left: Math.ceil(labelWidth) + 10, right: w - 6, top: 8, bottom: h - 20 };
    const sy = (v) => plot.bottom - ((v - 0) / (y.hi - y.lo)) * (plot.bottom - plot.top);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const tick of y.ticks) {
      const py = Math.round(sy(tick)) + 0.5;
      ctx.strokeStyle = palette.grid;
      ctx.beginPath(); ctx.moveTo(plot.left, py); ctx.lineTo(plot.right, py); ctx.stroke();
      ctx.fillStyle = palette.muted;
      ctx.fillText(this.format(tick), plot.left - 6, py);
    }
    const slot = (plot.right - plot.left) / bars.length;
    const barWidth = Math.max(2, Math.min(48, slot * 0.7));
    const labelEvery = Math.max(1, Math.ceil(bars.length / Math.max(1, Math.floor((plot.right - plot.left) / 44))));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const rects = [];
    for (const [i, bar] of bars.entries()) {
      const value = isNum(bar.value) ? Math.max(0, bar.value) : 0;
      const cx = plot.left + slot * (i + 0.5);
      const py = sy(Math.min(value, y.hi));
      const color = bar.color ?? this.options.colorFor?.(value) ?? palette.blue;
      const gradient = ctx.createLinearGradient(0, py, 0, plot.bottom);
      gradient.addColorStop(0, color);
      gradient.addColorStop(1, withAlpha(color, 0.45));
      ctx.fillStyle = gradient;
      const rh = Math.max(value > 0 ? 1 : 0, plot.bottom - py);
      ctx.beginPath();
      ctx.roundRect(cx - barWidth / 2, plot.bottom - rh, barWidth, rh, [3, 3, 0, 0]);
      ctx.fill();
      rects.push({ x0: plot.left + slot * i, x1: plot.left + slot * (i + 1), bar, color });
      if (i % labelEvery === 0) {
        ctx.fillStyle = palette.muted;
        ctx.fillText(String(bar.label), cx, plot.bottom + 5);
      }
    }
    ctx.strokeStyle = palette.axis;
    ctx.beginPath(); ctx.moveTo(plot.left, plot.bottom + 0.5); ctx.lineTo(plot.right, plot.bottom + 0.5); ctx.stroke();
    this.geometry = { plot, rects };
  }

  hover(ctx, x) {
    const hit = this.geometry?.rects.find((r) => x >= r.x0 && x < r.x1);
    if (!hit) return null;
    ctx.fillStyle = 'rgba(148,163,184,0.08)';
    ctx.fillRect(hit.x0, this.geometry.plot.top, hit.x1 - hit.x0, this.geometry.plot.bottom - this.geometry.plot.top);
    return [{ text: String(hit.bar.label) }, { color: hit.color, text: this.format(hit.bar.value) }];
  }
}

// ---- gauge ----
/**
 * data: { value, label }
 * options: min (0), max (1), unit, zones: [{ upTo, color }] ascending
 */
export class Gauge extends Chart {
  drawNoData(ctx, w, h) { this.data = { value: undefined, label: 'no data' }; this.draw(ctx, w, h); this.data = null; }

  draw(ctx, w, h) {
    const { value, label } = this.data;
    const min = this.options.min ?? 0, max = this.options.max ?? 1;
    const thickness = Math.max(8, Math.min(w, h) * 0.09);
    const r = Math.max(10, Math.min(w / 2 - thickness / 2 - 8, h - 24 - thickness / 2 - 8));
    const cx = w / 2, cy = h - 20;
    const start = Math.PI, end = 2 * Math.PI;
    ctx.lineCap = 'round';
    ctx.lineWidth = thickness;
    ctx.strokeStyle = palette.track;
    ctx.beginPath(); ctx.arc(cx, cy, r, start, end); ctx.stroke();
    const zones = this.options.zones ?? [{ upTo: max, color: palette.blue }];
    const fraction = isNum(value) ? Math.max(0, Math.min(1, (value - min) / (max - min))) : 0;
    const color = isNum(value) ? (zones.find((z) => value <= z.upTo) ?? zones[zones.length - 1]).color : palette.slate;
    if (fraction > 0) {
      ctx.strokeStyle = color;
      ctx.beginPath(); ctx.arc(cx, cy, r, start, start + Math.PI * fraction); ctx.stroke();
    }
    ctx.lineCap = 'butt';
    ctx.lineWidth = 2;
    let from = min;
    for (const zone of zones) {
      const a0 = start + Math.PI * ((from - min) / (max - min));
      const a1 = start + Math.PI * ((Math.min(zone.upTo, max) - min) / (max - min));
      ctx.strokeStyle = withAlpha(zone.color, 0.7);
      ctx.beginPath(); ctx.arc(cx, cy, r + thickness / 2 + 4, a0 + 0.01, a1 - 0.01); ctx.stroke();
      from = zone.upTo;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.font = FONT_BIG;
    ctx.fillStyle = isNum(value) ? '#f1f5f9' : palette.muted;
    ctx.fillText(isNum(value) ? this.format(value) : '—', cx, cy - 4);
    ctx.font = FONT;
    ctx.fillStyle = palette.muted;
    if (label) ctx.fillText(label, cx, cy + 14);
    this.geometry = { cx, cy, r, thickness };
  }

  hover(ctx, x, y) {
    const g = this.geometry;
    if (!g || Math.hypot(x - g.cx, y - g.cy) > g.r + g.thickness) return null;
    return [{ text: this.data.label ?? '' }, { text: isNum(this.data.value) ? this.format(this.data.value) : 'no data' }];
  }
}

// ---- ring (donut) ----
/**
 * data: { segments: [{ label, value, color }], center, sub }
 * options: unit (of values), total (fixed, else the sum), thickness (fraction of radius)
 */
export class Ring extends Chart {
  drawNoData(ctx, w, h) { this.data = { segments: [] }; this.draw(ctx, w, h); this.data = null; }

  draw(ctx, w, h) {
    const segments = (this.data.segments ?? []).filter((s) => isNum(s.value) && s.value > 0);
    const sum = segments.reduce((a, s) => a + s.value, 0);
    const total = this.options.total ?? sum;
    const cx = w / 2, cy = h / 2;
    const r = Math.max(8, Math.min(w, h) / 2 - 6);
    const thickness = r * (this.options.thickness ?? 0.22);
    ctx.lineWidth = thickness;
    ctx.strokeStyle = palette.track;
    ctx.beginPath(); ctx.arc(cx, cy, r - thickness / 2, 0, Math.PI * 2); ctx.stroke();
    let angle = -Math.PI / 2;
    const arcs = [];
    for (const [i, seg] of segments.entries()) {
      const sweep = total > 0 ? (seg.value / total) * Math.PI * 2 : 0;
      const color = seg.color ?? seriesColors[i % seriesColors.length];
      ctx.strokeStyle = color;
      ctx.lineCap = segments.length === 1 ? 'round' : 'butt';
      ctx.beginPath(); ctx.arc(cx, cy, r - thickness / 2, angle, angle + Math.max(0, sweep - (segments.length > 1 ? 0.02 : 0))); ctx.stroke();
      arcs.push({ a0: angle, a1: angle + sweep, seg, color });
      angle += sweep;
    }
    ctx.lineCap = 'butt';
    if (this.data.center !== undefined) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.font = FONT_BIG;
      ctx.fillStyle = '#f1f5f9';
      ctx.fillText(String(this.data.center), cx, cy - (this.data.sub ? 7 : 0));
      ctx.font = FONT;
      ctx.fillStyle = palette.muted;
      if (this.data.sub) ctx.fillText(String(this.data.sub), cx, cy + 12);
    }
    this.geometry = { cx, cy, r, thickness, arcs, total };
  }

  hover(ctx, x, y) {
    const g = this.geometry;
    if (!g) return null;
    const d = Math.hypot(x - g.cx, y - g.cy);
    if (d > g.r || d < g.r - g.thickness - 4) return null;
    let a = Math.atan2(y - g.cy, x - g.cx);
    if (a < -Math.PI / 2) a += Math.PI * 2;
    const hit = g.arcs.find((arc) => a >= arc.a0 && a < arc.a1);
    if (!hit) return null;
    const share = g.total > 0 ? ` (${((hit.seg.value / g.total) * 100).toFixed(1)}%)` : '';
    return [{ color: hit.color, text: `${hit.seg.label}: ${this.format(hit.seg.value)}${share}` }];
  }
}

// ---- heatmap ----
/** The heatmap's colour ramp, low to high: dark blue, blue, cyan, yellow, red. */
const HEAT_STOPS = [[30, 58, 95], [37, 99, 235], [6, 182, 212], [250, 204, 21], [239, 68, 68]];

/** The ramp's colour at t in [0, 1]. */
export function heatColor(t) {
  const x = Math.max(0, Math.min(1, isNum(t) ? t : 0)) * (HEAT_STOPS.length - 1);
  const i = Math.min(HEAT_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [HEAT_STOPS[i], HEAT_STOPS[i + 1]];
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * data: { columnsMs: [startMs...], columnWidthMs, rows: [{ label }], cells: [{ row, column, value, count }],
 *         colourBy: 'count' | 'value', unit, countLabel }
 * Rows are drawn bottom to top (row 0 at the bottom, as a latency axis reads), time left
 * to right; a cell's colour is its count (square-root scaled, so a few outliers do not
 * wash out the rest) or its value; a legend with the scale's ends is drawn at the top.
 */
export class HeatmapChart extends Chart {
  signatureOf(data) { return data ? `${data.signature ?? ''}:${data.cells.length}:${data.columnsMs[0]}:${data.colourBy}` : 'none'; }

  magnitude(cell) { return this.data.colourBy === 'count' ? cell.count : cell.value; }

  draw(ctx, w, h) {
    const { columnsMs, rows, cells } = this.data;
    if (rows.length === 0 || cells.length === 0) { this.drawEmpty(ctx, w, h, this.options.emptyText ?? 'no operations in this range'); this.geometry = null; this.host.dataset.cells = '0'; return; }
    const labels = rows.map((r) => String(r.label));
    const labelWidth = Math.min(150, Math.max(...labels.map((l) => ctx.measureText(l).width)) + 10);
    const plot = { left: Math.ceil(labelWidth), right: w - 6, top: 22, bottom: h - 20 };
    const cw = (plot.right - plot.left) / columnsMs.length;
    const rh = (plot.bottom - plot.top) / rows.length;
    const max = Math.max(...cells.map((c) => this.magnitude(c)), 0);
    const scale = (m) => (max > 0 ? (this.data.colourBy === 'count' ? Math.sqrt(m / max) : m / max) : 0);
    // Row labels: truncated to the margin, drawn as text (never markup).
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = palette.muted;
    const labelEvery = Math.max(1, Math.ceil(12 / Math.max(1, rh)));
    rows.forEach((row, i) => {
      if (i % labelEvery !== 0) return;
      let text = labels[i];
      while (text.length > 3 && ctx.measureText(text).width > labelWidth - 10) text = text.slice(0, -2) + '…';
      ctx.fillText(text, plot.left - 6, plot.bottom - rh * (i + 0.5));
    });
    ctx.fillStyle = 'rgba(148,163,184,0.05)';
    ctx.fillRect(plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
    const rects = [];
    for (const cell of cells) {
      const x = plot.left + cell.column * cw, y = plot.bottom - (cell.row + 1) * rh;
      const color = heatColor(scale(this.magnitude(cell)));
      ctx.fillStyle = color;
      ctx.fillRect(x + 0.5, y + 0.5, Math.max(1, cw - 1), Math.max(1, rh - 1));
      rects.push({ x0: x, x1: x + cw, y0: y, y1: y + rh, cell, color });
    }
    // Time axis.
    const t0 = columnsMs[0], t1 = columnsMs[columnsMs.length - 1] + this.data.columnWidthMs;
    const { ticks, step } = timeTicks(t0, t1, Math.max(2, Math.floor((plot.right - plot.left) / 80)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillStyle = palette.muted;
    for (const t of ticks) ctx.fillText(timeLabel(t, step), plot.left + ((t - t0) / (t1 - t0)) * (plot.right - plot.left), plot.bottom + 5);
    // Legend: the colour ramp from 0 to the largest cell.
    const lw = Math.min(140, (plot.right - plot.left) / 3), lx = plot.right - lw;
    const gradient = ctx.createLinearGradient(lx, 0, lx + lw, 0);
    for (let i = 0; i <= 10; i++) gradient.addColorStop(i / 10, heatColor(i / 10));
    ctx.fillStyle = gradient;
    ctx.fillRect(lx, 6, lw, 8);
    ctx.textBaseline = 'middle';
    ctx.fillStyle = palette.muted;
    ctx.textAlign = 'right';
    ctx.fillText('0', lx - 4, 10);
    ctx.textAlign = 'left';
    const top = this.data.colourBy === 'count' ? `${fmtCount(max)} ${this.data.countLabel ?? ''}`.trim() : this.format(max);
    ctx.fillText(top, Math.max(plot.left, lx - 4 - ctx.measureText(top).width - 12), 10);
    this.geometry = { plot, rects };
    this.host.dataset.metric = this.data.metric ?? '';
    this.host.dataset.cells = String(cells.length);
    const first = rects[0];
    this.host.dataset.firstCell = `${Math.round((first.x0 + first.x1) / 2)},${Math.round((first.y0 + first.y1) / 2)}`;
  }

  hover(ctx, x, y) {
    const hit = this.geometry?.rects.find((r) => x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1);
    if (!hit) return null;
    ctx.strokeStyle = palette.text;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(hit.x0 + 0.5, hit.y0 + 0.5, hit.x1 - hit.x0 - 1, hit.y1 - hit.y0 - 1);
    const { cell } = hit;
    const start = this.data.columnsMs[cell.column];
    const row = this.data.rows[cell.row];
    return [
      { text: `${fmtClock(start)} – ${fmtClock(start + this.data.columnWidthMs)}` },
      { color: hit.color, text: String(row?.label ?? '') },
      { text: `${this.data.valueLabel ?? 'value'}: ${this.format(cell.value)}` },
      { text: `${this.data.countLabel ?? 'count'}: ${fmtCount(cell.count)}` },
    ];
  }
}

function fmtCount(n) { return isNum(n) ? Math.round(n).toLocaleString('en-US') : '—'; }
