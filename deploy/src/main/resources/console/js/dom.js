// Building the page from data without innerHTML: every text from the API goes in as text, never markup.

/** An element: h('td', {class: 'x', onclick: f}, 'text', child, [more]). */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'value') {
      element.value = value;
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Replaces the content of an element. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A table in a horizontally scrolling box: columns [{label, cell(row)}], one row per item. */
export function table(columns, rows, options = {}) {
  const body = rows.length === 0
    ? [h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, options.empty || 'Nothing here.'))]
    : rows.map(row => h('tr', options.rowAttributes ? options.rowAttributes(row) : {},
      columns.map(column => h('td', { 'data-label': column.label }, column.cell(row)))));
  return h('div', { class: 'table-wrap' },
    h('table', { id: options.id },
      options.caption ? h('caption', {}, options.caption) : null,
      h('thead', {}, h('tr', {}, columns.map(column => h('th', { scope: 'col' }, column.label)))),
      h('tbody', {}, body)));
}

/**
 * For reads that overlap (live events start a new one before the last answered): ticket() marks a read,
 * and its check says whether it is still the newest, so an older answer never overwrites a newer one.
 */
export function newestOnly() {
  let newest = 0;
  return () => {
    const mine = ++newest;
    return () => mine === newest;
  };
}

/** A form or detail shown on demand, so lists stay in view. */
export function more(summary, ...content) {
  return h('details', { class: 'more' }, h('summary', {}, summary), content);
}

/** A label with its control, for forms. */
export function field(label, control, hint) {
  const id = control.id || 'f-' + Math.random().toString(36).slice(2);
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', {}, hint) : null);
}

export function select(name, options, selected) {
  return h('select', { name },
    options.map(([value, label]) => h('option', { value, selected: value === selected }, label)));
}

/** An instant of the API as "2026-12-06 06:40:12Z"; empty for none. */
export function time(iso) {
  if (!iso) {
    return '';
  }
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A long hex value cut for the eye, whole in its tooltip and for copying. */
export function short(hex, keep = 16) {
  if (!hex) {
    return '';
  }
  return hex.length <= keep ? hex : h('span', { title: hex, class: 'mono' }, hex.slice(0, keep) + '…');
}

export function badge(text) {
  return text ? h('span', { class: 'badge badge-' + String(text).replace(/[^a-z-]/g, '') }, text) : '';
}

/** The page's message area: errors stay until the next action, successes fade. */
export function say(text, kind = 'ok') {
  const area = document.getElementById(kind === 'error' ? 'errors' : 'notices');
  const message = h('p', { class: 'message message-' + kind }, text,
    h('button', { type: 'button', class: 'link', 'aria-label': 'dismiss', onclick: () => message.remove() }, '×'));
  area.append(message);
  if (kind !== 'error') {
    setTimeout(() => message.remove(), 6000);
  }
}

/** Says what the API refused or failed, in words a person reads. */
export function sayError(what, error) {
  const status = error.status ? ' (' + error.status + (error.code ? ' ' + error.code : '') + ')' : '';
  say(what + ' failed' + status + ': ' + error.message, 'error');
}

export function clearErrors() {
  document.getElementById('errors').replaceChildren();
}

/** Runs an action for a button: disabled while it runs, errors said. */
export async function act(button, what, work) {
  if (button) {
    button.disabled = true;
  }
  clearErrors();
  try {
    return await work();
  } catch (error) {
    sayError(what, error);
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
    }
  }
}
