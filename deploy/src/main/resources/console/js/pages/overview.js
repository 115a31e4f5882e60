// Fleet overview: the onboarding funnel, devices by state, the queues, and activity per minute, live.
import { api } from '../api.js';
import { fill, h, newestOnly, sayError, time } from '../dom.js';

const ticket = newestOnly();

const STEPS = [
  ['registered', 'Registered', 'individual enrollments and devices a group admitted'],
  ['provisionRequested', 'Provision requested', 'devices that asked to be provisioned'],
  ['provisioned', 'Provisioned', 'devices given their configuration'],
  ['enrolled', 'Enrolled', 'devices holding a valid certificate'],
  ['connected', 'Connected', 'MQTT connections to this node\'s broker']
];
const SVG = 'http://www.w3.org/2000/svg';

let view = null;
let recent = [];
const RECENT = 12;

function render(main) {
  recent = [];
  view = {
    funnel: h('ol', { class: 'funnel', id: 'funnel', 'aria-label': 'Onboarding funnel' }),
    states: h('dl', { class: 'states', id: 'states' }),
    pending: h('p', { id: 'pending' }),
    chart: h('figure', { class: 'chart', id: 'per-minute' }),
    activity: h('ol', { class: 'activity', id: 'activity' }),
    at: h('small', { class: 'muted' })
  };
  fill(main,
    h('h1', {}, 'Fleet overview ', view.at),
    h('section', { class: 'card wide' }, h('h2', {}, 'Onboarding funnel'), view.funnel),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Devices by state'), view.states, view.pending),
      h('section', { class: 'card' }, h('h2', {}, 'Last 15 minutes'), view.chart)),
    h('section', { class: 'card wide' }, h('h2', {}, 'Live activity'),
      h('p', { class: 'muted' }, 'Audit entries as they happen, newest first.'), view.activity));
  refresh();
  // the latest entries first; the stream adds the ones that follow
  api('GET', '/audit?limit=' + RECENT).then(page => {
    const seen = new Set(recent.map(entry => entry.id));
    recent = recent.concat(page.items.filter(entry => !seen.has(entry.id))).slice(0, RECENT);
    showActivity();
  }, e => sayError('Reading the audit log', e));
}

async function refresh() {
  const newest = ticket();
  let summary;
  try {
    summary = await api('GET', '/fleet/summary');
  } catch (e) {
    sayError('Reading the fleet summary', e);
    return;
  }
  if (!view || !newest()) {
    return;
  }
  fill(view.at, 'as of ' + time(summary.at));
  const top = Math.max(1, ...STEPS.map(([key]) => summary.funnel[key] || 0));
  fill(view.funnel, STEPS.map(([key, label, meaning]) => {
    const value = summary.funnel[key];
    const bar = h('span', { class: 'bar' });
    bar.style.width = (100 * (value || 0) / top) + '%';
    return h('li', { 'data-step': key },
      h('span', { class: 'step', title: meaning }, label),
      h('span', { class: 'track' }, bar),
      h('strong', { class: 'value', 'data-count': key }, value === null ? 'n/a' : String(value)));
  }));
  fill(view.states, Object.entries(summary.devicesByState).flatMap(([state, count]) =>
    [h('dt', {}, state), h('dd', { 'data-state': state }, String(count))]));
  const waiting = summary.pending.provisioning + summary.pending.est;
  fill(view.pending, waiting === 0 ? 'Nobody waits for approval.'
    : h('a', { href: '#/queue' }, waiting + ' waiting for approval (' + summary.pending.provisioning
      + ' provisioning, ' + summary.pending.est + ' EST)'));
  fill(view.chart, chart(summary.perMinute),
    h('figcaption', {}, h('span', { class: 'key key-issued' }), ' certificates issued  ',
      h('span', { class: 'key key-refused' }), ' refusals, per minute'));
}

/** Bars per minute, issued and refused side by side, in SVG drawn here (no chart library). */
function chart(minutes) {
  const width = 600;
  const height = 160;
  const top = Math.max(1, ...minutes.map(m => Math.max(m.certificatesIssued, m.refusals)));
  const slot = width / minutes.length;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (height + 20));
  svg.setAttribute('role', 'img');
  const total = minutes.reduce((sum, m) => sum + m.certificatesIssued, 0);
  const refused = minutes.reduce((sum, m) => sum + m.refusals, 0);
  svg.setAttribute('aria-label', total + ' certificates issued and ' + refused + ' refusals in the last 15 minutes');
  minutes.forEach((m, i) => {
    [[m.certificatesIssued, 'issued', 0], [m.refusals, 'refused', 1]].forEach(([value, kind, offset]) => {
      const bar = document.createElementNS(SVG, 'rect');
      const barHeight = height * value / top;
      bar.setAttribute('x', i * slot + 4 + offset * (slot - 8) / 2);
      bar.setAttribute('y', height - barHeight);
      bar.setAttribute('width', (slot - 8) / 2);
      bar.setAttribute('height', barHeight);
      bar.setAttribute('class', 'bar-' + kind);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = time(m.minute) + ': ' + value + ' ' + kind;
      bar.append(title);
      svg.append(bar);
    });
  });
  [[0, minutes[0]], [minutes.length - 1, minutes[minutes.length - 1]]].forEach(([i, m], end) => {
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', end ? width : 0);
    label.setAttribute('y', height + 16);
    label.setAttribute('text-anchor', end ? 'end' : 'start');
    label.textContent = time(m.minute).slice(11, 16);
    svg.append(label);
  });
  return svg;
}

function onEvent(event) {
  if (!view || event.event !== 'audit') {
    return;
  }
  recent.unshift(event.data);
  recent = recent.slice(0, RECENT);
  showActivity();
}

function showActivity() {
  fill(view.activity, recent.map(entry => h('li', { class: 'outcome-' + entry.outcome },
    h('time', {}, time(entry.at).slice(11)), ' ', h('strong', {}, entry.action), ' ', entry.subject || '', ' ',
    h('span', { class: 'muted' }, entry.outcome + (entry.reason ? ': ' + entry.reason : '')))));
}

export default { title: 'Overview', render, refresh, onEvent };
