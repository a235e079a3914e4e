import { getJson, enc } from '../api.js';
import { h, pageHeader, genericTable, plannedEndpoint } from '../ui.js';
import { links } from '../links.js';

// Vulnerabilities across the registry (which images a CVE affects), from the findings query API once it is served.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/vulnerabilities$/,
  nav: { label: 'Vulnerabilities', href: links.vulnerabilities, scope: 'registry' },
  async render({ registry, query }) {
    const vulnerability = (query.get('vulnerabilityId') || '').trim();
    const search = new URLSearchParams({ registryId: registry });
    if (vulnerability) search.set('vulnerabilityId', vulnerability);
    const endpoint = `/findings?${search}`;
    const form = h('form', { className: 'toolbar', onsubmit: (e) => {
      e.preventDefault();
      const id = new FormData(e.target).get('vulnerabilityId').trim();
      location.hash = links.vulnerabilities(registry) + (id ? '?vulnerabilityId=' + enc(id) : '');
    } },
    h('label', {}, 'Vulnerability ', h('input', { name: 'vulnerabilityId', type: 'search', value: vulnerability, placeholder: 'CVE-2024-…' })),
    h('button', { type: 'submit', className: 'secondary' }, 'Find affected images'));
    return h('section', {}, pageHeader('Vulnerabilities', h('span', { className: 'muted' }, `Registry ${registry}`)), form,
      await plannedEndpoint('The registry-wide findings query', endpoint, () => getJson(endpoint), (json) => genericTable(json, 'vulnerabilities')));
  },
};
