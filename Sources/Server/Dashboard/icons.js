// Small inline SVG icons, so the page needs no icon font and no emoji support.

import { s } from './dom.js';

const PATHS = {
  critical: [['path', { d: 'M5.2 1h5.6L15 5.2v5.6L10.8 15H5.2L1 10.8V5.2z', fill: '#ef4444' }], ['path', { d: 'M8 4v5M8 11.2v.6', stroke: '#fff', 'stroke-width': 1.8, 'stroke-linecap': 'round' }]],
  warning: [['path', { d: 'M8 1.5L15 14H1z', fill: '#f59e0b', 'stroke-linejoin': 'round' }], ['path', { d: 'M8 6v4M8 12v.3', stroke: '#111827', 'stroke-width': 1.7, 'stroke-linecap': 'round' }]],
  info: [['circle', { cx: 8, cy: 8, r: 7, fill: '#3b82f6' }], ['path', { d: 'M8 7v4.5M8 4.6v.3', stroke: '#fff', 'stroke-width': 1.8, 'stroke-linecap': 'round' }]],
  bell: [['path', { d: 'M4 11V7a4 4 0 0 1 8 0v4l1.3 1.5H2.7zM6.5 14a1.5 1.5 0 0 0 3 0', fill: 'none', stroke: 'currentColor', 'stroke-width': 1.4, 'stroke-linejoin': 'round' }]],
  play: [['path', { d: 'M4.5 3v10l8.5-5z', fill: 'currentColor' }]],
  pause: [['path', { d: 'M4 3h3v10H4zM9 3h3v10H9z', fill: 'currentColor' }]],
  step: [['path', { d: 'M3 3v10l7-5zM11 3h2.2v10H11z', fill: 'currentColor' }]],
  live: [['circle', { cx: 8, cy: 8, r: 4, fill: 'currentColor' }]],
  check: [['path', { d: 'M3 8.5l3.2 3L13 4.5', fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }]],
};

export function icon(name, size = 14) {
  const parts = PATHS[name] ?? PATHS.info;
  return s('svg', { class: `icon icon-${name}`, viewBox: '0 0 16 16', width: size, height: size, 'aria-hidden': 'true' },
    parts.map(([tag, attributes]) => s(tag, attributes)));
}
