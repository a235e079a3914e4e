import { getJson, enc } from '../api.js';
import { h, pageHeader, frequencyBadge, sortableTable, formatDate } from '../ui.js';
import { links } from '../links.js';

// Every catalogued repository (created through the ECR API, or pushed to) with the scan frequency the registry's rules give it;
// a created one is listed before its first push, with 0 images.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/repositories$/,
  nav: { label: 'Repositories', href: links.repositories, scope: 'registry' },
  async render({ registry }) {
    const { repositories } = await getJson(`/registries/${enc(registry)}/repositories`);
    return h('section', {},
      pageHeader('Repositories', h('span', { className: 'muted' }, `${repositories.length} in registry ${registry}`)),
      sortableTable({
        testId: 'repositories',
        columns: [
          { key: 'repositoryName', label: 'Repository', render: (r) => h('a', { href: links.images(registry, r.repositoryName) }, r.repositoryName) },
          { key: 'scanFrequencyLabel', label: 'Scan frequency', render: (r) => frequencyBadge(r.scanFrequencyLabel) },
          { key: 'scanType', label: 'Scan type' },
          { key: 'appliedScanFilters', label: 'Matched by', value: (r) => r.appliedScanFilters.map((f) => f.filter).join(' '),
            render: (r) => r.appliedScanFilters.length ? r.appliedScanFilters.map((f) => h('code', { className: 'chip' }, f.filter)) : h('span', { className: 'muted' }, '—') },
          { key: 'imageCount', label: 'Images', className: 'num' },
          { key: 'lastPushedAt', label: 'Last push', render: (r) => formatDate(r.lastPushedAt) },
        ],
        rows: repositories,
        empty: 'No repository was created in this registry, and no image has been pushed to it since the platform started watching it.',
      }),
      h('p', { className: 'muted' }, 'Frequencies follow the ', h('a', { href: links.configuration(registry) }, 'scanning configuration'), '.'));
  },
};
