// Devices: search and filter the fleet; a device's detail with its certificates (revoke), its commands
// (send one, see the reply), disable, enable, retire, and its audit trail.
import { api, path, query } from '../api.js';
import { act, badge, field, fill, h, newestOnly, say, sayError, select, short, table, time } from '../dom.js';

const STATES = [['', 'any state'], ['unknown', 'unknown'], ['pending', 'pending'], ['provisioned', 'provisioned'],
  ['disabled', 'disabled'], ['retired', 'retired']];
const REASONS = ['keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged', 'privilegeWithdrawn',
  'unspecified'];

let view = null;

function render(main, id) {
  if (id) {
    renderDevice(main, id);
  } else {
    renderList(main);
  }
}

function refresh() {
  if (view && view.refresh) {
    view.refresh();
  }
}

// ---- the list

function renderList(main) {
  const filters = h('form', { class: 'toolbar', id: 'device-filters', role: 'search' },
    field('Device id contains', h('input', { type: 'search', name: 'id', id: 'filter-id' })),
    field('State', select('state', STATES, '')),
    field('Tenant', h('input', { type: 'text', name: 'tenant' })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'renewalDue' }), ' renewal due'),
    h('button', { type: 'submit' }, 'Search'));
  const results = h('div', { id: 'device-list' });
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(true) }, 'More');
  let items = [];
  let cursor = null;
  const ticket = newestOnly();
  filters.addEventListener('submit', event => {
    event.preventDefault();
    load(false);
  });
  async function load(next) {
    const form = new FormData(filters);
    const newest = ticket();
    try {
      const page = await api('GET', '/devices' + query({ state: form.get('state'), tenant: form.get('tenant').trim(),
        cursor: next ? cursor : null, limit: 200 }));
      let found = page.items;
      const text = form.get('id').trim().toLowerCase();
      if (text) {
        found = found.filter(d => d.id.toLowerCase().includes(text));
      }
      if (form.get('renewalDue')) {
        const due = await api('GET', '/certificates?renewalDue=true&limit=500');
        const ids = new Set(due.items.map(c => c.deviceId));
        found = found.filter(d => ids.has(d.id));
      }
      if (!newest()) {
        return;
      }
      items = next ? items.concat(found) : found;
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (e) {
      sayError('Searching devices', e);
      return;
    }
    fill(results, table([
      { label: 'Device', cell: d => h('a', { href: '#/devices/' + encodeURIComponent(d.id) }, d.id) },
      { label: 'State', cell: d => badge(d.state) },
      { label: 'Tenant', cell: d => d.tenant },
      { label: 'Enrollment / group', cell: d => d.enrollmentId || d.groupId || '' },
      { label: 'Provisioned', cell: d => time(d.provisionedAt) },
      { label: 'Updated', cell: d => time(d.updatedAt) }
    ], items, { id: 'devices', empty: 'No device matches.', rowAttributes: d => ({ 'data-device': d.id }) }));
  }
  view = { refresh: () => load(false) };
  fill(main, h('h1', {}, 'Devices'), filters, results, more);
  load(false);
}

// ---- one device

function renderDevice(main, id) {
  const header = h('div', { id: 'device-header' });
  const certificates = h('div', { id: 'certificates' });
  const commands = h('div', { id: 'commands' });
  const trail = h('div', { id: 'device-audit' });
  // what the operator chose in the page survives the live re-reads
  const reasons = new Map();
  // an open retirement question stays open when a live update redraws the header
  const retiring = { open: false };
  let shown = null;
  const ticket = newestOnly();
  const name = h('input', { type: 'text', name: 'name', required: true, value: 'ping', maxlength: 64 });
  const args = h('input', { type: 'text', name: 'args', placeholder: '{"key": "value"}' });
  const commandForm = h('form', { class: 'toolbar', id: 'command-form' },
    field('Command', name), field('Arguments (JSON)', args), h('button', { type: 'submit' }, 'Send command'));
  commandForm.addEventListener('submit', async event => {
    event.preventDefault();
    let parsed = {};
    if (args.value.trim()) {
      try {
        parsed = JSON.parse(args.value);
      } catch (e) {
        say('Arguments must be a JSON object like {"delay": 5}: ' + e.message, 'error');
        return;
      }
    }
    const sent = await act(event.submitter, 'Sending ' + name.value,
      () => api('POST', '/devices/' + path(id) + '/commands', { name: name.value.trim(), args: parsed }));
    if (sent) {
      say('Command ' + sent.name + ' sent (' + sent.status + ').');
      load();
    }
  });
  async function load() {
    const newest = ticket();
    let device;
    let certs;
    let sent;
    let entries;
    try {
      [device, certs, sent] = await Promise.all([api('GET', '/devices/' + path(id)),
        api('GET', '/certificates' + query({ deviceId: id, limit: 100 })),
        api('GET', '/devices/' + path(id) + '/commands?limit=20')]);
      // the trail: entries about the device, and about its certificates (revocations name the serial)
      const subjects = [id, ...certs.items.slice(0, 5).map(c => c.serial)];
      const pages = await Promise.all(subjects.map(s => api('GET', '/audit' + query({ subject: s, limit: 50 }))));
      entries = pages.flatMap(p => p.items).sort((a, b) => b.id - a.id).slice(0, 50);
    } catch (e) {
      sayError('Reading device ' + id, e);
      return;
    }
    if (!newest()) {
      return;
    }
    // live events re-read the device often; the page is rebuilt only when something changed
    const signature = JSON.stringify([device, certs.items, sent.items, entries]);
    if (signature === shown) {
      return;
    }
    shown = signature;
    fill(header, deviceHeader(device, load, retiring));
    fill(certificates, table([
      { label: 'Serial', cell: c => h('span', { class: 'mono' }, c.serial) },
      { label: 'Status', cell: c => [badge(c.status), c.revocationReason ? ' ' + c.revocationReason : ''] },
      { label: 'Valid from', cell: c => time(c.notBefore) },
      { label: 'Expires', cell: c => [time(c.notAfter), c.renewal && c.renewal.due ? [' ', badge('renewal-due')] : ''] },
      { label: 'Profile', cell: c => c.profile },
      { label: 'Revoke', cell: c => c.status === 'valid' ? revokeControls(c, reasons, load) : '' }
    ], certs.items, { id: 'certificate-table', empty: 'No certificate issued yet.',
      rowAttributes: c => ({ 'data-serial': c.serial }) }));
    fill(commands, table([
      { label: 'Command', cell: c => c.name },
      { label: 'Status', cell: c => badge(c.status) },
      { label: 'Sent', cell: c => time(c.createdAt) },
      { label: 'Reply', cell: c => c.result ? h('code', {}, JSON.stringify(c.result)) : '' }
    ], sent.items, { id: 'command-table', empty: 'No command sent yet.' }));
    fill(trail, auditTable(entries, 'device-trail'));
  }
  view = { refresh: load };
  fill(main, h('p', {}, h('a', { href: '#/devices' }, '← all devices')), header,
    h('section', { class: 'card wide' }, h('h2', {}, 'Certificates'), certificates),
    h('section', { class: 'card wide' }, h('h2', {}, 'Commands'), commandForm, commands),
    h('section', { class: 'card wide' }, h('h2', {}, 'Audit trail'), trail));
  load();
}

function deviceHeader(device, reload, retiring) {
  const facts = [['State', badge(device.state)], ['Tenant', device.tenant],
    ['Enrollment', device.enrollmentId], ['Group', device.groupId], ['LDevID issuer', device.ldevidIssuer],
    ['LDevID serial', device.ldevidSerial], ['LDevID fingerprint', short(device.ldevidFingerprint, 24)],
    ['IDevID serial', device.idevidSerial], ['Provisioned', time(device.provisionedAt)],
    ['Last seen', time(device.lastSeenAt)], ['Updated', time(device.updatedAt)]];
  const actions = h('div', { class: 'toolbar', id: 'device-actions' });
  const act1 = (label, verb, method, cls) => h('button', { type: 'button', class: cls, 'data-action': verb,
    onclick: event => lifecycle(event.target, device.id, label, verb, method, reload) }, label);
  if (device.state === 'disabled') {
    actions.append(act1('Enable', 'enable', 'POST'));
  } else if (device.state !== 'retired') {
    actions.append(act1('Disable', 'disable', 'POST', 'danger'));
  }
  if (device.state !== 'retired') {
    actions.append(h('button', { type: 'button', class: 'danger', 'data-action': 'retire',
      onclick: () => confirmRetire(actions, device, reload, retiring, true) }, 'Retire…'));
    if (retiring.open) {
      confirmRetire(actions, device, reload, retiring, false);
    }
  }
  return [h('h1', {}, 'Device ', h('span', { class: 'mono', id: 'device-id' }, device.id), ' ', badge(device.state)),
    device.pending ? h('p', { class: 'message message-warn', id: 'device-pending' },
      'Waits for approval since ' + time(device.pending.since) + ': ' + device.pending.reason + ' ',
      h('a', { href: '#/queue' }, 'decide in the queue')) : null,
    h('dl', { class: 'facts' }, facts.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    actions];
}

async function lifecycle(button, id, label, verb, method, reload) {
  const path1 = '/devices/' + path(id) + (verb === 'retire' ? '' : '/' + verb);
  const done = await act(button, label + ' ' + id, () => api(method, path1).then(() => true));
  if (done) {
    say(id + ': ' + label.toLowerCase() + 'd.');
    reload();
  }
}

function confirmRetire(actions, device, reload, retiring, focus) {
  if (actions.querySelector('.confirm')) {
    return;
  }
  retiring.open = true;
  const box = h('div', { class: 'confirm', role: 'group', 'aria-label': 'confirm retirement' },
    'Retire ' + device.id + '? Its certificates are revoked, its credentials deleted and its enrollment closed. ',
    h('button', { type: 'button', class: 'danger', 'data-action': 'retire-confirm',
      onclick: event => lifecycle(event.target, device.id, 'Retire', 'retire', 'DELETE', reload) }, 'Retire'),
    h('button', { type: 'button', onclick: () => {
      retiring.open = false;
      box.remove();
    } }, 'Cancel'));
  actions.append(box);
  if (focus) {
    box.querySelector('button').focus();
  }
}

function revokeControls(cert, reasons, reload) {
  const reason = select('reason', REASONS.map(r => [r, r]), reasons.get(cert.serial) || 'keyCompromise');
  reason.setAttribute('aria-label', 'revocation reason for ' + cert.serial);
  reason.addEventListener('change', () => reasons.set(cert.serial, reason.value));
  return h('span', { class: 'actions' }, reason, h('button', { type: 'button', class: 'danger', 'data-action': 'revoke',
    onclick: async event => {
      const revoked = await act(event.target, 'Revoking ' + cert.serial,
        () => api('POST', '/certificates/' + path(cert.serial) + '/revoke', { reason: reason.value }));
      if (revoked) {
        say('Certificate ' + cert.serial + ' revoked (' + revoked.revocationReason + ').');
        reload();
      }
    } }, 'Revoke'));
}

/** Audit entries as a table (shared with the audit page). */
export function auditTable(entries, id) {
  return table([
    { label: 'When', cell: e => time(e.at) },
    { label: 'Actor', cell: e => e.actor },
    { label: 'Action', cell: e => e.action },
    { label: 'Subject', cell: e => e.subject || '' },
    { label: 'Outcome', cell: e => badge(e.outcome) },
    { label: 'Reason', cell: e => e.reason || '' }
  ], entries, { id, empty: 'No audit entry.', rowAttributes: e => ({ 'data-entry': e.action, 'data-outcome': e.outcome }) });
}

export default { title: 'Devices', render, refresh };
