import { getJson, enc } from '../api.js';
import { h, pageHeader, sortableTable, severityBadge, severityRank, shortDigest, findingStatus } from '../ui.js';
import { pageRequest, pager } from '../paging.js';
import { links } from '../links.js';

// Vulnerabilities across the registry: the findings aggregated by vulnerability (one server-side page at a time),
// and for one vulnerability the findings themselves, i.e. which images it affects.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/vulnerabilities$/,
  nav: { label: 'Vulnerabilities', href: links.vulnerabilities, scope: 'registry' },
  async render({ registry, query }) {
    const vulnerability = (query.get('vulnerabilityId') || '').trim();
    const form = h('form', { className: 'toolbar', onsubmit: (e) => {
      e.preventDefault();
      const id = new FormData(e.target).get('vulnerabilityId').trim();
      location.hash = links.vulnerabilities(registry) + (id ? '?vulnerabilityId=' + enc(id) : '');
    } },
    h('label', {}, 'Vulnerability ', h('input', { name: 'vulnerabilityId', type: 'search', value: vulnerability, placeholder: 'CVE-2024-…' })),
    h('button', { type: 'submit', className: 'secondary' }, 'Find affected images'),
    vulnerability ? h('a', { href: links.vulnerabilities(registry) }, 'All vulnerabilities') : null);
    const content = vulnerability ? await affectedImages(registry, vulnerability, query) : await byVulnerability(registry, query);
    return h('section', {}, pageHeader(vulnerability || 'Vulnerabilities', h('span', { className: 'muted' }, `Registry ${registry}`)), form, content);
  },
};

const worstOf = (c) => (c.critical ? 'CRITICAL' : c.high ? 'HIGH' : c.medium ? 'MEDIUM' : 'LOW');

function countBadges(c) {
  const other = c.all - c.critical - c.high - c.medium;
  const parts = [['critical', c.critical, 'C'], ['high', c.high, 'H'], ['medium', c.medium, 'M']].filter(([, n]) => n > 0)
    .map(([s, n, short]) => h('span', { className: `badge sev sev-${s}`, title: `${n} ${s.toUpperCase()}`, dataset: { severity: s.toUpperCase() } }, `${n} ${short}`));
  if (other > 0) parts.push(h('span', { className: 'badge neutral', title: `${other} LOW, INFORMATIONAL or UNTRIAGED`, dataset: { severity: 'OTHER' } }, `${other} other`));
  return h('span', { className: 'counts' }, parts);
}

async function byVulnerability(registry, query) {
  const { size, token } = pageRequest(query, 25, 100);
  const search = new URLSearchParams({ registry, maxResults: String(size), sortBy: 'ALL', sortOrder: 'DESC' });
  if (token) search.set('nextToken', token);
  const page = await getJson(`/findings/aggregations/vulnerability?${search}`);
  const rows = page.responses.map((r) => r.titleAggregation);
  // The vulnerability aggregation carries no image count; the image aggregation filtered to one vulnerability does.
  await Promise.all(rows.map(async (row) => {
    const images = await getJson(`/findings/aggregations/image?${new URLSearchParams({ registry, vulnerabilityId: row.vulnerabilityId, maxResults: '100' })}`);
    row.affectedImages = images.responses.length;
    row.moreImages = Boolean(images.nextToken);
  }));
  return h('div', {},
    pager({ base: links.vulnerabilities(registry) + '?', size, token, nextToken: page.nextToken, key: `vulnerabilities/${registry}` }),
    sortableTable({
      testId: 'vulnerabilities',
      sort: { key: 'severity', descending: false },
      columns: [
        { key: 'vulnerabilityId', label: 'Vulnerability', render: (r) => h('a', { href: `${links.vulnerabilities(registry)}?vulnerabilityId=${enc(r.vulnerabilityId)}` }, r.vulnerabilityId) },
        { key: 'severity', label: 'Worst', value: (r) => severityRank(worstOf(r.severityCounts)) * 1e6 - r.severityCounts.all,
          render: (r) => (r.severityCounts.critical || r.severityCounts.high || r.severityCounts.medium ? severityBadge(worstOf(r.severityCounts)) : h('span', { className: 'muted' }, 'low or untriaged')) },
        { key: 'findings', label: 'Findings', className: 'num', value: (r) => r.severityCounts.all, render: (r) => String(r.severityCounts.all) },
        { key: 'counts', label: 'By severity', sortable: false, render: (r) => countBadges(r.severityCounts) },
        { key: 'affectedImages', label: 'Images', className: 'num', render: (r) => `${r.affectedImages}${r.moreImages ? '+' : ''}` },
      ],
      rows,
      empty: 'No findings in this registry.',
    }));
}

async function affectedImages(registry, vulnerabilityId, query) {
  const { size, token } = pageRequest(query, 50, 100);
  const search = new URLSearchParams({ registry, vulnerabilityId, maxResults: String(size), sortBy: 'repository', sortOrder: 'ASC' });
  if (token) search.set('nextToken', token);
  const page = await getJson(`/findings?${search}`);
  const rows = page.findings.map((f) => {
    const image = f.resources[0].details.awsEcrContainerImage;
    const pkg = f.packageVulnerabilityDetails.vulnerablePackages[0];
    return { finding: f, repository: image.repositoryName, digest: image.imageHash, tags: image.imageTags, pkg };
  });
  const first = page.findings[0];
  const details = first ? h('dl', { className: 'facts card', dataset: { testid: 'vulnerability-details' } },
    h('dt', {}, 'Description'), h('dd', {}, first.description),
    first.packageVulnerabilityDetails.sourceUrl ? [h('dt', {}, 'Advisory'), h('dd', {}, h('a', { href: first.packageVulnerabilityDetails.sourceUrl, target: '_blank', rel: 'noopener noreferrer' }, first.packageVulnerabilityDetails.sourceUrl))] : null,
    first.inspectorScore != null ? [h('dt', {}, 'CVSS'), h('dd', {}, String(first.inspectorScore))] : null) : null;
  return h('div', {}, details,
    pager({ base: `${links.vulnerabilities(registry)}?vulnerabilityId=${enc(vulnerabilityId)}&`, size, token, nextToken: page.nextToken, key: `affected/${registry}/${vulnerabilityId}` }),
    sortableTable({
      testId: 'affected-images',
      sort: { key: 'image', descending: false },
      columns: [
        { key: 'image', label: 'Image', value: (r) => r.repository + '@' + r.digest,
          render: (r) => h('a', { href: links.image(registry, r.repository, r.digest), title: r.digest }, r.repository, '@', h('span', { className: 'mono' }, shortDigest(r.digest))) },
        { key: 'tags', label: 'Tags', value: (r) => r.tags.join(' '), render: (r) => r.tags.length ? r.tags.map((t) => h('code', { className: 'chip' }, t)) : h('span', { className: 'muted' }, 'untagged') },
        { key: 'package', label: 'Package', value: (r) => r.pkg.name, render: (r) => r.pkg.name },
        { key: 'version', label: 'Installed', value: (r) => r.pkg.version, render: (r) => h('code', {}, r.pkg.version) },
        { key: 'fixedInVersion', label: 'Fixed in', value: (r) => r.pkg.fixedInVersion, render: (r) => r.pkg.fixedInVersion && r.pkg.fixedInVersion !== 'NotAvailable' ? h('code', {}, r.pkg.fixedInVersion) : h('span', { className: 'muted' }, 'no fix') },
        { key: 'severity', label: 'Severity', value: (r) => severityRank(r.finding.severity), render: (r) => severityBadge(r.finding.severity) },
        { key: 'status', label: 'Status', value: (r) => r.finding.status, render: (r) => findingStatus(r.finding.status) },
      ],
      rows,
      empty: 'No image in this registry has this vulnerability.',
    }));
}
