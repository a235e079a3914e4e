import { getJson, getBlob, enc, encPath, ApiError } from '../api.js';
import { h, pageHeader, sortableTable, severityBadge, severityCounts, statusBadge, formatDate, shortDigest, severityRank, SEVERITIES, notAvailable, errorBox, findingStatus } from '../ui.js';
import { links } from '../links.js';

const SBOM_FORMATS = { cyclonedx: 'CycloneDX', spdx: 'SPDX' };

// An image's latest scan: its findings, filterable by severity, fix availability and package.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/images\/(?<image>[^/]+)$/,
  async render({ registry, image }) {
    const at = image.lastIndexOf('@');
    const repository = image.slice(0, at);
    const digest = image.slice(at + 1);
    const crumbs = h('p', { className: 'crumbs' }, h('a', { href: links.repositories(registry) }, 'Repositories'), ' / ',
      h('a', { href: links.images(registry, repository) }, repository), ' / ', h('span', { className: 'mono' }, shortDigest(digest)));

    let scan;
    try {
      scan = await getJson(`/registries/${enc(registry)}/findings/${encPath(repository)}@${digest}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404 || error.endpointMissing) throw error;
      return h('section', {}, crumbs, pageHeader(`${repository}@${shortDigest(digest)}`),
        h('div', { className: 'alert alert-info', role: 'status' }, error.message), sbomPanel(registry, repository, digest));
    }

    const findings = scan.imageScanFindings.findings || [];
    const statuses = await lifecycleStatuses(registry, repository, digest);
    const statusOf = (f) => statuses && statuses.get(`${f.vulnerabilityId} ${f.package.name} ${f.package.version}`);
    const filters = { severity: '', fix: '', package: '' };
    const tableArea = h('div');
    const shown = h('span', { className: 'muted', dataset: { testid: 'findings-count' } });

    function draw() {
      const needle = filters.package.trim().toLowerCase();
      const rows = findings.filter((f) =>
        (!filters.severity || f.severity === filters.severity)
        && (!filters.fix || (filters.fix === 'yes') === Boolean(f.fixedInVersion))
        && (!needle || f.package.name.toLowerCase().includes(needle) || (f.package.sourceName || '').toLowerCase().includes(needle)));
      shown.textContent = `${rows.length} of ${findings.length} findings`;
      tableArea.replaceChildren(sortableTable({
        testId: 'findings',
        sort: { key: 'severity', descending: false },
        columns: [
          { key: 'vulnerabilityId', label: 'Vulnerability', render: (f) => h('span', {},
            f.sourceUrl ? h('a', { href: f.sourceUrl, target: '_blank', rel: 'noopener noreferrer' }, f.vulnerabilityId) : f.vulnerabilityId,
            f.aliases && f.aliases.length ? h('div', { className: 'muted small' }, f.aliases.join(', ')) : null,
            f.title ? h('div', { className: 'small' }, f.title) : null) },
          { key: 'severity', label: 'Severity', value: (f) => severityRank(f.severity), render: (f) => severityBadge(f.severity) },
          { key: 'cvssScore', label: 'CVSS', className: 'num', render: (f) => f.cvssScore ?? '—' },
          { key: 'package', label: 'Package', value: (f) => f.package.name, render: (f) => h('span', {}, f.package.name,
            f.package.sourceName && f.package.sourceName !== f.package.name ? h('div', { className: 'muted small' }, `source ${f.package.sourceName}`) : null) },
          { key: 'version', label: 'Installed', value: (f) => f.package.version, render: (f) => h('code', {}, f.package.version) },
          { key: 'fixedInVersion', label: 'Fixed in', render: (f) => f.fixedInVersion ? h('code', {}, f.fixedInVersion) : h('span', { className: 'muted' }, 'no fix') },
          { key: 'layer', label: 'Layer', value: (f) => f.package.layerDigest, render: (f) => h('span', { className: 'mono', title: f.package.layerDigest }, shortDigest(f.package.layerDigest)) },
          { key: 'path', label: 'Path', value: (f) => f.package.filePath, render: (f) => h('code', { className: 'path' }, f.package.filePath) },
          statuses ? { key: 'status', label: 'Status', value: statusOf, render: (f) => statusOf(f) ? findingStatus(statusOf(f)) : h('span', { className: 'muted' }, '—') } : null,
        ].filter(Boolean),
        rows,
        empty: findings.length ? 'No finding matches these filters.' : 'No vulnerabilities found in this image.',
      }));
    }

    const present = SEVERITIES.filter((s) => findings.some((f) => f.severity === s));
    const toolbar = h('form', { className: 'toolbar', onsubmit: (e) => e.preventDefault() },
      h('label', {}, 'Severity ', h('select', { name: 'severity', onchange: (e) => { filters.severity = e.target.value; draw(); } },
        h('option', { value: '' }, 'All'), SEVERITIES.map((s) => h('option', { value: s, disabled: !present.includes(s) }, s)))),
      h('label', {}, 'Fix ', h('select', { name: 'fix', onchange: (e) => { filters.fix = e.target.value; draw(); } },
        h('option', { value: '' }, 'Any'), h('option', { value: 'yes' }, 'Fix available'), h('option', { value: 'no' }, 'No fix'))),
      h('label', {}, 'Package ', h('input', { name: 'package', type: 'search', placeholder: 'name', oninput: (e) => { filters.package = e.target.value; draw(); } })),
      shown);

    draw();
    const status = scan.imageScanStatus || {};
    return h('section', {}, crumbs,
      pageHeader(`${repository}@${shortDigest(digest)}`),
      h('dl', { className: 'facts card' },
        h('dt', {}, 'Digest'), h('dd', { className: 'mono' }, digest),
        h('dt', {}, 'Tags'), h('dd', {}, (scan.imageId.imageTags || []).join(', ') || '—'),
        h('dt', {}, 'Scan'), h('dd', {}, statusBadge(status.status), ' ', scan.scanType || '', ' · ', formatDate(scan.imageScanFindings.imageScanCompletedAt)),
        status.description ? [h('dt', {}, 'Status'), h('dd', {}, status.description)] : null,
        operatingSystemFacts(scan.operatingSystem),
        h('dt', {}, 'Findings'), h('dd', { dataset: { testid: 'severity-summary' } }, severityCounts(scan.imageScanFindings.findingSeverityCounts))),
      sbomPanel(registry, repository, digest),
      toolbar, tableArea);
  },
};

// The image's OS and its release's end of life (docs/eol.md), in a warning style once past: its security updates have stopped.
function operatingSystemFacts(os) {
  if (!os) return null;
  const facts = [h('dt', {}, 'OS'), h('dd', {}, os.prettyName || `${os.id} ${os.versionId}`)];
  if (!os.endOfLife) return facts;
  const past = os.endOfLife < new Date().toISOString().slice(0, 10);
  return [...facts, h('dt', {}, 'End of life'), h('dd', { dataset: { testid: 'end-of-life' } },
    past ? h('span', { className: 'alert-warn eol', title: 'This OS version is no longer supported by the distribution: security updates are not provided.' },
      `${os.endOfLife} (no longer supported)`) : os.endOfLife)];
}

// The findings' lifecycle (ACTIVE / SUPPRESSED) from the findings query API, keyed by vulnerability, package and
// version; null when the server does not serve it (the column is then left out).
async function lifecycleStatuses(registry, repository, digest) {
  const statuses = new Map();
  let nextToken = '';
  try {
    for (let page = 0; page < 20; page++) {
      const search = new URLSearchParams({ registry, repository, imageDigest: digest, status: 'ACTIVE,SUPPRESSED', maxResults: '100' });
      if (nextToken) search.set('nextToken', nextToken);
      const answer = await getJson(`/findings?${search}`);
      for (const f of answer.findings) {
        const pkg = f.packageVulnerabilityDetails.vulnerablePackages[0];
        statuses.set(`${f.packageVulnerabilityDetails.vulnerabilityId} ${pkg.name} ${pkg.version}`, f.status);
      }
      nextToken = answer.nextToken;
      if (!nextToken) break;
    }
  } catch (error) {
    if (error instanceof ApiError && error.endpointMissing) return null;
    throw error;
  }
  return statuses;
}

// SBOM downloads go through fetch (the token is a header, not a cookie) and are saved from a blob.
function sbomPanel(registry, repository, digest) {
  const message = h('div', { dataset: { testid: 'sbom-message' } });
  const download = async (format) => {
    const endpoint = `/registries/${enc(registry)}/sbom/${encPath(repository)}@${digest}?format=${format}`;
    message.replaceChildren();
    try {
      const { blob } = await getBlob(endpoint);
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: `${repository.replaceAll('/', '_')}-${shortDigest(digest)}.${format}.json` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      message.replaceChildren(error instanceof ApiError && error.endpointMissing ? notAvailable('SBOM export', '/api/v1' + endpoint) : errorBox(error));
    }
  };
  return h('div', { className: 'sbom' }, h('span', {}, 'SBOM '),
    Object.entries(SBOM_FORMATS).map(([format, label]) => h('button', { type: 'button', className: 'secondary', onclick: () => download(format) }, `Download ${label}`)),
    message);
}
