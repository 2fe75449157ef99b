// DOM helpers. Every string reaches the page as text: h() sets children with
// createTextNode and attributes with setAttribute, and refuses event-handler and
// URL-bearing attributes, so data from events can never become markup or script.

const FORBIDDEN_ATTRIBUTES = new Set(['href', 'src', 'srcdoc', 'action', 'formaction', 'xlink:href', 'style']);
const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') { element.setAttribute('class', String(value)); continue; }
    if (name === 'dataset') {
      for (const [key, v] of Object.entries(value)) element.dataset[key] = String(v);
      continue;
    }
    if (name === 'on') {
      for (const [type, handler] of Object.entries(value)) element.addEventListener(type, handler);
      continue;
    }
    if (name.startsWith('on') || FORBIDDEN_ATTRIBUTES.has(name)) {
      throw new Error(`dom: attribute ${name} is not allowed; use 'on' for handlers`);
    }
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) { append(element, child); continue; }
    element.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Creates an HTML element: h('div', {class: 'x'}, 'text', otherNode). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** Creates an SVG element; text children become text nodes. */
export function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** Replaces an element's children. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Sets text only when it changed, so unchanged cells cost no layout. */
export function setText(element, text) {
  const value = text === undefined || text === null ? '' : String(text);
  if (element.textContent !== value) element.textContent = value;
}

/** Toggles a set of mutually exclusive classes. */
export function setClassFrom(element, options, chosen) {
  for (const option of options) element.classList.toggle(option, option === chosen);
}

export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`dashboard: #${id} is missing from index.html`);
  return element;
}
