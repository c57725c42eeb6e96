// The operators' dashboard: reads the controller's REST API with an operator token and follows its
// event stream, which only says which views (hosts, images, endpoints) are stale; those are read
// again. No framework, no build step; every value from the API is inserted as text, never as HTML.
'use strict';

const TOKEN_KEY = 'imagelib.operatorToken';
const STATUSES = ['ok', 'missing', 'no-access', 'cannot-delete', 'corrupt', 'offline'];
const VIEWS = { hosts: '/api/v1/hosts', images: '/api/v1/images', endpoints: '/api/v1/endpoints' };
const MAX_ROWS = 2000;
const MAX_RETRY_MS = 15000;

const state = { hosts: [], images: [], endpoints: [] };
const stale = new Set();
let refreshing = null;
let source = null;
let retryMs = 1000;
let retryTimer = null;

const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, method = 'GET') {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, { method, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.message ? [].concat(body.message).join('; ') : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body;
}

// ---- login ----

async function logIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  $('login-error').hidden = true;
  try {
    await Promise.all(Object.keys(VIEWS).map(load));
  } catch (error) {
    logOut(error.status === 401 ? `Login failed: ${error.message}` : `Cannot reach the controller: ${error.message}`);
    return;
  }
  $('login').hidden = true;
  $('main').hidden = false;
  $('logout').hidden = false;
  render();
  connect();
}

function logOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  disconnect();
  setLive('off', 'not connected');
  $('main').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('token').value = '';
  $('login-error').hidden = !message;
  $('login-error').textContent = message || '';
}

// ---- live updates ----

/** Trades the token for a single-use ticket (EventSource cannot send headers) and opens the stream. */
async function connect() {
  disconnect();
  setLive('wait', 'connecting…');
  let ticket;
  try {
    ticket = (await api('/api/v1/events/tickets', 'POST')).ticket;
  } catch (error) {
    if (error.status === 401) return logOut(`Logged out: ${error.message}`);
    return reconnectLater();
  }
  source = new EventSource(`/api/v1/events?ticket=${encodeURIComponent(ticket)}`);
  source.addEventListener('hello', (event) => {
    retryMs = 1000;
    setLive('on', 'live');
    markStale(JSON.parse(event.data).views);
  });
  source.addEventListener('change', (event) => markStale(JSON.parse(event.data).views));
  // The stream ended (controller restarted, stream lifetime over, network): the ticket is spent, get a new one.
  source.onerror = () => reconnectLater();
}

function disconnect() {
  if (source) source.close();
  source = null;
  clearTimeout(retryTimer);
}

function reconnectLater() {
  disconnect();
  setLive('wait', 'reconnecting…');
  retryTimer = setTimeout(connect, retryMs);
  retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
}

function setLive(kind, text) {
  $('live').className = `live live-${kind}`;
  $('live').textContent = text;
}

/** Reads the stale views again, one round at a time; changes during a round make one more round. */
function markStale(views) {
  for (const view of views) if (VIEWS[view]) stale.add(view);
  refreshing ??= (async () => {
    while (stale.size > 0) {
      const views = [...stale];
      stale.clear();
      try {
        await Promise.all(views.map(load));
        showError('');
      } catch (error) {
        if (error.status === 401) return logOut(`Logged out: ${error.message}`);
        showError(`Could not refresh ${views.join(', ')}: ${error.message}`);
      }
      render();
    }
  })().finally(() => {
    refreshing = null;
  });
}

async function load(view) {
  const body = await api(VIEWS[view]);
  state[view] = view === 'endpoints' ? body.catalog.flatMap((service) => service.endpoints) : body;
}

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message;
}

// ---- rendering ----

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key === 'title') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of [].concat(children)) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const badge = (text, kind, title) => el('span', { class: `badge ${kind}`, text, ...(title ? { title } : {}) });
const table = (id, headings, rows) => $(id).replaceChildren(el('thead', {}, el('tr', {}, headings.map((h) => el('th', { text: h })))), el('tbody', {}, rows));

function filters() {
  return { image: $('filter-image').value.trim().toLowerCase(), host: $('filter-host').value, problems: $('filter-problems').checked };
}

function render() {
  const f = filters();
  renderHostFilter();
  renderMatrix(f);
  renderHosts(f);
  renderEndpoints(f);
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function renderHostFilter() {
  const select = $('filter-host');
  const chosen = select.value;
  const options = [...state.hosts].sort((a, b) => a.hostname.localeCompare(b.hostname)).map((host) => el('option', { value: host.id, text: host.hostname }));
  select.replaceChildren(el('option', { value: '', text: 'all hosts' }), ...options);
  select.value = state.hosts.some((host) => host.id === chosen) ? chosen : '';
}

/** Image-library hosts as the matrix's columns, in the order of their names. */
function matrixColumns(f) {
  const columns = new Map();
  for (const image of state.images) for (const cell of image.hosts) columns.set(cell.hostId, cell.hostname);
  return [...columns].map(([id, hostname]) => ({ id, hostname })).filter((column) => !f.host || column.id === f.host).sort((a, b) => a.hostname.localeCompare(b.hostname));
}

function renderMatrix(f) {
  const columns = matrixColumns(f);
  const counts = Object.fromEntries(STATUSES.map((status) => [status, 0]));
  const rows = [];
  let shown = 0;
  let matching = 0;
  for (const image of [...state.images].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id))) {
    if (f.image && !(image.name ?? '').toLowerCase().includes(f.image) && !image.id.includes(f.image)) continue;
    const cells = columns.map((column) => image.hosts.find((cell) => cell.hostId === column.id) ?? { hostId: column.id, hostname: column.hostname, status: '', reason: '' });
    if (f.problems && cells.every((cell) => cell.status === 'ok' || cell.status === '')) continue;
    matching++;
    for (const cell of cells) if (cell.status in counts) counts[cell.status]++;
    if (shown >= MAX_ROWS) continue;
    shown++;
    rows.push(
      el('tr', { 'data-image': image.id }, [
        el('td', { title: image.id }, [el('strong', { text: image.name ?? '(no name)' }), el('div', { class: 'muted mono', text: image.id.slice(0, 8) })]),
        el('td', { text: image.status }),
        el('td', { text: image.diskFormat ?? '' }),
        el('td', { text: formatBytes(image.size) }),
        ...cells.map((cell) =>
          el('td', { class: 'cell', 'data-host': cell.hostId, 'data-status': cell.status }, cell.status ? badge(cell.status, `status-${cell.status}`, `${cell.hostname}: ${cell.reason || cell.status}`) : '—'),
        ),
      ]),
    );
  }
  table('matrix', ['Image', 'Status', 'Format', 'Size', ...columns.map((column) => column.hostname)], rows);
  $('legend').replaceChildren(...STATUSES.flatMap((status) => [badge(status, `status-${status}`), el('span', { class: 'count', text: String(counts[status]) })]));
  $('matrix-note').textContent =
    state.images.length === 0 ? 'No images in the catalog.' : matching > shown ? `Showing ${shown} of ${matching} images; narrow the filter to see the rest.` : `${matching} of ${state.images.length} images.`;
}

function renderHosts(f) {
  const hosts = [...state.hosts].filter((host) => !f.host || host.id === f.host).filter((host) => !f.problems || hostHasProblem(host));
  table(
    'hosts',
    ['Host', 'Region', 'Connected', 'Last heartbeat', 'Role', 'Conditions', 'Agent'],
    hosts
      .sort((a, b) => a.hostname.localeCompare(b.hostname))
      .map((host) =>
        el('tr', { 'data-host': host.id }, [
          el('td', { title: host.id }, [el('strong', { text: host.hostname }), el('div', { class: 'muted', text: host.addresses.join(', ') })]),
          el('td', { text: host.region }),
          el('td', {}, badge(host.connected ? 'connected' : 'disconnected', host.connected ? 'yes' : 'no')),
          el('td', { text: host.lastHeartbeatAt ? new Date(host.lastHeartbeatAt).toLocaleString() : 'never' }),
          el(
            'td',
            { class: 'wrap' },
            host.roles.length === 0
              ? el('span', { class: 'muted', text: 'none' })
              : host.roles.map((role) =>
                  el('div', {}, [
                    badge(role.state, `state-${role.state}`, role.reason || role.state),
                    ` ${role.role} `,
                    el('span', { class: 'muted mono', text: role.url || role.repositoryPath }),
                    role.reason ? el('div', { class: 'muted', text: role.reason }) : null,
                  ]),
                ),
          ),
          el(
            'td',
            { class: 'wrap' },
            host.conditions.length === 0
              ? el('span', { class: 'muted', text: 'none' })
              : el(
                  'ul',
                  { class: 'conditions' },
                  host.conditions.map((condition) => el('li', {}, [badge(condition.type, condition.blocking ? 'blocking' : 'warning', condition.reason), ` ${condition.reason}`])),
                ),
          ),
          el('td', { class: 'mono', text: host.agentVersion }),
        ]),
      ),
  );
}

function hostHasProblem(host) {
  return !host.connected || host.conditions.length > 0 || host.roles.some((role) => role.state !== 'active');
}

function renderEndpoints(f) {
  const endpoints = state.endpoints.filter((endpoint) => !f.host || endpoint.hostId === f.host).filter((endpoint) => !f.problems || !endpoint.healthy);
  table(
    'endpoints',
    ['URL', 'Host', 'Region', 'Health'],
    endpoints.map((endpoint) =>
      el('tr', { 'data-host': endpoint.hostId }, [
        el('td', { class: 'mono', text: endpoint.url || '—' }),
        el('td', { text: endpoint.hostname }),
        el('td', { text: endpoint.region }),
        el('td', { class: 'wrap' }, [badge(endpoint.healthy ? 'healthy' : 'unhealthy', endpoint.healthy ? 'yes' : 'no'), endpoint.reason ? ` ${endpoint.reason}` : '']),
      ]),
    ),
  );
}

function formatBytes(size) {
  if (size === null || size === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

// ---- wiring ----

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void logIn($('token').value.trim());
  });
  $('logout').addEventListener('click', () => logOut(''));
  for (const id of ['filter-image', 'filter-host', 'filter-problems']) $(id).addEventListener('input', render);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) void logIn(saved);
});
