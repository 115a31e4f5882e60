// The console's only way to the platform: /api/v1 with the operator's bearer token, like curl.
// The token lives in sessionStorage: gone when the browser tab or window closes, never in a URL.

const TOKEN_KEY = 'zto.token';

/** A refusal or failure of the API, with its status, code word and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

let onUnauthorized = () => {};

/** Called when the API refuses the token (401): the console signs out and says why. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/**
 * Calls the API; resolves to the JSON answer (null for 204), rejects with an ApiError saying what the
 * API said, or that it could not be reached.
 */
export async function api(method, path, body, type = 'application/json', bearer = token()) {
  const headers = { Authorization: 'Bearer ' + bearer, Accept: 'application/json' };
  let payload;
  if (body !== undefined && body !== null) {
    headers['Content-Type'] = type;
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch('/api/v1' + path, { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'The platform did not answer (' + e.message + '). Is the node running?');
  }
  if (response.status === 204) {
    return null;
  }
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, json && json.error || 'error',
      json && json.message || 'the API answered ' + response.status);
    if (response.status === 401 && bearer === token()) {
      onUnauthorized(error);
    }
    throw error;
  }
  return json;
}

/** A query string of the non-empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) {
      search.set(name, value);
    }
  }
  const text = search.toString();
  return text ? '?' + text : '';
}

export function path(...segments) {
  return segments.map(s => encodeURIComponent(s)).join('/');
}

/**
 * Reads GET /api/v1/events (server-sent events) with fetch(), so the token goes in the Authorization
 * header; reconnects after a pause until stop() is called. onEvent gets {event, id, data}; onState
 * gets 'live' or 'reconnecting'.
 */
export function listen(onEvent, onState) {
  let stopped = false;
  let controller = null;
  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('/api/v1/events', {
          headers: { Authorization: 'Bearer ' + token(), Accept: 'text/event-stream' },
          cache: 'no-store', signal: controller.signal
        });
        if (response.status === 401) {
          onUnauthorized(new ApiError(401, 'unauthorized', 'the API refused the token'));
          return;
        }
        if (!response.ok || !response.body) {
          throw new Error('events answered ' + response.status);
        }
        onState('live');
        await read(response.body, onEvent);
      } catch (e) {
        if (stopped) {
          return;
        }
      }
      onState('reconnecting');
      await new Promise(resolve => setTimeout(resolve, 3000));
    }
  }
  connect();
  return {
    stop() {
      stopped = true;
      if (controller) {
        controller.abort();
      }
    }
  };
}

async function read(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: 'message', id: null, data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) {
          event.event = line.slice(7);
        } else if (line.startsWith('id: ')) {
          event.id = line.slice(4);
        } else if (line.startsWith('data: ')) {
          event.data += line.slice(6);
        }
      }
      if (event.data) {
        try {
          event.data = JSON.parse(event.data);
          onEvent(event);
        } catch (e) {
          // not JSON: not one of ours, ignored
        }
      }
    }
  }
}
