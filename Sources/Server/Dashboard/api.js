// The adapter: the ONLY module that knows the server's JSON field names. Each endpoint's
// (and each stream event's) JSON is mapped here to the small model a panel draws, so a
// renamed field is a one-line change in the `adapt*` function below; docs/dashboard-api.md
// lists what is read.
//
// SAFETY: strings taken from responses (alert messages, connection and cache names,
// labels, annotations, suggestion texts) are passed on as plain strings. Panels insert
// them only through dom.js (createTextNode / textContent / setAttribute of non-URL
// attributes). Nothing in this dashboard assigns innerHTML, outerHTML or
// insertAdjacentHTML, or calls document.write, with data.

import { isNum } from './format.js';

export const ENDPOINTS = {
  info: '/api/v1/info',
  log: '/api/v1/log',
  health: '/api/v1/health',
  faultTolerance: '/api/v1/fault-tolerance/status',
  breakers: '/api/v1/fault-tolerance/circuit-breakers',
  alerts: '/api/v1/fault-tolerance/alerts',
  optimization: '/api/v1/performance/optimization/status',
  batch: '/api/v1/performance/batch/metrics',
  cache: '/api/v1/performance/cache/stats',
  suggestions: '/api/v1/performance/suggestions',
  topology: '/api/v1/topology',
  rps: '/api/v1/metrics/rps',
  latency: '/api/v1/metrics/latency',
  protocols: '/api/v1/metrics/protocols',
  historical: '/api/v1/metrics/historical',
  cpu: '/api/v1/system/cpu',
  memory: '/api/v1/system/memory',
  annotations: '/api/v1/annotations',
  stream: '/api/v1/stream',
  views: '/api/v1/views',
  connections: '/api/v1/connections/metrics',
  performanceAlerts: '/api/v1/alerts/performance',
  heatmap: '/api/v1/metrics/heatmap',
};

export const ALERTS_LIMIT = 200;

const params = new URLSearchParams(location.search);
export const fixtureMode = params.get('fixture') === '1';

// ---------------------------------------------------------------- field readers
function pick(o, keys) {
  if (!o || typeof o !== 'object') return undefined;
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}
const num = (o, ...keys) => { const v = pick(o, keys); return typeof v === 'string' && v !== '' && !isNaN(+v) ? +v : isNum(v) ? v : undefined; };
const str = (o, ...keys) => { const v = pick(o, keys); return v === undefined ? undefined : String(v); };
const arr = (o, ...keys) => { const v = pick(o, keys); return Array.isArray(v) ? v : []; };
const obj = (o, ...keys) => { const v = pick(o, keys); return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined; };
const bool = (o, ...keys) => { const v = pick(o, keys); return v === undefined ? undefined : v === true || v === 'true'; };

/** Milliseconds since the epoch from an RFC 3339 string or a number in ns, µs, ms or s. */
export function toMs(v) {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') return toMs(v.timeNs ?? v.time);
  if (typeof v === 'string') {
    if (/^-?\d+$/.test(v)) return toMs(Number(v));
    // Date.parse keeps milliseconds; cut longer fractions so every engine accepts them.
    const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (!isNum(v)) return undefined;
  const a = Math.abs(v);
  if (a >= 1e17) return v / 1e6;
  if (a >= 1e14) return v / 1e3;
  if (a >= 1e11) return v;
  return v * 1000;
}
const time = (o, ...keys) => toMs(pick(o, keys));

/** A ratio in 0…1 from either a ratio or a percentage. */
function ratio(v) { return isNum(v) ? (v > 1.0000001 ? v / 100 : v) : undefined; }

/** [[ms, value]] from [{time, value}] or [[t, v]] points. */
function points(list, valueKeys = ['value', 'v', 'mean', 'last']) {
  const out = [];
  for (const p of list) {
    if (Array.isArray(p)) { const t = toMs(p[0]); if (t !== undefined && isNum(+p[1])) out.push([t, +p[1]]); continue; }
    const t = time(p, 'time', 't', 'timestamp', 'ts', 'at');
    const v = num(p, ...valueKeys);
    if (t !== undefined && v !== undefined) out.push([t, v]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return out;
}

/** A list from an array, a wrapper object, or a name-keyed object (names sorted). */
function listOf(json, wrapperKeys, nameKey = 'name') {
  if (Array.isArray(json)) return json;
  for (const k of wrapperKeys) {
    const v = json?.[k];
    if (Array.isArray(v)) return v;
    if (v && typeof v === 'object') return Object.keys(v).sort().map((name) => ({ [nameKey]: name, ...v[name] }));
  }
  return [];
}

// ---------------------------------------------------------------- adapters
const HEALTH_LABELS = {
  parseRate: 'Parse rate', uptime: 'Uptime', circuitBreakerHealth: 'Breakers', breakers: 'Breakers',
  performanceEfficiency: 'Efficiency', efficiency: 'Efficiency', cacheHitRate: 'Cache hits', errorRate: 'Error rate',
};
const HEALTH_ORDER = ['parseRate', 'uptime', 'circuitBreakerHealth', 'performanceEfficiency', 'cacheHitRate', 'errorRate'];

export function adaptHealth(j) {
  if (!j) return null;
  const list = listOf(j, ['components', 'breakdown'], 'name');
  const components = list.map((c) => {
    const key = str(c, 'name', 'key', 'component') ?? '?';
    const value = ratio(num(c, 'value', 'score', 'ratio'));
    const included = bool(c, 'included') ?? !(bool(c, 'leftOut', 'excluded', 'missing') ?? value === undefined);
    return {
      key, label: HEALTH_LABELS[key] ?? key, value, included,
      weight: num(c, 'effectiveWeight', 'weight'),
      baseWeight: c?.effectiveWeight !== undefined ? num(c, 'weight') : num(c, 'baseWeight', 'nominalWeight'),
      note: str(c, 'reason', 'note'),
    };
  });
  components.sort((a, b) => (HEALTH_ORDER.indexOf(a.key) + 1 || 99) - (HEALTH_ORDER.indexOf(b.key) + 1 || 99));
  const score = num(j, 'score', 'healthScore', 'value');
  return { score, status: str(j, 'status') ?? statusFor(score), components, timeMs: time(j, 'time', 'at', 'asOf') };
}

export function statusFor(score) {
  if (!isNum(score)) return 'unknown';
  return score >= 90 ? 'excellent' : score >= 75 ? 'good' : score >= 50 ? 'degraded' : 'critical';
}

export function adaptFaultTolerance(j) {
  if (!j) return null;
  const health = obj(j, 'health', 'connections') ?? j;
  return {
    healthy: num(health, 'healthy'), degraded: num(health, 'degraded'), failed: num(health, 'failed'),
    lastCheckpointMs: time(j, 'lastCheckpoint', 'lastCheckpointTime', 'lastCheckpointAt'),
    missedSlots: num(j, 'missedSlots', 'missedCollectionSlots'),
  };
}

export function adaptBreaker(b) {
  const state = (str(b, 'state', 'to', 'circuitState') ?? 'UNKNOWN').toUpperCase();
  const history = arr(b, 'history', 'transitions').map((t) => ({
    timeMs: time(t, 'timeNs', 'time', 'timestamp', 'at'), from: str(t, 'from'), to: str(t, 'to'), reason: str(t, 'reason'),
  })).sort((x, y) => (x.timeMs ?? 0) - (y.timeMs ?? 0));
  return {
    connection: str(b, 'connection', 'connectionId', 'id', 'name') ?? '?',
    state,
    failures: num(b, 'failures', 'failureCount'),
    parseRate: ratio(num(b, 'parseRate')),
    latencyMs: num(b, 'latencyMs', 'latency'),
    lastFailureMs: time(b, 'lastFailure', 'lastFailureTime', 'lastFailureAt'),
    lastSuccessMs: time(b, 'lastSuccess', 'lastSuccessTime', 'lastSuccessAt'),
    reason: str(b, 'reason', 'lastReason') ?? history[history.length - 1]?.reason,
    history,
  };
}

export function adaptBreakers(j) {
  if (!j) return null;
  return listOf(j, ['breakers', 'circuitBreakers', 'connections'], 'connection').map(adaptBreaker);
}

/** A `circuit-breaker` stream message: one breaker, a transition, or the whole list. */
export function adaptBreakerMessage(j) {
  if (Array.isArray(j) || j?.breakers || j?.circuitBreakers) return { all: adaptBreakers(j) };
  return { one: adaptBreaker(j), fields: new Set(Object.keys(j ?? {})) };
}

function alertState(a, fallback) {
  const s = str(a, 'state', 'status');
  if (s) return s.toLowerCase() === 'acked' ? 'acknowledged' : s.toLowerCase();
  if (bool(a, 'resolved') || time(a, 'resolvedAt')) return 'resolved';
  if (bool(a, 'acknowledged') || time(a, 'acknowledgedAt', 'ackedAt')) return 'acknowledged';
  return fallback;
}

export function adaptAlert(a, fallbackState = 'active') {
  let data = pick(a, ['data', 'dataJSON', 'details']);
  if (typeof data === 'string') { try { data = JSON.parse(data); } catch { /* shown verbatim */ } }
  return {
    id: str(a, 'id', 'alertId') ?? '',
    timeMs: time(a, 'time', 'timestamp', 'ts', 'raisedAt', 'at'),
    severity: (str(a, 'severity') ?? 'info').toLowerCase(),
    kind: str(a, 'kind', 'type') ?? '',
    message: str(a, 'message', 'description') ?? '',
    connection: str(a, 'connection', 'connectionId'),
    metric: str(a, 'metric'),
    threshold: num(a, 'threshold'),
    value: num(a, 'value', 'currentValue'),
    data: data ?? undefined,
    state: alertState(a, fallbackState),
    ackBy: str(a, 'acknowledgedBy', 'ackBy', 'by'),
  };
}

export function adaptAlerts(j) {
  if (!j) return null;
  if (Array.isArray(j) || Array.isArray(j.alerts) || Array.isArray(j.history)) {
    return (Array.isArray(j) ? j : j.alerts ?? j.history).map((a) => adaptAlert(a));
  }
  const out = [];
  for (const state of ['active', 'acknowledged', 'resolved']) for (const a of arr(j, state)) out.push(adaptAlert(a, state));
  return out;
}

/** An `alert` stream message: a raised alert (maybe with state), or an ack/resolve event. */
export function adaptAlertMessage(j) {
  const type = str(j, 'type', 'event');
  if (type === 'alert_ack') return { update: { id: str(j, 'id'), state: 'acknowledged', ackBy: str(j, 'by') } };
  if (type === 'alert_resolve') return { update: { id: str(j, 'id'), state: 'resolved' } };
  return { alert: adaptAlert(j) };
}

export function adaptOptimization(j) {
  if (!j) return null;
  const p = obj(j, 'params', 'currentParams') ?? {};
  const readParams = (q) => ({
    batchSize: num(q, 'batchSize'), batchTimeoutMs: num(q, 'batchTimeoutMs', 'batchTimeout'),
    cacheTTLMultiplier: num(q, 'cacheTTLMultiplier'), maxConcurrentOps: num(q, 'maxConcurrentOps'),
  });
  return {
    enabled: bool(j, 'enabled'),
    mode: str(j, 'mode'),
    efficiency: ratio(num(j, 'efficiency')),
    params: readParams(p),
    lastChangeMs: time(j, 'lastOptimizationNs', 'lastOptimization', 'lastChangeTime', 'time'),
    reason: str(obj(j, 'lastChange'), 'reason') ?? str(j, 'reason', 'lastReason'),
    history: arr(j, 'history', 'changes').map((c) => ({
      timeMs: time(c, 'time', 'timestamp', 'at'), efficiency: ratio(num(c, 'efficiency')),
      mode: str(c, 'mode'), reason: str(c, 'reason'), params: readParams(obj(c, 'params') ?? c),
    })).sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0)),
  };
}

export function adaptSuggestions(j) {
  if (!j) return null;
  return listOf(j, ['suggestions', 'items'], 'id').map((s) => {
    const action = pick(s, ['action']);
    return {
      id: str(s, 'id') ?? '',
      priority: (str(s, 'priority') ?? 'low').toLowerCase(),
      kind: str(s, 'type', 'kind', 'category'),
      title: str(s, 'title', 'name') ?? '',
      description: str(s, 'description', 'detail', 'message') ?? '',
      action: typeof action === 'string' ? action : str(action, 'label', 'title') ?? (action ? 'Apply' : undefined),
      applied: bool(s, 'applied'),
    };
  });
}

export function adaptBatch(j) {
  if (!j) return null;
  const pr = obj(j, 'priorityDistribution', 'priority', 'priorities') ?? {};
  return {
    currentSize: num(j, 'currentSize', 'size'), avgSize: num(j, 'avgSize', 'averageSize'),
    minSize: num(j, 'minSize'), maxSize: num(j, 'maxSize'), optimalSize: num(j, 'optimalSize'),
    throughput: num(j, 'throughput', 'throughputPerSecond'), queueDepth: num(j, 'queueDepth'),
    latencyMs: num(j, 'latencyMs', 'avgLatencyMs', 'avgLatency'), batches: num(j, 'batches', 'count'),
    queueTrend: num(j, 'queueDepthTrend'), queueGrowing: bool(j, 'queueGrowing'),
    lastBatchMs: time(j, 'lastBatchNs', 'lastBatch'),
    priority: { high: num(pr, 'high') ?? 0, medium: num(pr, 'medium') ?? 0, low: num(pr, 'low') ?? 0 },
    history: arr(j, 'history', 'timeline').map((b) => ({
      timeMs: time(b, 'time', 'timestamp', 'at'), size: num(b, 'size', 'currentSize'), optimalSize: num(b, 'optimalSize'),
    })).filter((b) => b.timeMs !== undefined),
  };
}

export function adaptCache(j) {
  if (!j) return null;
  return {
    hitRate: ratio(num(j, 'hitRate')), missRate: ratio(num(j, 'missRate')),
    evictions: num(j, 'evictions'), compressionRatio: num(j, 'compressionRatio'),
    totalSizeBytes: num(j, 'totalSizeBytes', 'totalSize', 'sizeBytes'),
    entries: num(j, 'entries', 'entryCount'), avgTTLms: num(j, 'averageTTL', 'avgTTLms', 'avgTTL'),
    caches: listOf(j, ['caches', 'cacheTypes', 'perCache'], 'name').map((c) => ({
      name: str(c, 'name', 'cache') ?? '?', hitRate: ratio(num(c, 'hitRate')),
      sizeBytes: num(c, 'sizeBytes', 'size'), entries: num(c, 'entries', 'entryCount'),
      evictions: num(c, 'evictions'), compressionRatio: num(c, 'compressionRatio'),
    })),
    history: arr(j, 'history').map((p) => [time(p, 'timeNs', 'time'), num(p, 'hitRate')])
      .filter(([t, v]) => t !== undefined && v !== undefined),
  };
}

export function adaptTopology(j) {
  if (!j) return null;
  return {
    connections: listOf(j, ['connections', 'nodes'], 'id').map((c) => ({
      id: str(c, 'id', 'connection', 'connectionId', 'name') ?? '?',
      monitors: arr(c, 'monitors').map(String),
      load: num(c, 'load'), tps: num(c, 'tps'), parseRate: ratio(num(c, 'parseRate')),
      latencyMs: num(c, 'latencyMs', 'latency'),
      state: (str(c, 'breakerState', 'state', 'circuitState') ?? 'CLOSED').toUpperCase(),
    })),
  };
}

export function adaptRps(j) {
  if (!j) return null;
  const current = num(j, 'current', 'rps', 'opsPerSecond', 'value');
  const previous = num(j, 'previous', 'previousWindow') ?? num(obj(j, 'trend'), 'previousAverage');
  const trendObj = obj(j, 'trend');
  let trend = trendObj ? num(trendObj, 'percentChange') : num(j, 'trendPercent', 'trend', 'changePercent');
  if (trend === undefined && isNum(previous) && previous > 0 && isNum(current)) trend = ((current - previous) / previous) * 100;
  return {
    current, previous, trendPercent: trend, total: num(j, 'total', 'totalOps', 'windowCount'),
    average: num(j, 'average'), peak: num(j, 'peak'), lowest: num(j, 'lowest', 'low'),
    errorRate: num(j, 'errorPercent', 'errorRate'),
    timeline: points(arr(j, 'timeline', 'series', 'history'), ['value', 'rps', 'ops', 'count']),
  };
}

export function adaptLatency(j) {
  if (!j) return null;
  const dist = arr(j, 'distribution', 'histogram', 'buckets').map((b) => {
    const upper = num(b, 'highMs', 'upperMs', 'le', 'upTo', 'bucketMs', 'ms');
    return { upperMs: upper, label: str(b, 'label') ?? (isNum(upper) ? `≤${upper}` : '?'), count: num(b, 'count', 'value') ?? 0 };
  });
  const tl = arr(j, 'timeline', 'history', 'series');
  return {
    p50: num(j, 'p50', 'p50Ms'), p95: num(j, 'p95', 'p95Ms'), p99: num(j, 'p99', 'p99Ms'),
    p999: num(j, 'p999', 'p99_9', 'p999Ms'), mean: num(obj(j, 'window'), 'meanMs') ?? num(j, 'mean', 'meanMs', 'avg'),
    // The view's count and mean are those of its window (`window.{count, meanMs}`, the
    // last `windowSeconds`); `sinceStart` holds the same figures over the whole log.
    count: num(obj(j, 'window'), 'count') ?? num(j, 'count'), windowSeconds: num(j, 'windowSeconds'),
    distribution: dist, asOfMs: time(j, 'asOf', 'time'),
    timeline: {
      p50: points(tl, ['p50', 'p50Ms']), p95: points(tl, ['p95', 'p95Ms']),
      p99: points(tl, ['p99', 'p99Ms']), p999: points(tl, ['p999', 'p99_9', 'p999Ms']),
    },
  };
}

export function adaptProtocols(j) {
  if (!j) return null;
  return listOf(j, ['protocols', 'distribution'], 'name').map((p) => ({
    name: str(p, 'name', 'protocol') ?? '?', share: ratio(num(p, 'share', 'percent', 'fraction')),
    rps: num(p, 'rps', 'opsPerSecond'), latencyMs: num(p, 'avgLatencyMs', 'latencyMs', 'avgLatency', 'p50'),
    // `errorRate` is a percentage (0–100) of the protocol's operations in the window.
    errorRate: num(p, 'errorRate', 'errorPercent'), status: str(p, 'status') ?? 'healthy',
    count: num(p, 'requests', 'count', 'total'),
  }));
}

export function adaptCpu(j) {
  if (!j) return null;
  const cores = arr(j, 'cores', 'perCore').map((c, i) => (isNum(c)
    ? { label: String(i), percent: c }
    : { label: str(c, 'core', 'name', 'id') ?? String(i), percent: num(c, 'percent', 'utilization', 'value') }));
  let load = pick(j, ['loadAverage', 'load']);
  if (load && !Array.isArray(load)) load = [num(load, '1m'), num(load, '5m'), num(load, '15m')];
  return {
    total: num(j, 'total', 'totalPercent', 'totalUtilization', 'percent'), cores,
    loadAverage: Array.isArray(load) ? load.map((v) => (isNum(+v) ? +v : undefined)) : [],
    timeline: points(arr(j, 'timeline', 'history'), ['total', 'value', 'percent']),
  };
}

export function adaptMemory(j) {
  if (!j) return null;
  return {
    totalBytes: num(j, 'total', 'totalBytes', 'totalMemory'), usedBytes: num(j, 'used', 'usedBytes', 'usedMemory'),
    availableBytes: num(j, 'available', 'availableBytes', 'availableMemory'),
    buffersBytes: num(j, 'buffers', 'buffersBytes'), cachedBytes: num(j, 'cached', 'cachedBytes'),
    swapUsedBytes: num(j, 'swapUsed', 'swap_used', 'swapUsedBytes'),
    timeline: points(arr(j, 'timeline', 'history'), ['used', 'usedBytes', 'value']),
  };
}

export function adaptHistorical(j) {
  if (!j) return null;
  return {
    metric: str(j, 'metric', 'name'), range: str(j, 'range'), unit: str(j, 'unit'),
    average: num(j, 'average', 'avg', 'mean'), peak: num(j, 'peak', 'max'), low: num(j, 'low', 'min'),
    stdDev: num(j, 'standardDeviation', 'stdDev', 'stddev'), count: num(j, 'count', 'samples'),
    series: points(arr(j, 'timeSeries', 'series', 'points'), ['value', 'mean', 'avg', 'last']),
    insights: arr(j, 'insights').map((i) => (typeof i === 'string'
      ? { type: 'info', message: i }
      : { type: (str(i, 'type', 'kind', 'severity') ?? 'info').toLowerCase(), message: str(i, 'message', 'text') ?? '' })),
    metrics: arr(j, 'availableMetrics', 'metrics').map(String),
  };
}

/** `/api/v1/connections/metrics` (docs/dashboard-api.md). */
export function adaptConnections(j) {
  if (!j) return null;
  const reports = obj(j, 'reports') ?? {};
  return {
    active: num(j, 'active'), idle: num(j, 'idle'), total: num(j, 'total'), rate: num(j, 'connectionRate'),
    status: str(j, 'healthStatus'), healthy: num(reports, 'healthy'), degraded: num(reports, 'degraded'),
    failed: num(reports, 'failed'), stale: num(reports, 'stale'),
  };
}

/** `/api/v1/alerts/performance`: guidance by alert id (docs/dashboard-api.md). */
export function adaptPerformanceAlerts(j) {
  if (!j) return null;
  const byId = new Map();
  for (const a of arr(j, 'alerts')) {
    const id = str(a, 'id');
    if (id) byId.set(id, { currentValue: num(a, 'currentValue'), resolution: str(a, 'resolution'), description: str(a, 'description') });
  }
  return byId;
}

export async function loadPerformanceAlerts(atMs) {
  return adaptPerformanceAlerts(await getJSON(ENDPOINTS.performanceAlerts, { at: atParam(atMs), limit: ALERTS_LIMIT }));
}

const HEATMAP_LABELS = {
  latency: { value: 'mean latency', count: 'operations' },
  throughput: { value: 'operations / s', count: 'operations' },
  errors: { value: 'failed', count: 'failed operations' },
};

/** `/api/v1/metrics/heatmap/{metric}` (docs/dashboard-api.md). */
export function adaptHeatmap(j) {
  if (!j) return null;
  const metric = str(j, 'metric') ?? 'latency';
  const labels = HEATMAP_LABELS[metric] ?? HEATMAP_LABELS.latency;
  return {
    metric, range: str(j, 'range'), unit: str(j, 'unit'), colourBy: str(j, 'colourBy') ?? 'count',
    columnsMs: arr(j, 'columns').map((c) => toMs(c)).filter(isNum),
    columnWidthMs: (num(j, 'columnWidthNs') ?? 0) / 1e6,
    rows: arr(j, 'rows').map((r) => ({ label: str(r, 'label') ?? '', total: num(r, 'total') })),
    cells: arr(j, 'cells').map((c) => ({ row: num(c, 'row'), column: num(c, 'column'), value: num(c, 'value'), count: num(c, 'count') }))
      .filter((c) => isNum(c.row) && isNum(c.column)),
    totalCount: num(j, 'totalCount'), valueLabel: labels.value, countLabel: labels.count,
    signature: `${metric}:${str(j, 'range')}:${str(j, 'rowsBy')}:${time(j, 'asOf')}`,
  };
}

export function adaptLog(j) {
  if (!j) return null;
  const segments = pick(j, ['segments']);
  return {
    firstOffset: num(j, 'firstOffset', 'startOffset', 'lowWatermark'),
    lastOffset: num(j, 'lastOffset', 'highWatermark', 'endOffset', 'nextOffset'),
    firstTimeMs: time(j, 'firstTime', 'firstEventTime', 'minTime', 'startTime'),
    lastTimeMs: time(j, 'lastTime', 'lastEventTime', 'maxTime', 'endTime'),
    segments: Array.isArray(segments) ? segments.length : num(j, 'segments', 'segmentCount'),
    sizeBytes: num(j, 'sizeBytes', 'totalBytes', 'bytes'), compressionRatio: num(j, 'compressionRatio'),
    dataDirectory: str(j, 'dataDirectory', 'dataDir', 'directory'), demo: bool(j, 'demo'),
  };
}

/** The server's mode: 'replay' for `tacho replay`'s server; a live server answers
 *  "live" (or "serve", as the first draft of the doc said): both are 'live'. */
export function serverMode(mode) {
  if (mode === undefined) return undefined;
  return mode.toLowerCase() === 'replay' ? 'replay' : 'live';
}

export function adaptInfo(j) {
  if (!j) return null;
  return {
    version: str(j, 'version'), dataDirectory: str(j, 'dataDirectory', 'dataDir'),
    demo: bool(j, 'demo'), mode: serverMode(str(j, 'mode')), startedMs: time(j, 'startedAt', 'startTime'),
  };
}

export function adaptAnnotations(j) {
  if (!j) return null;
  return listOf(j, ['annotations', 'items'], 'text').map((a) => ({
    timeMs: time(a, 'time', 'timestamp', 'ts', 'at'), text: str(a, 'text', 'message') ?? '',
    tags: arr(a, 'tags').map(String),
  })).filter((a) => a.timeMs !== undefined);
}

/** The periodic `metrics` stream message: the read views it carries, by name. */
export function adaptMetricsMessage(j) {
  if (!j) return {};
  const rpsJson = obj(j, 'rps', 'throughput');
  return {
    timeMs: time(j, 'time', 'timestamp', 'at'),
    rps: rpsJson ? adaptRps(rpsJson) : num(j, 'rps', 'opsPerSecond') !== undefined ? adaptRps(j) : undefined,
    latency: obj(j, 'latency') ? adaptLatency(j.latency) : undefined,
    cpu: obj(j, 'cpu') ? adaptCpu(j.cpu) : undefined,
    memory: obj(j, 'memory') ? adaptMemory(j.memory) : undefined,
    protocols: pick(j, ['protocols']) ? adaptProtocols(j.protocols) : undefined,
    health: obj(j, 'health') ? adaptHealth(j.health) : undefined,
    activeConnections: num(j, 'activeConnections'),
    connections: obj(j, 'connections') ? adaptConnections(j.connections) : undefined,
  };
}

/** The `reset` stream message: a full snapshot keyed like the read endpoints. */
export function adaptSnapshot(j) {
  const views = {};
  for (const [name, adapter] of Object.entries(VIEW_ADAPTERS)) {
    const key = SNAPSHOT_KEYS[name].find((k) => j?.[k] !== undefined);
    if (key) views[name] = adapter(j[key]);
  }
  return views;
}

const SNAPSHOT_KEYS = {
  health: ['health'], faultTolerance: ['faultTolerance', 'fault-tolerance'], breakers: ['breakers', 'circuitBreakers'],
  alerts: ['alerts'], optimization: ['optimization'], batch: ['batch', 'batchMetrics'], cache: ['cache', 'cacheStats'],
  suggestions: ['suggestions'], topology: ['topology'], rps: ['rps', 'throughput'], latency: ['latency'],
  protocols: ['protocols'], cpu: ['cpu'], memory: ['memory'],
};

export const VIEW_ADAPTERS = {
  health: adaptHealth, faultTolerance: adaptFaultTolerance, breakers: adaptBreakers, alerts: adaptAlerts,
  optimization: adaptOptimization, batch: adaptBatch, cache: adaptCache, suggestions: adaptSuggestions,
  topology: adaptTopology, rps: adaptRps, latency: adaptLatency, protocols: adaptProtocols,
  cpu: adaptCpu, memory: adaptMemory, connections: adaptConnections, performanceAlerts: adaptPerformanceAlerts,
};

// ---------------------------------------------------------------- transport
export const endpointStatus = {};

function fixtureUrl(path) {
  const slug = path.replace(/^\/api\/v1\//, '').replace(/[/]/g, '-');
  return `fixtures/${slug}.json`;
}

function atParam(atMs) {
  return isNum(atMs) ? new Date(Math.round(atMs)).toISOString() : undefined;
}

/** GETs an endpoint's JSON, or null when it is missing or failing (recorded in endpointStatus). */
export async function getJSON(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const url = fixtureMode ? fixtureUrl(path) : path + (q.size ? `?${q}` : '');
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    endpointStatus[path] = response.status;
    if (!response.ok) return null;
    return await response.json();
  } catch {
    endpointStatus[path] = 'unreachable';
    return null;
  }
}

/** Loads every view (as of `atMs` when given) in one request to /api/v1/views, whose
 *  members are named as VIEW_ADAPTERS, and adapts each. With `heatmap` ({metric,
 *  range, by}), the same answer carries that heatmap as `views.heatmap`: a seek is
 *  one request. */
export async function loadViews(atMs, heatmap) {
  const at = atParam(atMs);
  if (!fixtureMode) {
    const query = { at, limit: ALERTS_LIMIT };
    if (heatmap) Object.assign(query, heatmapQuery(heatmap, 'heatmap', 'heatmapRange', 'heatmapBy'));
    const all = await getJSON(ENDPOINTS.views, query);
    const views = {};
    for (const [name, adapter] of Object.entries(VIEW_ADAPTERS)) views[name] = adapter(all?.[name] ?? null);
    if (heatmap) views.heatmap = adaptHeatmap(all?.heatmap ?? null);
    return views;
  }
  const names = Object.keys(VIEW_ADAPTERS);
  const results = await Promise.all(names.map((name) => getJSON(ENDPOINTS[name], name === 'alerts' || name === 'performanceAlerts' ? { at, limit: ALERTS_LIMIT } : { at })));
  const views = {};
  names.forEach((name, i) => { views[name] = VIEW_ADAPTERS[name](results[i]); });
  if (heatmap) views.heatmap = await loadHeatmap(heatmap.metric, heatmap.range, heatmap.by, atMs);
  return views;
}

/** The query naming a heatmap; rows by operation or protocol only where they apply. */
function heatmapQuery({ metric, range, by }, metricKey, rangeKey, byKey) {
  return { [metricKey]: metric, [rangeKey]: range, [byKey]: metric === 'latency' ? undefined : by };
}

export async function loadMeta() {
  const [info, log] = await Promise.all([getJSON(ENDPOINTS.info), getJSON(ENDPOINTS.log)]);
  return { info: adaptInfo(info), log: adaptLog(log) };
}

/** Annotations are loaded apart from the views: the server finds them by reading the
 *  log, which takes seconds on a long log, and the first render must not wait for them. */
export async function loadAnnotations() {
  return adaptAnnotations(await getJSON(ENDPOINTS.annotations)) ?? [];
}

export async function loadHistorical(range, metric, atMs) {
  return adaptHistorical(await getJSON(ENDPOINTS.historical, { range, metric, at: atParam(atMs) }));
}

export async function loadHeatmap(metric, range, by, atMs) {
  const { range: r, by: b } = heatmapQuery({ metric, range, by }, 'metric', 'range', 'by');
  return adaptHeatmap(await getJSON(`${ENDPOINTS.heatmap}/${encodeURIComponent(metric)}`, { range: r, by: b, at: atParam(atMs) }));
}

const TOKEN_KEY = 'tacho.token';

async function post(path) {
  if (fixtureMode) return { ok: true };
  const send = () => {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(path, { method: 'POST', headers });
  };
  let response = await send();
  if (response.status === 401) {
    const token = window.prompt('This server requires a write token (Authorization: Bearer …):');
    if (!token) return { ok: false, error: 'a write token is required' };
    sessionStorage.setItem(TOKEN_KEY, token.trim());
    response = await send();
  }
  if (response.ok) return { ok: true };
  let error = `HTTP ${response.status}`;
  try { const body = await response.json(); error = str(body, 'detail', 'error') ?? error; } catch { /* keep status */ }
  return { ok: false, error };
}

export const acknowledgeAlert = (id) => post(`${ENDPOINTS.alerts}/${encodeURIComponent(id)}/ack`);
export const applySuggestion = (id) => post(`${ENDPOINTS.suggestions}/${encodeURIComponent(id)}/apply`);
