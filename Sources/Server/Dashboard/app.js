// The dashboard's controller: loads the views, follows the one live stream, and drives
// time travel and replay through the read API's `?at=`. Field names live in api.js;
// drawing lives in panels/ and charts.js.

import { byId, setText, setClassFrom } from './dom.js';
import * as api from './api.js';
import { LiveStream } from './stream.js';
import { chartStats } from './charts.js';
import { fmtBytes, fmtInt, fmtRatio, fmtClock, isNum } from './format.js';
import { HealthPanel } from './panels/health.js';
import { VitalsPanel } from './panels/vitals.js';
import { AlertsPanel } from './panels/alerts.js';
import { BreakersPanel } from './panels/breakers.js';
import { OptimizationPanel } from './panels/optimization.js';
import { BatchingPanel } from './panels/batching.js';
import { CachePanel } from './panels/cache.js';
import { TopologyPanel } from './panels/topology.js';
import { TrafficPanels } from './panels/traffic.js';
import { SystemPanels } from './panels/system.js';
import { HistoryPanel } from './panels/history.js';
import { HeatmapPanel } from './panels/heatmap.js';
import { Timeline } from './panels/timeline.js';
import { ServerReplay, cursorMsOf, playingSpeedOf } from './replay.js';

const QUEUE_MAX = 2000;
const STEP_MS = 1000;
const HEATMAP_REFRESH_MS = 10000;

// ---------------------------------------------------------------- performance record
const navigation = performance.getEntriesByType('navigation')[0];
const htmlArrivedMs = navigation ? navigation.responseEnd : 0;
const perf = { firstRenderMs: null, handlerMs: 0, messages: 0, drawMsAtFirstRender: 0, handlerMsAtFirstRender: 0, longestMessageMs: 0, phases: { scriptStartMs: performance.now() - htmlArrivedMs } };
window.__tachoPerf = {
  /** Milliseconds from the HTML's arrival to the first complete render, charts drawn. */
  get firstRenderMs() { return perf.firstRenderMs; },
  /** Main-thread milliseconds spent on live updates since the first render (handlers and chart draws). */
  get cumulativeUpdateMs() { return perf.firstRenderMs === null ? 0 : perf.handlerMs - perf.handlerMsAtFirstRender + chartStats.drawMs - perf.drawMsAtFirstRender; },
  get messages() { return perf.messages; },
  get longestMessageMs() { return perf.longestMessageMs; },
  get chartDraws() { return chartStats.draws; },
  get chartDrawMs() { return chartStats.drawMs; },
  get endpointStatus() { return { ...api.endpointStatus }; },
  /** Where the first render's time went, in ms after the HTML arrived. */
  get phases() { return { ...perf.phases }; },
};

// ---------------------------------------------------------------- state and panels
const state = {
  mode: 'live', // 'live' | 'replay'
  streamState: api.fixtureMode ? 'offline' : 'reconnecting',
  cursorMs: undefined,
  playingSpeed: 0,
  playTimer: null,
  loading: true,
  queue: [],
  views: {},
  meta: { info: null, log: null, annotations: [] },
  lastEventMs: undefined,
};

const indicator = byId('indicator');
const actions = {
  onAck: (id) => api.acknowledgeAlert(id),
  onApply: (id) => api.applySuggestion(id),
};
const panels = {
  health: new HealthPanel(byId('health-body')),
  vitals: new VitalsPanel(byId('vitals')),
  alerts: new AlertsPanel(byId('alerts-body'), actions),
  breakers: new BreakersPanel(byId('breakers-body'), byId('ft-summary')),
  optimization: new OptimizationPanel(byId('optimization-body'), byId('suggestions-body'), actions),
  batching: new BatchingPanel(byId('batching-body')),
  cache: new CachePanel(byId('cache-body')),
  topology: new TopologyPanel(byId('topology-body')),
  traffic: new TrafficPanels({
    throughput: byId('throughput-chart'), percentiles: byId('percentiles-chart'),
    distribution: byId('distribution-chart'), protocols: byId('protocols-body'),
  }),
  system: new SystemPanels({ cpu: byId('cpu-chart'), cpuMeta: byId('cpu-meta'), memory: byId('memory-body') }),
  history: new HistoryPanel(byId('history-body'), byId('history-controls'), {
    load: (range, metric) => api.loadHistorical(range, metric, state.mode === 'replay' ? state.cursorMs : undefined),
  }),
  heatmap: new HeatmapPanel(byId('heatmap-body'), byId('heatmap-controls'), {
    load: (metric, range, by) => api.loadHeatmap(metric, range, by, state.mode === 'replay' ? state.cursorMs : undefined),
  }),
  timeline: new Timeline(byId('timeline'), {
    onSeek: (ms) => seek(ms), onPlay: (speed) => play(speed), onPause: () => pause(),
    onStep: () => step(), onLive: () => backToLive(),
  }),
};

// ---------------------------------------------------------------- header
function renderIndicator() {
  const shown = state.mode === 'replay' ? 'replay' : state.streamState;
  const labels = { live: 'Live', reconnecting: 'Reconnecting', offline: 'Offline', replay: 'Replay' };
  indicator.dataset.state = shown;
  setClassFrom(indicator, Object.keys(labels), shown);
  setText(byId('indicator-label'), labels[shown] + (api.fixtureMode && shown === 'offline' ? ' (fixture)' : ''));
  document.body.classList.toggle('replaying', state.mode === 'replay');
}

function renderMeta() {
  const { info, log } = state.meta;
  const dir = info?.dataDirectory ?? log?.dataDirectory;
  setText(byId('data-dir'), dir ?? '—');
  byId('data-dir').title = dir ?? '';
  byId('demo-badge').hidden = !(info?.demo ?? log?.demo);
  if (info?.version) setText(byId('version'), `v${info.version}`);
  if (log) {
    const parts = [];
    if (isNum(log.lastOffset)) parts.push(`offset ${fmtInt(log.lastOffset)}`);
    if (isNum(log.segments)) parts.push(`${fmtInt(log.segments)} segments`);
    if (isNum(log.sizeBytes)) parts.push(fmtBytes(log.sizeBytes));
    if (isNum(log.compressionRatio)) parts.push(`${fmtRatio(log.compressionRatio)} compression`);
    setText(byId('log-meta'), parts.join(' · '));
  }
}

function renderLastEvent(offset) {
  if (isNum(state.lastEventMs)) setText(byId('last-event'), `last event ${fmtClock(state.lastEventMs)}${offset ? ` · #${offset}` : ''}`);
}

// ---------------------------------------------------------------- rendering views
// "Now" for the "… ago" texts is the newest event time known, so that a recorded
// session reads as it did when it was recorded; in replay it is the cursor.
function nowForMode() {
  if (state.mode === 'replay') return state.cursorMs;
  const known = Math.max(state.lastEventMs ?? -Infinity, state.meta.log?.lastTimeMs ?? -Infinity);
  return Number.isFinite(known) ? known : Date.now();
}

function renderVitals() {
  const v = state.views;
  panels.vitals.update({ rps: v.rps, latency: v.latency, topology: v.topology, faultTolerance: v.faultTolerance, cpu: v.cpu, memory: v.memory, activeConnections: v.activeConnections, connections: v.connections });
}

// The cards showing each view: dimmed, with a note, when the view could not be read
// (so a panel never passes off older figures as those of the moment asked for).
const VIEW_CARDS = {
  health: ['health-body'], breakers: ['breakers-body'], alerts: ['alerts-body'], optimization: ['optimization-body'],
  suggestions: ['suggestions-body'], batch: ['batching-body'], cache: ['cache-body'], topology: ['topology-body'],
  rps: ['throughput-chart'], latency: ['percentiles-chart', 'distribution-chart'], protocols: ['protocols-body'],
  cpu: ['cpu-chart'], memory: ['memory-body'],
};

function markUnavailable(views) {
  for (const [name, ids] of Object.entries(VIEW_CARDS)) {
    if (!(name in views)) continue;
    for (const id of ids) {
      const card = byId(id).closest('.card');
      card.classList.toggle('unavailable', views[name] === null);
      if (views[name] === null) card.dataset.unavailable = `${api.ENDPOINTS[name]}: ${api.endpointStatus[api.ENDPOINTS[name]] ?? 'no answer'}`;
      else delete card.dataset.unavailable;
    }
  }
}

/** Renders every view that `views` holds, replacing what the panels showed. */
function renderViews(views) {
  const readOnly = state.mode === 'replay';
  const nowMs = nowForMode();
  Object.assign(state.views, views);
  markUnavailable(views);
  if ('health' in views) panels.health.update(views.health);
  if ('performanceAlerts' in views) panels.alerts.setGuidance(views.performanceAlerts);
  if ('alerts' in views) panels.alerts.replaceAll(views.alerts, { readOnly });
  if ('breakers' in views) panels.breakers.replaceAll(views.breakers, nowMs);
  if ('faultTolerance' in views) panels.breakers.updateSummary(views.faultTolerance, nowMs);
  if ('optimization' in views) panels.optimization.update(views.optimization);
  if ('suggestions' in views) panels.optimization.updateSuggestions(views.suggestions, { readOnly });
  if ('batch' in views) panels.batching.update(views.batch);
  if ('cache' in views) panels.cache.update(views.cache);
  if ('topology' in views) panels.topology.update(views.topology);
  if ('rps' in views) panels.traffic.updateThroughput(views.rps);
  if ('latency' in views) panels.traffic.updateLatency(views.latency);
  if ('protocols' in views) panels.traffic.updateProtocols(views.protocols);
  if ('cpu' in views) panels.system.updateCpu(views.cpu);
  if ('memory' in views) panels.system.updateMemory(views.memory);
  renderVitals();
  refreshMarkers();
}

// A threshold alert from the stream: its guidance (value now, resolution) is read once
// the burst of alert messages has passed.
let guidanceTimer = null;
function refreshGuidance() {
  clearTimeout(guidanceTimer);
  guidanceTimer = setTimeout(async () => {
    if (state.mode !== 'live') return;
    const guidance = await api.loadPerformanceAlerts();
    if (state.mode === 'live') panels.alerts.setGuidance(guidance);
  }, 500);
}

let markersScheduled = false;
function refreshMarkers() {
  if (markersScheduled) return;
  markersScheduled = true;
  requestAnimationFrame(() => {
    markersScheduled = false;
    const markers = [
      ...state.meta.annotations.map((a) => ({ timeMs: a.timeMs, kind: 'annotation', text: a.tags.length ? `${a.text} [${a.tags.join(', ')}]` : a.text })),
      ...panels.alerts.markers().map((m) => ({ ...m, kind: 'alert' })),
    ].sort((a, b) => a.timeMs - b.timeMs);
    panels.timeline.setMarkers(markers);
    panels.traffic.setMarkers(state.meta.annotations.map((a) => ({ x: a.timeMs })));
  });
}

// ---------------------------------------------------------------- live stream
function messageTime(name, data) {
  return api.messageTimeMs(name, data) ?? state.lastEventMs ?? Date.now();
}

function handleMessage(name, data, offset) {
  if (name === 'lagged') { state.streamState = 'reconnecting'; renderIndicator(); return; }
  const timeMs = messageTime(name, data);
  if (!isNum(state.lastEventMs) || timeMs > state.lastEventMs) state.lastEventMs = timeMs;
  panels.timeline.extendTo(timeMs);
  renderLastEvent(offset);
  if (state.mode === 'replay') return;
  const live = { live: true, timeMs };
  switch (name) {
    case 'metrics': {
      const m = api.adaptMetricsMessage(data);
      const t = m.timeMs ?? timeMs;
      if (m.rps) { state.views.rps = m.rps; panels.traffic.updateThroughput(m.rps, { live: true, timeMs: t }); }
      if (m.latency) { state.views.latency = m.latency; panels.traffic.updateLatency(m.latency, { live: true, timeMs: t }); }
      if (m.protocols) { state.views.protocols = m.protocols; panels.traffic.updateProtocols(m.protocols); }
      if (m.cpu) { state.views.cpu = m.cpu; panels.system.updateCpu(m.cpu); }
      if (m.memory) { state.views.memory = m.memory; panels.system.updateMemory(m.memory); }
      if (m.health) { state.views.health = m.health; panels.health.update(m.health); }
      if (isNum(m.activeConnections)) state.views.activeConnections = m.activeConnections;
      if (m.connections) state.views.connections = m.connections;
      markUnavailable(Object.fromEntries(['rps', 'latency', 'protocols', 'cpu', 'memory', 'health'].filter((k) => m[k]).map((k) => [k, m[k]])));
      renderVitals();
      break;
    }
    case 'health': state.views.health = api.adaptHealth(data); panels.health.update(state.views.health); markUnavailable({ health: state.views.health }); break;
    case 'alert': {
      const m = api.adaptAlertMessage(data);
      panels.alerts.upsert(m.alert.timeMs ? m.alert : { ...m.alert, timeMs }, { notify: !api.fixtureMode });
      if (isNum(m.alert.threshold)) refreshGuidance();
      refreshMarkers();
      break;
    }
    case 'circuit-breaker': {
      panels.breakers.replaceAll(api.adaptBreakerMessage(data).all, nowForMode());
      state.views.breakers = panels.breakers.list();
      break;
    }
    case 'optimization': state.views.optimization = api.adaptOptimization(data); panels.optimization.update(state.views.optimization, live); markUnavailable({ optimization: state.views.optimization }); break;
    case 'cache-stats': state.views.cache = api.adaptCache(data); panels.cache.update(state.views.cache); markUnavailable({ cache: state.views.cache }); break;
    case 'batch-metrics': state.views.batch = api.adaptBatch(data); panels.batching.update(state.views.batch, live); markUnavailable({ batch: state.views.batch }); break;
    case 'topology': state.views.topology = api.adaptTopology(data); panels.topology.update(state.views.topology); renderVitals(); markUnavailable({ topology: state.views.topology }); break;
    case 'reset': {
      // The offset asked for is no longer in the log: a snapshot if the message has
      // one, else the views are loaded again.
      const views = api.adaptSnapshot(data);
      if (Object.keys(views).length > 0) renderViews(views); else reloadLive();
      break;
    }
    default: break;
  }
}

function onMessage(name, data, offset) {
  if (state.loading) {
    // Views are being (re)loaded: keep the messages and apply them after, in order.
    if (state.queue.length < QUEUE_MAX) state.queue.push([name, data, offset]);
    return;
  }
  const started = performance.now();
  handleMessage(name, data, offset);
  const spent = performance.now() - started;
  perf.handlerMs += spent;
  perf.messages++;
  if (spent > perf.longestMessageMs) perf.longestMessageMs = spent;
}

const stream = new LiveStream({
  onMessage,
  onState: (s) => { state.streamState = s; renderIndicator(); },
  onResync: () => { serverReplay.listen(stream.source); if (state.mode === 'live') reloadLive(); },
});

// ---------------------------------------------------------------- loading
async function reloadLive() {
  state.loading = true;
  const [meta, views] = await Promise.all([api.loadMeta(), api.loadViews()]);
  perf.phases.viewsLoadedMs ??= performance.now() - htmlArrivedMs;
  state.meta = { ...meta, annotations: state.meta.annotations };
  renderMeta();
  api.loadAnnotations().then((annotations) => { state.meta.annotations = annotations; refreshMarkers(); });
  if (meta.log) panels.timeline.setRange(meta.log.firstTimeMs, Math.max(meta.log.lastTimeMs ?? 0, state.lastEventMs ?? 0));
  if (state.mode !== 'live') { state.loading = false; state.queue = []; return; }
  renderViews(views);
  state.loading = false;
  const queued = state.queue;
  state.queue = [];
  for (const [name, data, offset] of queued) onMessage(name, data, offset);
}

// ---------------------------------------------------------------- time travel and replay
let travelInFlight = false;
let travelPendingMs;

async function travelTo(ms) {
  if (travelInFlight) { travelPendingMs = ms; return; }
  travelInFlight = true;
  // One request per seek: the heatmap shown comes with the views.
  const views = await api.loadViews(ms, panels.heatmap.request());
  travelInFlight = false;
  if (state.mode === 'replay') {
    const { heatmap, ...rest } = views;
    renderViews(rest);
    panels.timeline.setMode({ live: false, cursorMs: state.cursorMs, playingSpeed: state.playingSpeed });
    panels.heatmap.show(heatmap);
  }
  if (travelPendingMs !== undefined) {
    const next = travelPendingMs;
    travelPendingMs = undefined;
    travelTo(next);
  }
}

function enterReplay(ms) {
  const tl = panels.timeline;
  state.mode = 'replay';
  state.cursorMs = Math.max(tl.firstMs ?? ms, Math.min(tl.lastMs ?? ms, ms));
  renderIndicator();
  panels.timeline.setMode({ live: false, cursorMs: state.cursorMs, playingSpeed: state.playingSpeed });
  travelTo(state.cursorMs);
}

// A replay server (`tacho replay --serve`) owns the cursor: the controls go to it, and
// its state (from the stream's `replay` messages and the answers) moves the page.
const serverReplay = new ServerReplay({ onState: followServerReplay });

function followServerReplay(replay) {
  const ms = cursorMsOf(replay);
  const moved = state.mode !== 'replay' || ms !== state.cursorMs;
  state.mode = 'replay';
  state.cursorMs = ms;
  state.playingSpeed = playingSpeedOf(replay);
  renderIndicator();
  panels.timeline.setMode({ live: false, cursorMs: ms, playingSpeed: state.playingSpeed });
  if (moved) travelTo(ms);
}

function seek(ms) {
  if (serverReplay.active) { serverReplay.seek(ms); return; }
  enterReplay(ms);
}

function play(speed) {
  if (serverReplay.active) { serverReplay.play(speed); return; }
  const tl = panels.timeline;
  if (!isNum(tl.firstMs)) return;
  clearInterval(state.playTimer);
  state.playingSpeed = speed;
  if (state.mode === 'live' || !isNum(state.cursorMs) || state.cursorMs >= tl.lastMs) enterReplay(tl.firstMs);
  else panels.timeline.setMode({ live: false, cursorMs: state.cursorMs, playingSpeed: speed });
  state.playTimer = setInterval(() => {
    const next = state.cursorMs + speed * 1000;
    if (next >= tl.lastMs) { enterReplay(tl.lastMs); pause(); return; }
    enterReplay(next);
  }, 1000);
}

function pause() {
  if (serverReplay.active) { serverReplay.pause(); return; }
  clearInterval(state.playTimer);
  state.playTimer = null;
  state.playingSpeed = 0;
  if (state.mode === 'replay') panels.timeline.setMode({ live: false, cursorMs: state.cursorMs, playingSpeed: 0 });
}

function step() {
  if (serverReplay.active) { serverReplay.step(); return; }
  pause();
  const tl = panels.timeline;
  if (!isNum(tl.lastMs)) return;
  enterReplay(state.mode === 'live' ? tl.lastMs : state.cursorMs + STEP_MS);
}

function backToLive() {
  if (serverReplay.active) return; // a replay server has no live end
  pause();
  state.mode = 'live';
  state.cursorMs = undefined;
  renderIndicator();
  panels.timeline.setMode({ live: true });
  reloadLive();
  panels.history.load();
  panels.heatmap.load();
}

// ---------------------------------------------------------------- start
async function start() {
  renderIndicator();
  panels.timeline.setMode({ live: true });
  if (!api.fixtureMode) stream.start();
  await reloadLive();
  if (await serverReplay.start(state.meta.info)) {
    panels.timeline.setServerReplay();
    serverReplay.listen(stream.source);
  }
  perf.phases.renderedMs = performance.now() - htmlArrivedMs;
  requestAnimationFrame(() => {
    perf.firstRenderMs = performance.now() - htmlArrivedMs;
    perf.drawMsAtFirstRender = chartStats.drawMs;
    perf.handlerMsAtFirstRender = perf.handlerMs;
    document.body.dataset.ready = 'true';
  });
  panels.history.load();
  panels.heatmap.load();
  // The heatmap's newest column fills as operations arrive: reloaded while live.
  setInterval(() => { if (state.mode === 'live' && !document.hidden) panels.heatmap.load(); }, HEATMAP_REFRESH_MS);
}

start();
