// Trust: the device CAs the platform trusts (by purpose) and the CRL sources with their fetch state;
// refresh a source now.
import { api, path } from '../api.js';
import { act, badge, field, fill, h, more, newestOnly, say, sayError, select, short, table, time } from '../dom.js';

const ticket = newestOnly();

let view = null;

function render(main) {
  view = { anchors: h('div', { id: 'anchor-list' }), sources: h('div', { id: 'crl-list' }),
    outcome: h('div', { id: 'refresh-outcome', 'aria-live': 'polite' }) };
  fill(main, h('h1', {}, 'Trust'),
    h('section', { class: 'card wide' }, h('h2', {}, 'Trust anchors'), view.anchors, more('Trust a CA…', anchorForm())),
    h('section', { class: 'card wide' }, h('h2', {}, 'CRL sources'), view.outcome, view.sources,
      more('Add a CRL source…', sourceForm())));
  refresh();
}

async function refresh() {
  const newest = ticket();
  let anchors;
  let sources;
  try {
    [anchors, sources] = await Promise.all([api('GET', '/trust-anchors'), api('GET', '/crl-sources')]);
  } catch (e) {
    sayError('Reading trust', e);
    return;
  }
  if (!newest()) {
    return;
  }
  fill(view.anchors, table([
    { label: 'Name', cell: a => a.name },
    { label: 'Purpose', cell: a => badge(a.purpose) },
    { label: 'Subject', cell: a => a.subject },
    { label: 'Fingerprint', cell: a => short(a.fingerprint, 24) },
    { label: 'Expires', cell: a => time(a.notAfter) },
    { label: '', cell: a => h('button', { type: 'button', class: 'danger', 'aria-label': 'delete trust anchor ' + a.name,
      onclick: async event => {
        if (await act(event.target, 'Deleting ' + a.name, () => api('DELETE', '/trust-anchors/' + path(a.id)).then(() => true))) {
          say('Trust anchor ' + a.name + ' deleted.');
          refresh();
        }
      } }, 'Delete') }
  ], anchors.items, { id: 'anchors', empty: 'No trust anchor: no device can be admitted yet.' }));
  fill(view.sources, table([
    { label: 'Source', cell: s => [s.builtIn ? h('strong', {}, 'platform (built-in) ') : '', h('span', { class: 'mono' }, s.url)] },
    { label: 'Last fetch', cell: s => time(s.lastSuccessAt || s.thisUpdate) },
    { label: 'Next update', cell: s => time(s.nextUpdate) },
    { label: 'State', cell: s => s.stale ? [badge('stale'), ' since ', time(s.staleSince)] : badge('fresh') },
    { label: 'Entries', cell: s => s.entryCount === undefined ? '' : String(s.entryCount) },
    { label: 'Last error', cell: s => s.lastError ? [s.lastError, ' (', String(s.failures), ' failures)'] : '' },
    { label: '', cell: s => h('button', { type: 'button', 'data-action': 'refresh', 'aria-label': 'refresh ' + s.id,
      onclick: async event => {
        const outcome = await act(event.target, 'Refreshing ' + s.url, () => api('POST', '/crl-sources/' + path(s.id) + '/refresh'));
        if (outcome) {
          fill(view.outcome, h('p', { class: outcome.outcome === 'failed' ? 'message message-error' : 'message message-ok' },
            s.url + ': ' + (outcome.outcome || 'done') + (outcome.error ? ' — ' + outcome.error : '')));
          refresh();
        }
      } }, 'Refresh now') }
  ], sources.items, { id: 'crl-sources' }));
}

function anchorForm() {
  const form = h('form', { id: 'anchor-form', class: 'stack' },
    field('Name', h('input', { type: 'text', name: 'name', required: true })),
    field('Purpose', select('purpose', [['ldevid', 'ldevid (customer CA: devices\' LDevIDs)'],
      ['idevid', 'idevid (manufacturer CA: IDevIDs)']], 'ldevid')),
    field('CA certificate (PEM)', h('textarea', { name: 'pem', rows: 4, required: true,
      placeholder: '-----BEGIN CERTIFICATE-----' })),
    h('button', { type: 'submit' }, 'Add trust anchor'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form));
    const created = await act(event.submitter, 'Adding the trust anchor', () => api('POST', '/trust-anchors', body));
    if (created) {
      say('Trust anchor ' + created.name + ' added; every node trusts it now.');
      form.reset();
      refresh();
    }
  });
  return form;
}

function sourceForm() {
  const form = h('form', { id: 'crl-form', class: 'stack' },
    field('URL (http or https)', h('input', { type: 'url', name: 'url', required: true })),
    field('Issuer CA certificate (PEM)', h('textarea', { name: 'issuerPem', rows: 4, required: true })),
    field('Refresh every (seconds)', h('input', { type: 'number', name: 'refreshSeconds', min: 60 })),
    field('When stale', select('stalePolicy', [['keep-last', 'keep the last entries'], ['refuse-all', 'refuse its certificates']], 'keep-last')),
    h('button', { type: 'submit' }, 'Add CRL source'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form));
    if (body.refreshSeconds) {
      body.refreshSeconds = Number(body.refreshSeconds);
    } else {
      delete body.refreshSeconds;
    }
    const created = await act(event.submitter, 'Adding the CRL source', () => api('POST', '/crl-sources', body));
    if (created) {
      say('CRL source ' + created.url + ' added.');
      form.reset();
      refresh();
    }
  });
  return form;
}

export default { title: 'Trust', render, refresh };
