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
// One typed contract: each adapter reads the exact fields the server's view has
// (docs/dashboard-api.md). No alias lists, no unit guessing: every time is read from
// its `…Ns` field (integer ns since the epoch) or a `{time, timeNs}` stamp's `timeNs`;
// ratios are 0–1 and fields named `…Percent` 0–100, as the views give them. A field of
// the wrong type reads as absent ("—"), never as something else.
const num = (o, k) => (o && isNum(o[k]) ? o[k] : undefined);
const str = (o, k) => (o && typeof o[k] === 'string' ? o[k] : undefined);
const arr = (o, k) => (o && Array.isArray(o[k]) ? o[k] : []);
const obj = (o, k) => (o && o[k] && typeof o[k] === 'object' && !Array.isArray(o[k]) ? o[k] : undefined);
const bool = (o, k) => (o && typeof o[k] === 'boolean' ? o[k] : undefined);
/** Milliseconds since the epoch from an integer-nanosecond field. */
const nsMs = (o, k) => { const v = num(o, k); return v === undefined ? undefined : v / 1e6; };
/** Milliseconds since the epoch from a `{time, timeNs}` stamp member. */
const stampMs = (o, k) => nsMs(obj(o, k), 'timeNs');
/** `[[ms, value]]` from a view's points, each with `timeNs` and the value field named. */
const points = (list, valueKey) => list.map((p) => [nsMs(p, 'timeNs'), num(p, valueKey)])
  .filter(([t, v]) => t !== undefined && v !== undefined)
  .sort((a, b) => a[0] - b[0]);

/** The time of a stream message, by its event name (undefined when it carries none). */
export function messageTimeMs(name, data) {
  switch (name) {
    case 'metrics': return nsMs(data, 'timeNs');
    case 'alert': return nsMs(data, 'timestampNs');
    case 'health': return nsMs(data, 'asOfNs');
    default: return undefined;
  }
}

// ---------------------------------------------------------------- adapters
const HEALTH_LABELS = {
  parseRate: 'Parse rate', uptime: 'Uptime', circuitBreakerHealth: 'Breakers',
  performanceEfficiency: 'Efficiency', cacheHitRate: 'Cache hits', errorRate: 'Error rate',
};
const HEALTH_ORDER = ['parseRate', 'uptime', 'circuitBreakerHealth', 'performanceEfficiency', 'cacheHitRate', 'errorRate'];

/** `/api/v1/health`. */
export function adaptHealth(j) {
  if (!j) return null;
  const components = arr(j, 'components').map((c) => {
    const key = str(c, 'name') ?? '?';
    return {
      key, label: HEALTH_LABELS[key] ?? key, value: num(c, 'value'), included: bool(c, 'included') === true,
      weight: num(c, 'effectiveWeight'), baseWeight: num(c, 'weight'), note: str(c, 'reason'),
    };
  });
  components.sort((a, b) => (HEALTH_ORDER.indexOf(a.key) + 1 || 99) - (HEALTH_ORDER.indexOf(b.key) + 1 || 99));
  const score = num(j, 'score');
  return { score, status: str(j, 'status') ?? statusFor(score), components, timeMs: nsMs(j, 'asOfNs') };
}

export function statusFor(score) {
  if (!isNum(score)) return 'unknown';
  return score >= 90 ? 'excellent' : score >= 75 ? 'good' : score >= 50 ? 'degraded' : 'critical';
}

/** `/api/v1/fault-tolerance/status`. */
export function adaptFaultTolerance(j) {
  if (!j) return null;
  const health = obj(j, 'health');
  return {
    healthy: num(health, 'healthy'), degraded: num(health, 'degraded'), failed: num(health, 'failed'),
    lastCheckpointMs: nsMs(j, 'lastCheckpointNs'), missedSlots: num(j, 'missedSlots'),
  };
}

/** One breaker of `/api/v1/fault-tolerance/circuit-breakers`. */
export function adaptBreaker(b) {
  const history = arr(b, 'transitions').map((t) => ({
    timeMs: nsMs(t, 'timeNs'), from: str(t, 'from'), to: str(t, 'to'), reason: str(t, 'reason'),
  })).sort((x, y) => (x.timeMs ?? 0) - (y.timeMs ?? 0));
  return {
    connection: str(b, 'connectionId') ?? '?',
    state: str(b, 'state') ?? 'UNKNOWN',
    failures: num(b, 'failures'),
    parseRate: num(b, 'parseRate'),
    latencyMs: num(b, 'latency'),
    lastFailureMs: nsMs(b, 'lastFailureNs'),
    lastSuccessMs: nsMs(b, 'lastSuccessNs'),
    reason: history[history.length - 1]?.reason,
    history,
  };
}

export function adaptBreakers(j) {
  if (!j) return null;
  return arr(j, 'breakers').map(adaptBreaker);
}

/** A `circuit-breaker` stream message: the whole breakers view. */
export function adaptBreakerMessage(j) {
  return { all: adaptBreakers(j) ?? [] };
}

/** One alert of `/api/v1/fault-tolerance/alerts` (and an `alert` stream message). */
export function adaptAlert(a) {
  let data = str(a, 'dataJSON');
  if (data !== undefined) { try { data = JSON.parse(data); } catch { /* shown verbatim */ } }
  return {
    id: str(a, 'id') ?? '',
    timeMs: nsMs(a, 'timestampNs'),
    severity: str(a, 'severity') ?? 'info',
    kind: str(a, 'type') ?? '',
    message: str(a, 'message') ?? '',
    connection: str(a, 'connectionId'),
    metric: str(a, 'metric'),
    threshold: num(a, 'threshold'),
    value: num(a, 'value'),
    data,
    state: str(a, 'status') ?? 'active',
    ackBy: str(a, 'acknowledgedBy'),
  };
}

export function adaptAlerts(j) {
  if (!j) return null;
  return arr(j, 'alerts').map(adaptAlert);
}

/** An `alert` stream message: one alert as the alerts view holds it (a raise, or the
 *  same alert with a new `status` after an acknowledgement or a resolution). */
export function adaptAlertMessage(j) {
  return { alert: adaptAlert(j) };
}

const readParams = (q) => ({
  batchSize: num(q, 'batchSize'), batchTimeoutMs: num(q, 'batchTimeoutMs'),
  cacheTTLMultiplier: num(q, 'cacheTTLMultiplier'), maxConcurrentOps: num(q, 'maxConcurrentOps'),
});

/** `/api/v1/performance/optimization/status`. */
export function adaptOptimization(j) {
  if (!j) return null;
  return {
    enabled: bool(j, 'enabled'),
    mode: str(j, 'mode'),
    efficiency: num(j, 'efficiency'),
    params: readParams(obj(j, 'currentParams')),
    lastChangeMs: nsMs(j, 'lastOptimizationNs'),
    reason: str(obj(j, 'lastChange'), 'reason'),
    history: arr(j, 'history').map((c) => ({
      timeMs: nsMs(c, 'timeNs'), efficiency: num(c, 'efficiency'),
      mode: str(c, 'mode'), reason: str(c, 'reason'), params: readParams(obj(c, 'params')),
    })).sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0)),
  };
}

/** `/api/v1/performance/suggestions`. */
export function adaptSuggestions(j) {
  if (!j) return null;
  return arr(j, 'suggestions').map((s) => ({
    id: str(s, 'id') ?? '',
    priority: str(s, 'priority') ?? 'low',
    kind: str(s, 'type'),
    title: str(s, 'title') ?? '',
    description: str(s, 'description') ?? '',
    action: str(s, 'action'),
    applied: bool(s, 'applied'),
  }));
}

/** `/api/v1/performance/batch/metrics`. */
export function adaptBatch(j) {
  if (!j) return null;
  const pr = obj(j, 'priorityDistribution');
  return {
    currentSize: num(j, 'currentSize'), avgSize: num(j, 'avgSize'),
    minSize: num(j, 'minSize'), maxSize: num(j, 'maxSize'), optimalSize: num(j, 'optimalSize'),
    throughput: num(j, 'throughput'), queueDepth: num(j, 'queueDepth'),
    latencyMs: num(j, 'avgLatencyMs'), batches: num(j, 'batches'),
    queueTrend: num(j, 'queueDepthTrend'), queueGrowing: bool(j, 'queueGrowing'),
    lastBatchMs: nsMs(j, 'lastBatchNs'),
    priority: { high: num(pr, 'high') ?? 0, medium: num(pr, 'medium') ?? 0, low: num(pr, 'low') ?? 0 },
    history: arr(j, 'history').map((b) => ({
      timeMs: nsMs(b, 'timeNs'), size: num(b, 'size'), optimalSize: num(b, 'optimalSize'),
    })).filter((b) => b.timeMs !== undefined),
  };
}

/** `/api/v1/performance/cache/stats`. */
export function adaptCache(j) {
  if (!j) return null;
  return {
    hitRate: num(j, 'hitRate'), missRate: num(j, 'missRate'),
    evictions: num(j, 'evictions'), compressionRatio: num(j, 'compressionRatio'),
    totalSizeBytes: num(j, 'totalSize'), entries: num(j, 'entries'), avgTTLms: num(j, 'averageTTL'),
    caches: arr(j, 'caches').map((c) => ({
      name: str(c, 'name') ?? '?', hitRate: num(c, 'hitRate'),
      sizeBytes: num(c, 'size'), entries: num(c, 'entries'),
      evictions: num(c, 'evictions'), compressionRatio: num(c, 'compressionRatio'),
    })),
    history: points(arr(j, 'history'), 'hitRate'),
  };
}

/** `/api/v1/topology`. */
export function adaptTopology(j) {
  if (!j) return null;
  return {
    connections: arr(j, 'connections').map((c) => ({
      id: str(c, 'id') ?? '?',
      monitors: arr(c, 'monitors').filter((m) => typeof m === 'string'),
      load: num(c, 'load'), tps: num(c, 'tps'), parseRate: num(c, 'parseRate'),
      latencyMs: num(c, 'latency'),
      state: str(c, 'circuitState') ?? 'CLOSED',
    })),
  };
}

/** `/api/v1/metrics/rps` (and the `rps` member of a `metrics` stream message). */
export function adaptRps(j) {
  if (!j) return null;
  const trend = obj(j, 'trend');
  const current = num(j, 'current');
  const previous = num(trend, 'previousAverage');
  const average = num(trend, 'currentAverage');
  return {
    current, previous,
    // The ▲/▼ card: the window's average against the window before it.
    trendPercent: isNum(previous) && previous > 0 && isNum(average) ? ((average - previous) / previous) * 100 : undefined,
    total: num(j, 'total'), average: num(j, 'average'), peak: num(j, 'peak'), lowest: num(j, 'lowest'),
    errorRate: num(j, 'errorPercent'),
    timeline: points(arr(j, 'timeline'), 'rps'),
  };
}

/** `/api/v1/metrics/latency` (and the `latency` member of a `metrics` stream message,
 *  which carries the same fields without the per-operation tables). */
export function adaptLatency(j) {
  if (!j) return null;
  const window = obj(j, 'window');
  const tl = arr(j, 'timeline');
  return {
    p50: num(j, 'p50'), p95: num(j, 'p95'), p99: num(j, 'p99'), p999: num(j, 'p999'),
    mean: num(window, 'meanMs'), count: num(window, 'count'), windowSeconds: num(j, 'windowSeconds'),
    distribution: arr(j, 'distribution').map((b) => {
      const upper = num(b, 'highMs');
      return { upperMs: upper, label: str(b, 'label') ?? (isNum(upper) ? `≤${upper}` : '?'), count: num(b, 'count') ?? 0 };
    }),
    asOfMs: stampMs(j, 'asOf'),
    timeline: { p50: points(tl, 'p50'), p95: points(tl, 'p95'), p99: points(tl, 'p99'), p999: points(tl, 'p999') },
  };
}

/** `/api/v1/metrics/protocols`. */
export function adaptProtocols(j) {
  if (!j) return null;
  return arr(j, 'protocols').map((p) => ({
    name: str(p, 'name') ?? '?', share: num(p, 'share'), rps: num(p, 'rps'), latencyMs: num(p, 'avgLatency'),
    // `errorRate` is a percentage (0–100) of the protocol's operations in the window.
    errorRate: num(p, 'errorRate'), status: str(p, 'status') ?? 'healthy', count: num(p, 'requests'),
  }));
}

/** `/api/v1/system/cpu`. */
export function adaptCpu(j) {
  if (!j) return null;
  return {
    total: num(j, 'total'),
    cores: arr(j, 'cores').map((c, i) => ({ label: isNum(c?.core) ? String(c.core) : String(i), percent: num(c, 'utilization') })),
    loadAverage: arr(j, 'loadAverage').map((v) => (isNum(v) ? v : undefined)),
    timeline: points(arr(j, 'history'), 'total'),
  };
}

/** `/api/v1/system/memory` (bytes). */
export function adaptMemory(j) {
  if (!j) return null;
  return {
    totalBytes: num(j, 'total'), usedBytes: num(j, 'used'), availableBytes: num(j, 'available'),
    buffersBytes: num(j, 'buffers'), cachedBytes: num(j, 'cached'), swapUsedBytes: num(j, 'swapUsed'),
    timeline: points(arr(j, 'history'), 'used'),
  };
}

/** `/api/v1/metrics/historical`. */
export function adaptHistorical(j) {
  if (!j) return null;
  return {
    metric: str(j, 'metric'), range: str(j, 'range'), unit: str(j, 'unit'),
    average: num(j, 'average'), peak: num(j, 'peak'), low: num(j, 'low'),
    stdDev: num(j, 'standardDeviation'), count: num(j, 'sampleCount'),
    series: points(arr(j, 'timeSeries'), 'value'),
    insights: arr(j, 'insights').map((i) => ({ type: str(i, 'type') ?? 'info', message: str(i, 'message') ?? '' })),
    metrics: arr(j, 'availableMetrics').filter((m) => typeof m === 'string'),
  };
}

/** `/api/v1/connections/metrics`. */
export function adaptConnections(j) {
  if (!j) return null;
  const reports = obj(j, 'reports');
  return {
    active: num(j, 'active'), idle: num(j, 'idle'), total: num(j, 'total'), rate: num(j, 'connectionRate'),
    status: str(j, 'healthStatus'), healthy: num(reports, 'healthy'), degraded: num(reports, 'degraded'),
    failed: num(reports, 'failed'), stale: num(reports, 'stale'),
  };
}

/** `/api/v1/alerts/performance`: guidance by alert id. */
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

/** `/api/v1/metrics/heatmap/{metric}`. */
export function adaptHeatmap(j) {
  if (!j) return null;
  const metric = str(j, 'metric') ?? 'latency';
  const labels = HEATMAP_LABELS[metric] ?? HEATMAP_LABELS.latency;
  return {
    metric, range: str(j, 'range'), unit: str(j, 'unit'), colourBy: str(j, 'colourBy') ?? 'count',
    columnsMs: arr(j, 'columns').map((c) => nsMs(c, 'timeNs')).filter(isNum),
    columnWidthMs: (num(j, 'columnWidthNs') ?? 0) / 1e6,
    rows: arr(j, 'rows').map((r) => ({ label: str(r, 'label') ?? '', total: num(r, 'total') })),
    cells: arr(j, 'cells').map((c) => ({ row: num(c, 'row'), column: num(c, 'column'), value: num(c, 'value'), count: num(c, 'count') }))
      .filter((c) => isNum(c.row) && isNum(c.column)),
    totalCount: num(j, 'totalCount'), valueLabel: labels.value, countLabel: labels.count,
    signature: `${metric}:${str(j, 'range')}:${str(j, 'rowsBy')}:${stampMs(j, 'asOf')}`,
  };
}

/** `/api/v1/log`. */
export function adaptLog(j) {
  if (!j) return null;
  return {
    firstOffset: num(j, 'firstOffset'), lastOffset: num(j, 'lastOffset'),
    firstTimeMs: nsMs(j, 'firstTimeNs'), lastTimeMs: nsMs(j, 'lastTimeNs'),
    segments: num(j, 'segmentCount'), sizeBytes: num(j, 'sizeBytes'), compressionRatio: num(j, 'compressionRatio'),
    dataDirectory: str(j, 'dataDirectory'),
  };
}

/** The server's mode: 'replay' for `tacho replay --serve`, 'live' for `tacho serve`. */
export function serverMode(mode) {
  if (mode === undefined) return undefined;
  return mode === 'replay' ? 'replay' : 'live';
}

/** `/api/v1/info`. */
export function adaptInfo(j) {
  if (!j) return null;
  return {
    version: str(j, 'version'), dataDirectory: str(j, 'dataDirectory'),
    demo: bool(j, 'demo'), mode: serverMode(str(j, 'mode')), startedMs: nsMs(j, 'startedAtNs'),
  };
}

/** `/api/v1/annotations`. */
export function adaptAnnotations(j) {
  if (!j) return null;
  return arr(j, 'annotations').map((a) => ({
    timeMs: nsMs(a, 'timeNs'), text: str(a, 'text') ?? '', tags: arr(a, 'tags').filter((t) => typeof t === 'string'),
  })).filter((a) => a.timeMs !== undefined);
}

/** The periodic `metrics` stream message: the read views it carries, by name. */
export function adaptMetricsMessage(j) {
  if (!j) return {};
  return {
    timeMs: nsMs(j, 'timeNs'),
    rps: adaptRps(obj(j, 'rps')) ?? undefined,
    latency: adaptLatency(obj(j, 'latency')) ?? undefined,
    cpu: adaptCpu(obj(j, 'cpu')) ?? undefined,
    memory: adaptMemory(obj(j, 'memory')) ?? undefined,
    protocols: adaptProtocols(obj(j, 'protocols')) ?? undefined,
    health: adaptHealth(obj(j, 'health')) ?? undefined,
    activeConnections: num(j, 'activeConnections'),
    connections: adaptConnections(obj(j, 'connections')) ?? undefined,
  };
}

/** The `reset` stream message: every view, keyed as in `/api/v1/views`. */
export function adaptSnapshot(j) {
  const views = {};
  for (const [name, adapter] of Object.entries(VIEW_ADAPTERS)) {
    if (obj(j, name)) views[name] = adapter(j[name]);
  }
  return views;
}

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
  try { const body = await response.json(); error = str(body, 'detail') ?? str(body, 'error') ?? error; } catch { /* keep status */ }
  return { ok: false, error };
}

export const acknowledgeAlert = (id) => post(`${ENDPOINTS.alerts}/${encodeURIComponent(id)}/ack`);
export const applySuggestion = (id) => post(`${ENDPOINTS.suggestions}/${encodeURIComponent(id)}/apply`);
