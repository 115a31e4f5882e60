// The console's shell: sign in and out, the page router (#/page/argument), and the live event stream
// that tells the page on screen to read the API again.
import { api, forgetToken, keepToken, listen, token, whenUnauthorized } from './api.js';
import { fill, h, say } from './dom.js';
import overview from './pages/overview.js';
import queue from './pages/queue.js';
import devices from './pages/devices.js';
import enrollments from './pages/enrollments.js';
import trust from './pages/trust.js';
import audit from './pages/audit.js';

const PAGES = { overview, queue, devices, enrollments, trust, audit };
const REFRESH_AFTER_EVENT_MS = 500;

const main = document.getElementById('main');
let current = null;
let stream = null;
let refreshTimer = null;

function signInPage(reason) {
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('live').textContent = '';
  const input = h('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'current-password',
    required: true, spellcheck: 'false' });
  const error = h('p', { id: 'sign-in-error', class: 'message message-error', role: 'alert', hidden: !reason },
    reason || '');
  const form = h('form', { class: 'sign-in', id: 'sign-in' },
    h('h1', {}, 'Sign in to the zto console'),
    h('p', {}, 'Paste the operator token: the admin-token file in the node\'s data directory. ',
      'It is kept for this browser tab only.'),
    h('label', { for: 'token' }, 'Operator token'), input, error,
    h('button', { type: 'submit', id: 'sign-in-button' }, 'Sign in'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const candidate = input.value.trim();
    try {
      await api('GET', '/fleet/summary', null, undefined, candidate);
    } catch (e) {
      error.hidden = false;
      error.textContent = e.status === 401
        ? 'The token was refused (401): ' + e.message
        : 'Could not sign in: ' + e.message;
      input.select();
      return;
    }
    keepToken(candidate);
    if (!location.hash || location.hash === '#/sign-in') {
      location.hash = '#/overview';
    }
    start();
  });
  fill(main, form);
  input.focus();
}

function signOut(reason) {
  if (stream) {
    stream.stop();
    stream = null;
  }
  forgetToken();
  current = null;
  signInPage(reason);
}

function start() {
  document.getElementById('nav').hidden = false;
  document.getElementById('sign-out').hidden = false;
  if (!stream) {
    stream = listen(onEvent, state => {
      const live = document.getElementById('live');
      live.textContent = state === 'live' ? '● live' : '○ reconnecting…';
      live.className = 'live live-' + state;
    });
  }
  route();
}

function onEvent(event) {
  if (current && current.page.onEvent) {
    current.page.onEvent(event);
  }
  // the page reads the API again, at most twice a second while a fleet powers on
  if (!refreshTimer) {
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      updateQueueCount();
      if (current && current.page.refresh) {
        current.page.refresh();
      }
    }, REFRESH_AFTER_EVENT_MS);
  }
}

async function updateQueueCount() {
  try {
    const summary = await api('GET', '/fleet/summary');
    const waiting = summary.pending.provisioning + summary.pending.est;
    document.getElementById('queue-count').textContent = waiting ? String(waiting) : '';
  } catch (e) {
    // the page on screen says what failed
  }
}

function route() {
  if (!token()) {
    signInPage();
    return;
  }
  const [name, ...rest] = (location.hash.replace(/^#\/?/, '') || 'overview').split('/');
  const page = PAGES[name] || overview;
  for (const link of document.querySelectorAll('#nav a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === '#/' + (PAGES[name] ? name : 'overview'));
  }
  // messages belong to the page they were said on
  document.getElementById('errors').replaceChildren();
  document.getElementById('notices').replaceChildren();
  current = { page };
  const argument = rest.length ? decodeURIComponent(rest.join('/')) : null;
  document.title = page.title + ' · zto console';
  fill(main);
  page.render(main, argument);
  main.focus({ preventScroll: true });
  updateQueueCount();
}

whenUnauthorized(error => signOut('The API refused the token (401): ' + error.message + '. Sign in again.'));
document.getElementById('sign-out').addEventListener('click', () => {
  signOut();
  say('Signed out; the token is forgotten by this tab.');
});
window.addEventListener('hashchange', () => {
  if (token()) {
    route();
  }
});
if (token()) {
  start();
} else {
  signInPage();
}
