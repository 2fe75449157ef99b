// Optimization: mode, efficiency, current parameters, last change and its reason, the
// efficiency history; and the suggestions list with an Apply button per suggestion.

import { h, setText, replaceChildren } from '../dom.js';
import { LineChart, palette } from '../charts.js';
import { fmtPercent, fmtNumber, fmtMs, fmtClock, isNum } from '../format.js';

const HISTORY_MAX = 300;

export class OptimizationPanel {
  /** @param {{onApply: (id: string) => Promise<{ok: boolean, error?: string}>}} actions */
  constructor(root, suggestionsRoot, actions) {
    this.actions = actions;
    this.mode = h('span', { class: 'mode-pill', 'data-testid': 'optimization-mode' }, '—');
    this.efficiency = h('div', { class: 'big-number', 'data-testid': 'optimization-efficiency' }, '—');
    this.effFill = h('span');
    this.params = {
      batchSize: paramCell('Batch size'), batchTimeoutMs: paramCell('Batch timeout'),
      cacheTTLMultiplier: paramCell('Cache TTL ×'), maxConcurrentOps: paramCell('Max concurrent ops'),
    };
    this.last = h('div', { class: 'opt-last' }, '');
    const chartHost = h('div', { class: 'chart-host short' });
    replaceChildren(root,
      h('div', { class: 'opt-top' },
        h('div', {}, h('div', { class: 'stat-label' }, 'Efficiency'), this.efficiency, h('div', { class: 'meter' }, this.effFill)),
        h('div', { class: 'opt-mode' }, h('div', { class: 'stat-label' }, 'Mode'), this.mode)),
      h('div', { class: 'param-grid' }, Object.values(this.params).map((p) => p.element)),
      this.last,
      h('div', { class: 'sub-title' }, 'Efficiency history'),
      chartHost);
    this.chart = new LineChart(chartHost, { testId: 'chart-optimization-history', unit: 'ratio', yMax: 1, label: 'efficiency history' });
    this.suggestions = h('div', { class: 'suggestions', 'data-testid': 'suggestions' });
    replaceChildren(suggestionsRoot, this.suggestions);
    this.history = [];
  }

  update(model, { live = false } = {}) {
    if (!model) return;
    setText(this.mode, model.mode ?? '—');
    this.mode.className = `mode-pill mode-${model.mode ?? 'unknown'}`;
    setText(this.efficiency, fmtPercent(model.efficiency));
    this.effFill.style.width = `${(isNum(model.efficiency) ? Math.max(0, Math.min(1, model.efficiency)) : 0) * 100}%`;
    const p = model.params;
    setText(this.params.batchSize.value, fmtNumber(p.batchSize));
    setText(this.params.batchTimeoutMs.value, fmtMs(p.batchTimeoutMs));
    setText(this.params.cacheTTLMultiplier.value, isNum(p.cacheTTLMultiplier) ? p.cacheTTLMultiplier.toFixed(2) : '—');
    setText(this.params.maxConcurrentOps.value, fmtNumber(p.maxConcurrentOps));
    setText(this.last, isNum(model.lastChangeMs) ? `Last change ${fmtClock(model.lastChangeMs)}${model.reason ? ` — ${model.reason}` : ''}` : 'No change recorded');
    if (model.history.length > 0 || !live) {
      this.history = model.history.filter((c) => isNum(c.timeMs) && isNum(c.efficiency)).map((c) => [c.timeMs, c.efficiency]);
    } else if (isNum(model.lastChangeMs) && isNum(model.efficiency)) {
      const last = this.history[this.history.length - 1];
      if (!last || last[0] < model.lastChangeMs) this.history.push([model.lastChangeMs, model.efficiency]);
    }
    if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
    this.chart.setData({ series: [{ name: 'efficiency', color: palette.violet, points: this.history, area: true }] });
  }

  updateSuggestions(list, { readOnly = false } = {}) {
    if (!list) return;
    if (list.length === 0) {
      replaceChildren(this.suggestions, h('div', { class: 'empty ok' }, 'No suggestions: the configuration looks right'));
      return;
    }
    const order = { high: 0, medium: 1, low: 2 };
    const sorted = [...list].sort((a, b) => (order[a.priority] ?? 3) - (order[b.priority] ?? 3));
    replaceChildren(this.suggestions, sorted.map((s) => this.suggestion(s, readOnly)));
  }

  suggestion(s, readOnly) {
    let button = null;
    if (!readOnly && s.action && !s.applied) {
      button = h('button', { class: 'btn small primary', type: 'button', 'data-testid': 'suggestion-apply', 'data-suggestion-id': s.id }, 'Apply');
      button.addEventListener('click', async () => {
        button.disabled = true;
        setText(button, 'Applying…');
        const result = await this.actions.onApply(s.id);
        setText(button, result.ok ? 'Applied' : 'Apply');
        button.disabled = result.ok;
        if (!result.ok) button.title = result.error ?? 'failed';
      });
    }
    return h('div', { class: `suggestion prio-${s.priority}`, 'data-testid': 'suggestion', 'data-suggestion-id': s.id },
      h('div', { class: 'sg-body' },
        h('div', { class: 'sg-title' }, h('span', { class: `prio-tag prio-${s.priority}` }, s.priority), s.title),
        h('div', { class: 'sg-desc' }, s.description),
        s.action ? h('div', { class: 'sg-action' }, `Action: ${s.action}`) : null),
      s.applied ? h('span', { class: 'tag' }, 'applied') : button);
  }
}

function paramCell(label) {
  const value = h('div', { class: 'param-value' }, '—');
  return { element: h('div', { class: 'param' }, h('div', { class: 'stat-label' }, label), value), value };
}
