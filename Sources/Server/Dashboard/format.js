// Number, byte, duration and time formatting shared by panels and charts.

const DASH = '—';

export function isNum(v) { return typeof v === 'number' && Number.isFinite(v); }

export function fmtNumber(v, digits = 1) {
  if (!isNum(v)) return DASH;
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(digits) + 'G';
  if (a >= 1e6) return (v / 1e6).toFixed(digits) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(digits) + 'k';
  if (a >= 100 || Number.isInteger(v)) return grouped(v);
  return v.toFixed(digits);
}

export function fmtInt(v) { return isNum(v) ? grouped(v) : DASH; }

/** 1234567 → "1,234,567". Not toLocaleString: each call builds an ICU formatter, and the
 *  page formats thousands of numbers on its first render (~15 % of its main-thread time). */
function grouped(v) {
  const digits = String(Math.abs(Math.round(v))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return v < 0 && Math.round(v) !== 0 ? '-' + digits : digits;
}

export function fmtPercent(ratio, digits = 1) {
  return isNum(ratio) ? (ratio * 100).toFixed(digits) + '%' : DASH;
}

export function fmtPct(percent, digits = 1) {
  return isNum(percent) ? percent.toFixed(digits) + '%' : DASH;
}

export function fmtMs(ms) {
  if (!isNum(ms)) return DASH;
  if (ms >= 10000) return (ms / 1000).toFixed(1) + ' s';
  if (ms >= 1000) return (ms / 1000).toFixed(2) + ' s';
  if (ms >= 100) return ms.toFixed(0) + ' ms';
  if (ms >= 1) return ms.toFixed(1) + ' ms';
  if (ms > 0) return (ms * 1000).toFixed(0) + ' µs';
  return '0 ms';
}

export function fmtBytes(bytes) {
  if (!isNum(bytes)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes, i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + units[i];
}

export function fmtRatio(v) { return isNum(v) ? v.toFixed(2) + '×' : DASH; }

export function fmtSigned(percent) {
  if (!isNum(percent)) return DASH;
  return (percent >= 0 ? '+' : '') + percent.toFixed(1) + '%';
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock time of a millisecond timestamp, to the second. */
export function fmtClock(ms) {
  if (!isNum(ms)) return DASH;
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fmtDateTime(ms) {
  if (!isNum(ms)) return DASH;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtClock(ms)}`;
}

export function fmtAgo(ms, nowMs) {
  if (!isNum(ms) || !isNum(nowMs)) return DASH;
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function fmtDuration(seconds) {
  if (!isNum(seconds)) return DASH;
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.floor(seconds % 60)}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

/** Formatter for a unit name used by charts and history. */
export function formatterFor(unit) {
  switch (unit) {
    case 'ms': return fmtMs;
    case 'bytes': return fmtBytes;
    case '%': return (v) => fmtPct(v, 0);
    case 'ratio': return (v) => fmtPercent(v, 0);
    case 'ops/s': return (v) => fmtNumber(v) + '/s';
    default: return (v) => fmtNumber(v);
  }
}
