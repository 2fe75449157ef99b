// Server-side replay (`tacho replay --serve`, /api/v1/info says mode "replay"): the
// server owns the replay cursor. The timeline's Play/Pause/Step/seek become
// POST /api/v1/replay requests, and the page follows the `replay` messages of the
// stream (and the answers to its requests); panels read the views with ?at= at the
// cursor, as client-side time travel does.

const REPLAY_PATH = '/api/v1/replay';

export class ServerReplay {
  /** @param {{onState: (state: object) => void}} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    this.active = false;
    this.sources = new WeakSet();
    this.queue = [];
    this.sending = false;
  }

  /** Turns server replay on when `info.mode` is "replay", and loads the state. */
  async start(info) {
    if (info?.mode !== 'replay') return false;
    this.active = true;
    try {
      const response = await fetch(REPLAY_PATH, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (response.ok) this.handlers.onState(await response.json());
    } catch { /* the stream's replay messages bring the state */ }
    return true;
  }

  /** Follows the `replay` messages of an EventSource (each new source once). */
  listen(source) {
    if (!this.active || !source || this.sources.has(source)) return;
    this.sources.add(source);
    source.addEventListener('replay', (event) => {
      let state = null;
      try { state = JSON.parse(event.data); } catch { return; }
      if (state) this.handlers.onState(state);
    });
  }

  play(speed) { this.send({ action: 'play', speed }); }
  pause() { this.send({ action: 'pause' }); }
  step() { this.send({ action: 'step' }); }
  seek(ms) { this.send({ action: 'seek', at: new Date(Math.round(ms)).toISOString() }); }

  /** Sends controls one at a time, in order; a seek replaces a seek still waiting (a dragged slider sends many). */
  send(body) {
    const last = this.queue[this.queue.length - 1];
    if (body.action === 'seek' && last?.action === 'seek') this.queue[this.queue.length - 1] = body;
    else this.queue.push(body);
    if (!this.sending) this.drain();
  }

  async drain() {
    this.sending = true;
    while (this.queue.length > 0) {
      const body = this.queue.shift();
      try {
        const response = await fetch(REPLAY_PATH, {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body),
        });
        if (response.ok) this.handlers.onState(await response.json());
      } catch { /* the server is gone; the indicator shows it */ }
    }
    this.sending = false;
  }
}

/**
 * The cursor in ms, truncated so that `?at=` never reaches past it. Read from the RFC 3339
 * text: `cursorNs` is beyond 2^53 and loses precision as a JS number.
 */
export function cursorMsOf(state) {
  const match = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(state.cursor ?? '');
  if (!match) return Math.floor(Number(state.cursorNs) / 1e6);
  return Date.parse(`${match[1]}Z`) + Number((match[2] ?? '').padEnd(3, '0').slice(0, 3));
}

/** The speed the timeline shows as playing: 0 when paused, Infinity at "max". */
export function playingSpeedOf(state) {
  if (!state.playing) return 0;
  return state.speed === 'max' ? Infinity : Number(state.speed);
}
