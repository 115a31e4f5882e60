// The approval queue: provisioning requests and EST enrollments that wait for an operator, with the
// evidence to decide on; approve or reject one, or many at once.
import { api, path } from '../api.js';
import { act, badge, field, fill, h, newestOnly, say, sayError, short, table, time } from '../dom.js';

const ticket = newestOnly();

let view = null;

function render(main) {
  view = {
    provisioning: h('div', { id: 'provisioning-queue' }),
    est: h('div', { id: 'est-queue' }),
    reason: h('input', { type: 'text', name: 'reason', id: 'reject-reason', maxlength: 256,
      placeholder: 'why, for the audit log and the device' })
  };
  const approveSelected = h('button', { type: 'button', id: 'approve-selected',
    onclick: event => decideSelected(event.target, 'approve') }, 'Approve selected');
  const rejectSelected = h('button', { type: 'button', id: 'reject-selected', class: 'danger',
    onclick: event => decideSelected(event.target, 'reject') }, 'Reject selected');
  fill(main,
    h('h1', {}, 'Approval queue'),
    h('p', { class: 'muted' }, 'Devices that wait for an operator. The device hears the decision at once; ',
      'the list follows without a reload.'),
    h('div', { class: 'toolbar' }, field('Reason for rejections', view.reason), approveSelected, rejectSelected),
    h('section', { class: 'card wide' }, h('h2', {}, 'Provisioning requests'), view.provisioning),
    h('section', { class: 'card wide' }, h('h2', {}, 'EST enrollments'), view.est));
  refresh();
}

async function refresh() {
  const newest = ticket();
  let provisioning;
  let est;
  try {
    [provisioning, est] = await Promise.all([
      api('GET', '/provisioning-requests?status=pending&limit=200'),
      api('GET', '/est-requests?status=pending&limit=200')]);
  } catch (e) {
    sayError('Reading the queue', e);
    return;
  }
  // the device record carries the LDevID's issuer and serial the request was checked against
  const devices = new Map(await Promise.all([...new Set(provisioning.items.map(r => r.deviceId))]
    .map(id => api('GET', '/devices/' + path(id)).then(d => [id, d], () => [id, null]))));
  if (!view || !newest()) {
    return;
  }
  const selected = new Set([...document.querySelectorAll('input[data-select]:checked')].map(c => c.value));
  fill(view.provisioning, table([
    { label: '', cell: r => checkbox('provisioning', r, selected, 'select request of ' + r.deviceId) },
    { label: 'Device', cell: r => h('a', { href: '#/devices/' + encodeURIComponent(r.deviceId) }, r.deviceId) },
    { label: 'Evidence', cell: r => evidence(r, devices.get(r.deviceId)) },
    { label: 'Why it waits', cell: r => r.reason || '' },
    { label: 'Since', cell: r => time(r.createdAt) },
    { label: 'Decide', cell: r => buttons('provisioning', r) }
  ], provisioning.items, {
    id: 'provisioning-requests', empty: 'No provisioning request waits.',
    rowAttributes: r => ({ 'data-device': r.deviceId, 'data-id': r.id })
  }));
  fill(view.est, table([
    { label: '', cell: r => checkbox('est', r, selected, 'select EST request of ' + r.deviceId) },
    { label: 'Device', cell: r => h('a', { href: '#/devices/' + encodeURIComponent(r.deviceId) }, r.deviceId) },
    { label: 'Request', cell: r => [badge(r.operation), ' ', r.profile, h('br'), r.subject,
      h('br'), h('small', {}, 'key ', short(r.publicKeyHash))] },
    { label: 'Why it waits', cell: r => r.reason || 'manual approval profile' },
    { label: 'Since', cell: r => time(r.createdAt) },
    { label: 'Decide', cell: r => buttons('est', r) }
  ], est.items, {
    id: 'est-requests', empty: 'No EST enrollment waits.',
    rowAttributes: r => ({ 'data-device': r.deviceId, 'data-id': r.id })
  }));
}

function evidence(request, device) {
  const lines = [];
  if (device && device.ldevidIssuer) {
    lines.push(['LDevID issuer', device.ldevidIssuer], ['LDevID serial', device.ldevidSerial]);
  }
  lines.push(['LDevID fingerprint', short(request.ldevidFingerprint, 24)], ['IDevID serial', request.idevidSerial],
    ['HW module serial', request.hwmoduleSerial],
    request.enrollmentId ? ['enrollment', request.enrollmentId] : ['group', request.groupId]);
  return h('dl', { class: 'evidence' }, lines.filter(([, value]) => value)
    .flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

function checkbox(kind, request, selected, label) {
  return h('input', { type: 'checkbox', 'data-select': kind, value: kind + ':' + request.id, 'aria-label': label,
    checked: selected.has(kind + ':' + request.id) });
}

function buttons(kind, request) {
  return h('span', { class: 'actions' },
    h('button', { type: 'button', 'data-action': 'approve', 'aria-label': 'approve ' + request.deviceId,
      onclick: event => decideOne(event.target, kind, request, 'approve') }, 'Approve'),
    h('button', { type: 'button', class: 'danger', 'data-action': 'reject', 'aria-label': 'reject ' + request.deviceId,
      onclick: event => decideOne(event.target, kind, request, 'reject') }, 'Reject'));
}

function decision(kind, id, verdict) {
  const base = kind === 'est' ? '/est-requests/' : '/provisioning-requests/';
  const reason = view.reason.value.trim();
  return api('POST', base + path(id) + '/' + verdict, verdict === 'reject' ? { reason: reason || 'rejected by an operator' } : null);
}

async function decideOne(button, kind, request, verdict) {
  const done = await act(button, (verdict === 'approve' ? 'Approving ' : 'Rejecting ') + request.deviceId,
    () => decision(kind, request.id, verdict).then(() => true));
  if (done) {
    say(request.deviceId + (verdict === 'approve' ? ' approved.' : ' rejected.'));
    refresh();
  }
}

async function decideSelected(button, verdict) {
  const chosen = [...document.querySelectorAll('input[data-select]:checked')].map(c => c.value.split(':'));
  if (chosen.length === 0) {
    say('Select requests first (the boxes in the first column).', 'error');
    return;
  }
  button.disabled = true;
  const outcomes = await Promise.allSettled(chosen.map(([kind, id]) => decision(kind, id, verdict)));
  button.disabled = false;
  const failed = outcomes.filter(o => o.status === 'rejected');
  if (failed.length < outcomes.length) {
    say((outcomes.length - failed.length) + ' of ' + outcomes.length + (verdict === 'approve' ? ' approved.' : ' rejected.'));
  }
  failed.forEach(o => sayError('A decision', o.reason));
  refresh();
}

export default { title: 'Approval queue', render, refresh };
