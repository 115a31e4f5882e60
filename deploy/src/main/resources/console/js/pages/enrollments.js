// Enrollments and groups: who may be provisioned. List, create one, import many (JSON lines or CSV,
// with each bad line's error shown), enable, disable, delete.
import { api, path } from '../api.js';
import { act, badge, field, fill, h, more, newestOnly, say, sayError, select, table, time } from '../dom.js';

const ticket = newestOnly();

const APPROVAL = [['auto', 'automatic'], ['manual', 'manual (an operator approves)']];
const REPROVISION = [['allow', 'allow'], ['manual', 'manual'], ['never', 'never']];

let view = null;

function render(main) {
  view = {
    enrollments: h('div', { id: 'enrollment-list' }),
    groups: h('div', { id: 'group-list' }),
    importResult: h('div', { id: 'import-result', 'aria-live': 'polite' }),
    anchors: []
  };
  fill(main, h('h1', {}, 'Enrollments and groups'),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Import a file'), importForm(), view.importResult),
      h('section', { class: 'card' }, h('h2', {}, 'Register one device'),
        h('p', { class: 'muted' }, 'By device id, IDevID serial, HardwareModuleName serial or LDevID fingerprint.'),
        more('Register a device…', enrollmentForm()))),
    h('section', { class: 'card wide' }, h('h2', {}, 'Enrollments'), view.enrollments),
    h('section', { class: 'card wide' }, h('h2', {}, 'Groups'), view.groups, more('Create a group…', groupForm())));
  refresh();
}

async function refresh() {
  const newest = ticket();
  let enrollments;
  let groups;
  let anchors;
  try {
    [enrollments, groups, anchors] = await Promise.all([api('GET', '/enrollments?limit=500'),
      api('GET', '/enrollment-groups?limit=500'),
      api('GET', '/trust-anchors?purpose=ldevid').then(list => list.items)]);
  } catch (e) {
    sayError('Reading enrollments', e);
    return;
  }
  if (!newest()) {
    return;
  }
  view.anchors = anchors;
  const anchorSelect = document.getElementById('group-anchor');
  if (anchorSelect && anchorSelect.options.length !== view.anchors.length) {
    fill(anchorSelect, view.anchors.map(a => h('option', { value: a.id }, a.name + ' (' + a.subject + ')')));
  }
  fill(view.enrollments, table([
    { label: 'Device', cell: e => e.deviceId ? h('a', { href: '#/devices/' + encodeURIComponent(e.deviceId) }, e.deviceId) : '' },
    { label: 'Other identifiers', cell: e => [e.idevidSerial && 'IDevID ' + e.idevidSerial,
      e.hwmoduleSerial && 'HW ' + e.hwmoduleSerial, e.ldevidFingerprint && 'LDevID ' + e.ldevidFingerprint.slice(0, 16) + '…']
      .filter(Boolean).join(', ') },
    { label: 'Tenant', cell: e => e.tenant },
    { label: 'Approval', cell: e => e.approval },
    { label: 'Re-provision', cell: e => e.reprovisionPolicy },
    { label: 'Status', cell: e => badge(e.status) },
    { label: 'Provisioned', cell: e => String(e.provisionCount) + (e.maxProvisionings != null ? ' of ' + e.maxProvisionings : '') },
    { label: 'Created', cell: e => time(e.createdAt) },
    { label: 'Actions', cell: e => switches('/enrollments/', e, e.deviceId || e.id) }
  ], enrollments.items, { id: 'enrollments', empty: 'No enrollment yet.', rowAttributes: e => ({ 'data-device': e.deviceId || '' }) }));
  const anchorName = new Map(view.anchors.map(a => [a.id, a.name]));
  fill(view.groups, table([
    { label: 'Name', cell: g => g.name },
    { label: 'Trust anchor', cell: g => anchorName.get(g.trustAnchor) || g.trustAnchor },
    { label: 'Tenant', cell: g => g.tenant },
    { label: 'Approval', cell: g => g.approval },
    { label: 'Status', cell: g => badge(g.status) },
    { label: 'Provisioned', cell: g => String(g.provisionCount) },
    { label: 'Actions', cell: g => switches('/enrollment-groups/', g, g.name) }
  ], groups.items, { id: 'groups', empty: 'No group yet.' }));
}

function switches(base, item, label) {
  const toggle = item.status === 'enabled' ? 'disable' : 'enable';
  return h('span', { class: 'actions' },
    h('button', { type: 'button', 'data-action': toggle, 'aria-label': toggle + ' ' + label, onclick: async event => {
      if (await act(event.target, toggle + ' ' + label, () => api('POST', base + path(item.id) + '/' + toggle).then(() => true))) {
        say(label + ': ' + toggle + 'd.');
        refresh();
      }
    } }, toggle === 'disable' ? 'Disable' : 'Enable'),
    h('button', { type: 'button', class: 'danger', 'data-action': 'delete', 'aria-label': 'delete ' + label,
      onclick: async event => {
        if (await act(event.target, 'Deleting ' + label, () => api('DELETE', base + path(item.id)).then(() => true))) {
          say(label + ' deleted.');
          refresh();
        }
      } }, 'Delete'));
}

function importForm() {
  const file = h('input', { type: 'file', name: 'file', id: 'import-file', accept: '.jsonl,.ndjson,.json,.csv,text/csv',
    required: true });
  const form = h('form', { id: 'import-form' },
    h('p', { class: 'muted' }, 'JSON lines (one enrollment object a line) or CSV with a header line naming the ',
      'fields. Each line stands alone: bad lines are listed, the others imported.'),
    field('File', file), h('button', { type: 'submit', id: 'import-button' }, 'Import'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) {
      say('Choose a file first.', 'error');
      return;
    }
    const csv = chosen.name.toLowerCase().endsWith('.csv') || chosen.type === 'text/csv';
    const text = await chosen.text();
    const result = await act(event.submitter, 'Importing ' + chosen.name,
      () => api('POST', '/enrollments:import', text, csv ? 'text/csv' : 'application/x-ndjson'));
    if (!result) {
      return;
    }
    fill(view.importResult,
      h('p', { class: result.failed ? 'message message-warn' : 'message message-ok', id: 'import-summary' },
        chosen.name + ': ' + result.imported + ' imported, ' + result.failed + ' failed.'),
      result.errors.length ? h('ul', { id: 'import-errors', class: 'errors' },
        result.errors.map(e => h('li', { 'data-line': e.line }, h('strong', {}, 'line ' + e.line + ': '), e.message))) : null);
    refresh();
  });
  return form;
}

function enrollmentForm() {
  const form = h('form', { id: 'enrollment-form' },
    field('Device id', h('input', { type: 'text', name: 'deviceId', pattern: '[A-Za-z0-9._\\-]{1,64}' })),
    field('IDevID serial', h('input', { type: 'text', name: 'idevidSerial' })),
    field('HardwareModuleName serial', h('input', { type: 'text', name: 'hwmoduleSerial' })),
    field('LDevID fingerprint (SHA-256 hex)', h('input', { type: 'text', name: 'ldevidFingerprint', pattern: '[0-9a-f]{64}' })),
    field('Tenant', h('input', { type: 'text', name: 'tenant' })),
    field('Approval', select('approval', APPROVAL, 'auto')),
    field('Re-provisioning after revocation', select('reprovisionPolicy', REPROVISION, 'allow')),
    field('Most provisionings', h('input', { type: 'number', name: 'maxProvisionings', min: 0 })),
    h('button', { type: 'submit' }, 'Register'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const body = values(form);
    if (body.maxProvisionings) {
      body.maxProvisionings = Number(body.maxProvisionings);
    }
    const created = await act(event.submitter, 'Registering', () => api('POST', '/enrollments', body));
    if (created) {
      say('Registered ' + (created.deviceId || created.id) + '.');
      form.reset();
      refresh();
    }
  });
  return form;
}

function groupForm() {
  const form = h('form', { id: 'group-form', class: 'toolbar' },
    field('Name', h('input', { type: 'text', name: 'name', required: true, maxlength: 128 })),
    field('Trust anchor (LDevID CA)', h('select', { name: 'trustAnchor', id: 'group-anchor', required: true })),
    field('Tenant', h('input', { type: 'text', name: 'tenant' })),
    field('Approval', select('approval', APPROVAL, 'manual')),
    h('button', { type: 'submit' }, 'Create group'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const created = await act(event.submitter, 'Creating the group', () => api('POST', '/enrollment-groups', values(form)));
    if (created) {
      say('Group ' + created.name + ' created.');
      form.reset();
      refresh();
    }
  });
  return form;
}

/** The form's non-empty fields. */
function values(form) {
  const body = {};
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim() !== '') {
      body[name] = String(value).trim();
    }
  }
  return body;
}

export default { title: 'Enrollments', render, refresh };
