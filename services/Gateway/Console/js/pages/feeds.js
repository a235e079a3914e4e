import { getJson } from '../api.js';
import { h, pageHeader, sortableTable, plannedEndpoint, formatDate } from '../ui.js';
import { links } from '../links.js';

// A source is stale when it has not succeeded for two of its intervals (an hour when it only runs on refresh).
const HOUR = 3600 * 1000;

function intervalMs(interval) {
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)/.exec(interval || '');
  if (!match) return HOUR;
  const [, days = 0, hours, minutes, seconds] = match.map((v) => Number(v || 0));
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 || HOUR;
}

/** failing (last run failed), never-run, stale (no success for two intervals) or ok. */
export function feedState(source, now = Date.now()) {
  if (source.lastOutcome === 'failed') return 'failing';
  if (!source.lastSuccess) return source.kind === 'upload' ? 'ok' : 'never-run';
  if (source.kind !== 'upload' && now - new Date(source.lastSuccess).getTime() > 2 * intervalMs(source.interval)) return 'stale';
  return 'ok';
}

const STATE_BADGE = { failing: ['status-bad', 'failing'], stale: ['sev-medium', 'stale'], 'never-run': ['status-busy', 'never run'], ok: ['status-ok', 'ok'] };

// Advisory feeds: each source's freshness and errors (CveFeed's /feeds) and the database totals.
export default {
  pattern: /^\/feeds$/,
  nav: { label: 'Feeds', href: links.feeds, scope: 'global' },
  async render() {
    // Standalone serves /feeds itself; in a distributed deployment it is CveFeed's and this Gateway does not route it,
    // so the page says where to look instead of failing.
    const feeds = await plannedEndpoint('Per-feed status (served by the CveFeed service)', '/feeds', () => getJson('/feeds'), (json) => {
      const sources = json.sources || [];
      const troubled = sources.filter((s) => ['failing', 'stale'].includes(feedState(s)));
      return h('div', {},
        troubled.length ? h('div', { className: 'alert alert-warn', role: 'status', dataset: { testid: 'feed-problems' } },
          `${troubled.length} of ${sources.length} sources need attention: ${troubled.map((s) => `${s.name} (${feedState(s)})`).join(', ')}.`) : null,
        sortableTable({
          testId: 'feeds',
          sort: { key: 'state', descending: false },
          rowAttributes: (s) => ({ className: `feed-${feedState(s)}`, dataset: { feed: s.name, state: feedState(s) } }),
          columns: [
            { key: 'name', label: 'Source', render: (s) => h('span', {}, h('strong', {}, s.name), h('div', { className: 'muted small' }, s.kind)) },
            { key: 'state', label: 'State', value: (s) => ['failing', 'stale', 'never-run', 'ok'].indexOf(feedState(s)),
              render: (s) => { const [css, text] = STATE_BADGE[feedState(s)]; return h('span', { className: `badge ${css}` }, text); } },
            { key: 'lastSuccess', label: 'Last success', render: (s) => formatDate(s.lastSuccess) },
            { key: 'lastAttempt', label: 'Last attempt', render: (s) => h('span', {}, formatDate(s.lastAttempt), s.lastOutcome ? h('div', { className: 'muted small' }, s.lastOutcome.replaceAll('_', ' ')) : null) },
            { key: 'advisoryCount', label: 'Advisories', className: 'num', render: (s) => String(s.advisoryCount ?? 0) },
            { key: 'lastChangeCount', label: 'Changed', className: 'num', render: (s) => String(s.lastChangeCount ?? 0) },
            { key: 'lastError', label: 'Last error', render: (s) => s.lastError ? h('span', { className: 'error-text' }, s.lastError) : h('span', { className: 'muted' }, '—') },
            { key: 'location', label: 'Location', render: (s) => s.location ? h('code', { className: 'wrap' }, s.location) : h('span', { className: 'muted' }, '—') },
          ],
          rows: sources,
          empty: 'No feed source is configured and nothing was uploaded.',
        }));
    });
    let totals;
    try {
      const status = await getJson('/advisories/status');
      totals = h('dl', { className: 'facts card', dataset: { testid: 'advisory-status' } },
        Object.entries(status).flatMap(([key, value]) => [h('dt', {}, key),
          h('dd', {}, /At$|updated|modified/i.test(key) ? formatDate(value) : typeof value === 'object' ? JSON.stringify(value) : String(value))]));
    } catch (error) {
      // In a distributed deployment the advisory API lives on CveFeed, not behind this Gateway.
      totals = h('p', { className: 'muted' }, `Advisory database status: ${error.message}`);
    }
    return h('section', {}, pageHeader('Vulnerability feeds'), h('h2', {}, 'Sources'), feeds, h('h2', {}, 'Advisory database'), totals);
  },
};
