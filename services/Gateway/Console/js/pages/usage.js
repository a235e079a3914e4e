import { getJson, enc } from '../api.js';
import { h, pageHeader, sortableTable, plannedEndpoint } from '../ui.js';
import { links } from '../links.js';

const money = (value) => '$' + Number(value).toFixed(2);
const thisMonth = () => new Date().toISOString().slice(0, 7);

// Scans per repository in one month (UTC): initial scans, re-scans and what ENHANCED scanning would cost.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/usage$/,
  nav: { label: 'Usage', href: links.usage, scope: 'registry' },
  async render({ registry, query }) {
    const asked = query.get('month') || '';
    const month = /^\d{4}-\d{2}$/.test(asked) ? asked : thisMonth();
    const endpoint = `/registries/${enc(registry)}/usage?month=${month}`;
    const picker = h('form', { className: 'toolbar', onsubmit: (e) => e.preventDefault() },
      h('label', {}, 'Month ', h('input', { type: 'month', name: 'month', value: month, max: thisMonth(),
        onchange: (e) => { if (e.target.value) location.hash = `${links.usage(registry)}?month=${e.target.value}`; } })));
    const body = await plannedEndpoint('Usage', endpoint, () => getJson(endpoint), (usage) => h('div', {},
      h('div', { className: 'card totals', dataset: { testid: 'usage-totals' } },
        h('div', {}, h('strong', { dataset: { testid: 'usage-initial' } }, String(usage.initialScans)), 'initial scans ',
          h('span', { className: 'muted small' }, `at ${money(usage.initialScanPriceUsd)}`)),
        h('div', {}, h('strong', { dataset: { testid: 'usage-rescans' } }, String(usage.rescans)), 're-scans ',
          h('span', { className: 'muted small' }, `at ${money(usage.rescanPriceUsd)}`)),
        h('div', {}, h('strong', { dataset: { testid: 'usage-cost' } }, money(usage.estimatedCostUsd)), 'estimated cost (ENHANCED prices)')),
      sortableTable({
        testId: 'usage',
        sort: { key: 'estimatedCostUsd', descending: true },
        columns: [
          { key: 'repository', label: 'Repository' },
          { key: 'initialScans', label: 'Initial scans', className: 'num' },
          { key: 'rescans', label: 'Re-scans', className: 'num' },
          { key: 'estimatedCostUsd', label: 'Estimated cost', className: 'num', render: (r) => money(r.estimatedCostUsd) },
        ],
        rows: usage.repositories,
        empty: `No scans in ${month}.`,
      })));
    return h('section', {}, pageHeader('Usage', h('span', { className: 'muted' }, `Registry ${registry} · ${month}`)), picker, body);
  },
};
