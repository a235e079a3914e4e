// Small DOM helpers. Text always goes in as text nodes, never as HTML: data from images cannot inject markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'className') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED', 'UNTRIAGED'];
const SEVERITY_SHORT = { CRITICAL: 'C', HIGH: 'H', MEDIUM: 'M', LOW: 'L', INFORMATIONAL: 'I', UNDEFINED: 'U', UNTRIAGED: 'T' };

export const severityRank = (severity) => {
  const index = SEVERITIES.indexOf(severity);
  return index < 0 ? SEVERITIES.length : index;
};

export function severityBadge(severity) {
  return h('span', { className: `badge sev sev-${String(severity).toLowerCase()}` }, severity);
}

/** Non-zero counts, most severe first, as compact coloured badges ("3 C"); "none" when clean. */
export function severityCounts(counts) {
  const present = SEVERITIES.filter((s) => counts && counts[s] > 0);
  if (present.length === 0) return h('span', { className: 'muted' }, 'none');
  return h('span', { className: 'counts' },
    present.map((s) => h('span', { className: `badge sev sev-${s.toLowerCase()}`, title: `${counts[s]} ${s}`, dataset: { severity: s } },
      `${counts[s]} ${SEVERITY_SHORT[s]}`)));
}

export function frequencyBadge(label) {
  const kind = { 'Scanning off': 'off', 'On push': 'push', Continuous: 'continuous', Manual: 'manual' }[label] || 'manual';
  return h('span', { className: `badge freq freq-${kind}` }, label);
}

export function statusBadge(status) {
  if (!status) return h('span', { className: 'muted' }, 'not scanned');
  const kind = status === 'COMPLETE' || status === 'ACTIVE' ? 'ok' : status === 'IN_PROGRESS' || status === 'PENDING' ? 'busy' : 'bad';
  return h('span', { className: `badge status status-${kind}` }, status.replaceAll('_', ' ').toLowerCase());
}

/** A finding's lifecycle status (ListFindings): active, suppressed or closed. */
export function findingStatus(status) {
  const kind = { ACTIVE: 'bad', SUPPRESSED: 'busy', CLOSED: 'ok' }[status] || 'busy';
  return h('span', { className: `badge status status-${kind}`, dataset: { status } }, String(status).toLowerCase());
}

export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export const shortDigest = (digest) => (digest || '').replace(/^sha256:/, '').slice(0, 12);

export function errorBox(error) {
  const type = error && error.type ? error.type + ': ' : '';
  return h('div', { className: 'alert alert-error', role: 'alert' }, type + (error && error.message ? error.message : String(error)));
}

/** The message planned pages show while the server lacks their endpoint; they light up once it lands. */
export function notAvailable(what, endpoint) {
  return h('div', { className: 'alert alert-info', role: 'status', dataset: { testid: 'not-available' } },
    h('strong', {}, `${what} is not available on this server yet.`), ' ',
    'The console asks ', h('code', {}, endpoint), ', which this version of the platform does not serve.');
}

export function pageHeader(title, ...extra) {
  document.title = `${title} · Image scanning`;
  return h('div', { className: 'page-header' }, h('h1', {}, title), extra);
}

/**
 * A table sortable by clicking its column headers. columns: [{ key, label, value(row) for sorting, render(row) }].
 * Sorting is in the browser over the rows given (for paged data: the current page).
 */
export function sortableTable({ columns, rows, sort, empty = 'Nothing to show.', testId, caption, rowAttributes }) {
  let state = sort || { key: columns[0].key, descending: false };
  const tbody = h('tbody');
  const headers = columns.map((column) => {
    const button = h('button', { type: 'button', className: 'sort' }, column.label);
    const th = h('th', { scope: 'col', className: column.className, dataset: { column: column.key } }, button);
    if (column.sortable === false) th.replaceChildren(column.label);
    else button.addEventListener('click', () => {
      state = { key: column.key, descending: state.key === column.key ? !state.descending : false };
      draw();
    });
    return th;
  });

  function draw() {
    const column = columns.find((c) => c.key === state.key);
    const value = column && (column.value || ((row) => row[column.key]));
    const sorted = value ? [...rows].sort((a, b) => compare(value(a), value(b)) * (state.descending ? -1 : 1)) : rows;
    headers.forEach((th, i) => th.setAttribute('aria-sort', columns[i].key === state.key ? (state.descending ? 'descending' : 'ascending') : 'none'));
    tbody.replaceChildren(...(sorted.length === 0
      ? [h('tr', {}, h('td', { colspan: columns.length, className: 'muted empty' }, empty))]
      : sorted.map((row) => h('tr', rowAttributes ? rowAttributes(row) : {}, columns.map((c) => h('td', { className: c.className, dataset: { label: c.label } },
        c.render ? c.render(row) : row[c.key]))))));
  }

  draw();
  return h('div', { className: 'table-wrap' },
    h('table', { className: 'data', dataset: { testid: testId } }, caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers)), tbody));
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === undefined || a === null || a === '') return 1;
  if (b === undefined || b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Renders a planned endpoint's answer, or the "not available" notice while the server lacks it. */
export async function plannedEndpoint(what, endpoint, load, render) {
  try {
    return render(await load());
  } catch (error) {
    if (error && error.endpointMissing) return notAvailable(what, '/api/v1' + endpoint);
    throw error;
  }
}
