import { getJson, enc, encPath } from '../api.js';
import { h, pageHeader, sortableTable, severityCounts, statusBadge, formatDate, shortDigest, SEVERITIES } from '../ui.js';
import { links } from '../links.js';

const PAGE_SIZES = [20, 50, 100, 500];
// Tokens of the pages before this one, per repository, so "Previous" works with keyset paging.
const visitedTokens = new Map();

// One server-side page of a repository's images; columns sort within the page.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/repositories\/(?<repository>[^/]+)\/images$/,
  async render({ registry, repository, query }) {
    // Any size the API accepts (1-1000) works from the URL; the selector offers the common ones.
    const asked = Number.parseInt(query.get('maxResults'), 10);
    const size = asked >= 1 && asked <= 1000 ? asked : 50;
    const token = query.get('nextToken') || '';
    const search = new URLSearchParams({ maxResults: String(size) });
    if (token) search.set('nextToken', token);
    const page = await getJson(`/registries/${enc(registry)}/repositories/${encPath(repository)}/images?${search}`);

    const key = `${registry}/${repository}/${size}`;
    const previous = visitedTokens.get(key) || [];
    const at = (pageToken) => `${links.images(registry, repository)}?maxResults=${size}${pageToken ? '&nextToken=' + enc(pageToken) : ''}`;
    const pageNumber = token ? Math.max(previous.indexOf(token), 0) + 2 : 1;

    const pager = h('nav', { className: 'pager', 'aria-label': 'Pages' },
      h('label', {}, 'Per page ', h('select', { onchange: (e) => { location.hash = `${links.images(registry, repository)}?maxResults=${e.target.value}`; } },
        [...new Set([...PAGE_SIZES, size])].sort((a, b) => a - b).map((n) => h('option', { value: n, selected: n === size }, n)))),
      h('span', { className: 'muted' }, `Page ${pageNumber}`),
      h('button', { type: 'button', className: 'secondary', disabled: !token, onclick: () => {
        const index = previous.indexOf(token);
        location.hash = at(index > 0 ? previous[index - 1] : '');
      } }, '← Previous'),
      h('button', { type: 'button', className: 'secondary', disabled: !page.nextToken, dataset: { testid: 'next-page' }, onclick: () => {
        visitedTokens.set(key, [...previous.slice(0, token ? previous.indexOf(token) + 1 : 0), page.nextToken]);
        location.hash = at(page.nextToken);
      } }, 'Next →'));

    const severityValue = (image) => {
      const counts = image.imageScanFindingsSummary ? image.imageScanFindingsSummary.findingSeverityCounts : {};
      // Sort by the worst severity first, then by how many.
      return SEVERITIES.map((s) => String(1000000 - (counts[s] || 0)).padStart(7, '0')).join('');
    };

    return h('section', {},
      h('p', { className: 'crumbs' }, h('a', { href: links.repositories(registry) }, 'Repositories'), ' / ', repository),
      pageHeader(repository, h('span', { className: 'muted' }, 'Images')),
      pager,
      sortableTable({
        testId: 'images',
        sort: { key: 'imagePushedAt', descending: true },
        columns: [
          { key: 'imageDigest', label: 'Digest', render: (i) => h('a', { href: links.image(registry, repository, i.imageDigest), title: i.imageDigest, className: 'mono' }, shortDigest(i.imageDigest)) },
          { key: 'imageTags', label: 'Tags', value: (i) => i.imageTags.join(' '), render: (i) => i.imageTags.length ? i.imageTags.map((t) => h('code', { className: 'chip' }, t)) : h('span', { className: 'muted' }, 'untagged') },
          { key: 'imagePushedAt', label: 'Pushed', render: (i) => formatDate(i.imagePushedAt) },
          { key: 'status', label: 'Scan status', value: (i) => i.imageScanStatus && i.imageScanStatus.status, render: (i) => statusBadge(i.imageScanStatus && i.imageScanStatus.status) },
          { key: 'severity', label: 'Vulnerabilities', value: severityValue, render: (i) => i.imageScanFindingsSummary ? severityCounts(i.imageScanFindingsSummary.findingSeverityCounts) : h('span', { className: 'muted' }, '—') },
        ],
        rows: page.images,
        empty: 'No images in this repository.',
      }));
  },
};
