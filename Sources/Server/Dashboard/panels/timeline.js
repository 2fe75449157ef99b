// The timeline across the recorded range: alert and annotation markers, a slider to
// travel in time, Play at 1×/10×/60×, Pause, Step, and Back to live.

import { h, setText, replaceChildren } from '../dom.js';
import { fmtDateTime, fmtClock, isNum } from '../format.js';
import { icon } from '../icons.js';

const MAX_MARKERS = 400;
export const SPEEDS = [1, 10, 60];

export class Timeline {
  /**
   * @param {{onSeek: (ms: number) => void, onPlay: (speed: number) => void, onPause: () => void,
   *          onStep: () => void, onLive: () => void}} handlers
   */
  constructor(root, handlers) {
    this.handlers = handlers;
    this.firstMs = undefined;
    this.lastMs = undefined;
    this.cursorMs = undefined;
    this.live = true;
    this.markerLayer = h('div', { class: 'tl-markers' });
    this.slider = h('input', { type: 'range', min: '0', max: '1000', step: '1', value: '1000', class: 'tl-slider', 'data-testid': 'timeline-slider', 'aria-label': 'time' });
    this.slider.addEventListener('input', () => this.handlers.onSeek(this.valueToMs(+this.slider.value)));
    this.startLabel = h('span', { class: 'tl-edge' }, '—');
    this.endLabel = h('span', { class: 'tl-edge' }, '—');
    this.cursorLabel = h('span', { class: 'tl-cursor', 'data-testid': 'timeline-time' }, 'live');
    this.playButtons = SPEEDS.map((speed) => h('button', { type: 'button', class: 'btn tl-btn', 'data-testid': `timeline-play-${speed}x`,
      on: { click: () => this.handlers.onPlay(speed) } }, icon('play', 11), ` ${speed}×`));
    this.pauseButton = h('button', { type: 'button', class: 'btn tl-btn', 'data-testid': 'timeline-pause', on: { click: () => this.handlers.onPause() } }, icon('pause', 11), ' Pause');
    this.stepButton = h('button', { type: 'button', class: 'btn tl-btn', 'data-testid': 'timeline-step', title: 'one second forward', on: { click: () => this.handlers.onStep() } }, icon('step', 11), ' Step');
    this.liveButton = h('button', { type: 'button', class: 'btn tl-btn live', 'data-testid': 'timeline-live', on: { click: () => this.handlers.onLive() } }, icon('live', 11), ' Back to live');
    replaceChildren(root,
      h('div', { class: 'tl-controls' }, this.playButtons, this.pauseButton, this.stepButton, this.liveButton, h('span', { class: 'spacer' }), this.cursorLabel),
      h('div', { class: 'tl-track' }, this.markerLayer, this.slider),
      h('div', { class: 'tl-edges' }, this.startLabel, this.endLabel));
    this.markers = [];
    this.steps = 1000;
  }

  valueToMs(v) { return Math.min(this.lastMs, this.firstMs + v * 1000); }

  msToValue(ms) { return Math.max(0, Math.min(this.steps, Math.round((ms - this.firstMs) / 1000))); }

  setRange(firstMs, lastMs) {
    if (!isNum(firstMs) || !isNum(lastMs)) return;
    const changed = firstMs !== this.firstMs || lastMs !== this.lastMs;
    this.firstMs = firstMs;
    this.lastMs = Math.max(lastMs, firstMs);
    this.slider.disabled = !(this.lastMs > this.firstMs);
    if (!changed) return;
    // One slider step per second of the recorded range.
    this.steps = Math.max(1, Math.ceil((this.lastMs - this.firstMs) / 1000));
    this.slider.max = String(this.steps);
    setText(this.startLabel, fmtDateTime(this.firstMs));
    setText(this.endLabel, fmtDateTime(this.lastMs));
    this.syncSlider();
    this.renderMarkers();
  }

  /** Extends the range's end as live events arrive. */
  extendTo(ms) {
    if (!isNum(ms) || !isNum(this.firstMs) || ms <= this.lastMs) return;
    this.setRange(this.firstMs, ms);
  }

  setMarkers(markers) {
    this.markers = markers.slice(-MAX_MARKERS);
    this.renderMarkers();
  }

  renderMarkers() {
    if (!(this.lastMs > this.firstMs)) { replaceChildren(this.markerLayer); return; }
    const span = this.lastMs - this.firstMs;
    replaceChildren(this.markerLayer, this.markers.filter((m) => m.timeMs >= this.firstMs && m.timeMs <= this.lastMs).map((m) => {
      const marker = h('span', { class: `tl-marker ${m.kind} sev-${m.severity ?? 'info'}`, title: `${fmtClock(m.timeMs)} ${m.text}`, 'data-testid': `timeline-${m.kind}` });
      marker.style.left = `${((m.timeMs - this.firstMs) / span) * 100}%`;
      return marker;
    }));
  }

  /** A replay server: there is no live end to go back to. */
  setServerReplay() {
    this.serverReplay = true;
    this.liveButton.hidden = true;
  }

  setMode({ live, cursorMs, playingSpeed }) {
    this.live = live;
    this.cursorMs = cursorMs;
    this.liveButton.disabled = live;
    this.pauseButton.disabled = live || !playingSpeed;
    for (const [i, b] of this.playButtons.entries()) b.classList.toggle('active', !live && playingSpeed === SPEEDS[i]);
    setText(this.cursorLabel, live ? 'live' : fmtDateTime(cursorMs));
    this.cursorLabel.classList.toggle('replay', !live);
    this.syncSlider();
  }

  syncSlider() {
    if (!isNum(this.firstMs)) return;
    const value = this.live ? this.steps : this.msToValue(this.cursorMs);
    if (document.activeElement !== this.slider || this.live) this.slider.value = String(value);
  }
}
