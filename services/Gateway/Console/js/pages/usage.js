import { getJson, enc } from '../api.js';
import { h, pageHeader, genericTable, plannedEndpoint } from '../ui.js';
import { links } from '../links.js';

// The registry's scan usage (the usage meter), once the usage endpoint is served.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/usage$/,
  nav: { label: 'Usage', href: links.usage, scope: 'registry' },
  async render({ registry }) {
    const endpoint = `/registries/${enc(registry)}/usage`;
    return h('section', {}, pageHeader('Usage', h('span', { className: 'muted' }, `Registry ${registry}`)),
      await plannedEndpoint('Usage', endpoint, () => getJson(endpoint), (json) => genericTable(json, 'usage')));
  },
};
