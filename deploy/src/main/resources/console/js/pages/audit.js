// The audit log: who did what, when. Filter by actor, subject (device, serial, ...), action, outcome and
// time; newest first, more on demand, new entries shown as they happen.
import { api, query } from '../api.js';
import { field, fill, h, newestOnly, sayError, select } from '../dom.js';
import { auditTable } from './devices.js';

let view = null;

function render(main) {
  const filters = h('form', { class: 'toolbar', id: 'audit-filters', role: 'search' },
    field('Actor', h('input', { type: 'text', name: 'actor' })),
    field('Subject (device, serial, id)', h('input', { type: 'text', name: 'subject' })),
    field('Action', h('input', { type: 'text', name: 'action', list: 'audit-actions', placeholder: 'certificate.revoke' })),
    h('datalist', { id: 'audit-actions' }, ['provisioning.request', 'provisioning.approve', 'provisioning.reject',
      'certificate.revoke', 'enrollment.import', 'enrollment.create', 'device.disable', 'device.enable', 'device.retire',
      'est.simpleenroll', 'est.simplereenroll', 'command.send', 'mqtt.connect', 'api.authenticate', 'trust-anchor.create', 'crl-source.refresh']
      .map(a => h('option', { value: a }))),
    field('Outcome', select('outcome', [['', 'any'], ['succeeded', 'succeeded'], ['refused', 'refused'], ['failed', 'failed']], '')),
    field('Since (UTC)', h('input', { type: 'datetime-local', name: 'since', step: 1 })),
    h('button', { type: 'submit' }, 'Filter'));
  const results = h('div', { id: 'audit-list' });
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(true) }, 'More');
  let entries = [];
  let cursor = null;
  let pages = 1;
  const ticket = newestOnly();
  filters.addEventListener('submit', event => {
    event.preventDefault();
    load(false);
  });
  async function load(next) {
    const form = new FormData(filters);
    const since = form.get('since');
    const newest = ticket();
    let page;
    try {
      page = await api('GET', '/audit' + query({ subject: form.get('subject').trim(), action: form.get('action').trim(),
        outcome: form.get('outcome'), since: since ? new Date(since + 'Z').toISOString() : null,
        cursor: next ? cursor : null, limit: 100 }));
    } catch (e) {
      sayError('Reading the audit log', e);
      return;
    }
    if (!newest()) {
      return;
    }
    // the API filters all but the actor; the actor is matched on the entries read
    const actor = form.get('actor').trim();
    const found = actor ? page.items.filter(e => e.actor === actor) : page.items;
    entries = next ? entries.concat(found) : found;
    pages = next ? pages + 1 : 1;
    cursor = page.nextCursor;
    more.hidden = !cursor;
    fill(results, auditTable(entries, 'audit'));
  }
  // live: the first page is read again when something happens, unless the operator paged further
  view = { refresh: () => pages === 1 ? load(false) : null };
  fill(main, h('h1', {}, 'Audit log'), filters, results, more);
  load(false);
}

function refresh() {
  if (view) {
    view.refresh();
  }
}

export default { title: 'Audit log', render, refresh };
