import { getJson } from '../api.js';
import { h, pageHeader, genericTable, plannedEndpoint, formatDate } from '../ui.js';
import { links } from '../links.js';

// Advisory feed status: per-feed freshness once CveFeed serves /feeds; the database totals it serves today.
export default {
  pattern: /^\/feeds$/,
  nav: { label: 'Feeds', href: links.feeds, scope: 'global' },
  async render() {
    const feeds = await plannedEndpoint('Per-feed status', '/feeds', () => getJson('/feeds'), (json) => genericTable(json, 'feeds'));
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
    return h('section', {}, pageHeader('Vulnerability feeds'), h('h2', {}, 'Advisory database'), totals, h('h2', {}, 'Feeds'), feeds);
  },
};
