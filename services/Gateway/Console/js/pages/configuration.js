import { getJson, sendJson, enc, ApiError } from '../api.js';
import { h, pageHeader, errorBox, frequencyBadge, sortableTable } from '../ui.js';
import { links } from '../links.js';

const FREQUENCIES = { SCAN_ON_PUSH: 'Scan on push', CONTINUOUS_SCAN: 'Continuous scanning' };
const MAX_RULES = 2; // ECR's limit; the API enforces it too.

// The registry scanning configuration in ECR's shape. The API validates; the page shows its errors verbatim
// and previews, as the user edits, which catalogued repositories each rule would match.
export default {
  pattern: /^\/registries\/(?<registry>[^/]+)\/configuration$/,
  nav: { label: 'Scanning configuration', href: links.configuration, scope: 'registry' },
  async render({ registry }) {
    const path = `/registries/${enc(registry)}/scanning-configuration`;
    const loaded = await getJson(path);
    const state = structuredClone(loaded.scanningConfiguration);
    state.rules = state.rules || [];

    const errorArea = h('div', { dataset: { testid: 'config-error' }, 'aria-live': 'polite' });
    const statusArea = h('div', { 'aria-live': 'polite' });
    const rulesArea = h('div', { className: 'rules' });
    const effectiveArea = h('div');
    const scanType = h('fieldset', { className: 'card scan-type' }, h('legend', {}, 'Scan type'),
      ['BASIC', 'ENHANCED'].map((type) => h('label', { className: 'choice' },
        h('input', { type: 'radio', name: 'scanType', value: type, checked: state.scanType === type,
          onchange: () => { state.scanType = type; changed(); } }),
        h('span', {}, h('strong', {}, type === 'BASIC' ? 'Basic' : 'Enhanced'), ' — ',
          type === 'BASIC' ? 'operating-system packages, scan on push or manually.' : 'OS and language packages, on push or continuously as new advisories arrive.'))));

    let previewTimer;
    let previewSequence = 0;
    let preview = null;

    function changed() {
      statusArea.replaceChildren();
      drawRules();
      clearTimeout(previewTimer);
      previewTimer = setTimeout(runPreview, 300);
    }

    async function runPreview() {
      const sequence = ++previewSequence;
      try {
        const result = await sendJson('POST', path + '/preview', state);
        if (sequence !== previewSequence) return;
        preview = result;
        errorArea.replaceChildren();
      } catch (error) {
        if (sequence !== previewSequence) return;
        preview = null;
        errorArea.replaceChildren(errorBox(error));
      }
      drawMatches();
      drawEffective();
    }

    function drawRules() {
      matchAreas = [];
      rulesArea.replaceChildren(...state.rules.map((rule, index) => ruleCard(rule, index)),
        h('button', { type: 'button', className: 'secondary', disabled: state.rules.length >= MAX_RULES, onclick: () => {
          state.rules.push({ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '', filterType: 'WILDCARD' }] });
          changed();
        } }, 'Add rule'),
        ...(state.rules.length >= MAX_RULES ? [h('span', { className: 'muted hint' }, ` At most ${MAX_RULES} rules.`)] : []));
      drawMatches();
    }

    // Only the match lists are redrawn after a preview: redrawing the inputs would steal the focus while typing.
    let matchAreas = [];
    function drawMatches() {
      matchAreas.forEach((area, index) => {
        const matched = preview && preview.rules[index] ? preview.rules[index].matchedRepositories : null;
        area.replaceChildren(...(matched === null ? [h('span', { className: 'muted' }, 'Preview unavailable until the configuration is valid.')]
          : matched.length === 0 ? [h('span', { className: 'muted' }, 'Matches no catalogued repository.')]
            : [`Matches ${matched.length} ${matched.length === 1 ? 'repository' : 'repositories'}: `,
              ...matched.flatMap((name, i) => [i ? ', ' : '', h('a', { href: links.images(registry, name) }, name)])]));
      });
    }

    function ruleCard(rule, index) {
      const matches = h('p', { className: 'matches', dataset: { testid: `rule-${index}-matches` } });
      matchAreas[index] = matches;
      return h('section', { className: 'card rule', dataset: { testid: `rule-${index}` } },
        h('div', { className: 'rule-head' },
          h('h2', {}, `Rule ${index + 1}`),
          h('label', {}, 'Frequency ',
            h('select', { name: `frequency-${index}`, onchange: (e) => { rule.scanFrequency = e.target.value; changed(); } },
              Object.entries(FREQUENCIES).map(([value, label]) => h('option', { value, selected: rule.scanFrequency === value }, label)))),
          h('button', { type: 'button', className: 'link danger', onclick: () => { state.rules.splice(index, 1); changed(); } }, 'Remove rule')),
        h('div', { className: 'filters' },
          rule.repositoryFilters.map((filter, f) => h('div', { className: 'filter' },
            h('span', { className: 'badge neutral' }, filter.filterType || 'WILDCARD'),
            h('input', { type: 'text', value: filter.filter, placeholder: 'e.g. prod/* or team-a', 'aria-label': `Rule ${index + 1} filter ${f + 1}`,
              spellcheck: 'false', oninput: (e) => { filter.filter = e.target.value; clearTimeout(previewTimer); previewTimer = setTimeout(runPreview, 300); } }),
            h('button', { type: 'button', className: 'link danger', 'aria-label': `Remove filter ${f + 1} of rule ${index + 1}`,
              onclick: () => { rule.repositoryFilters.splice(f, 1); changed(); } }, 'Remove'))),
          h('button', { type: 'button', className: 'link', onclick: () => { rule.repositoryFilters.push({ filter: '', filterType: 'WILDCARD' }); changed(); } }, '+ Add filter')),
        matches);
    }

    function drawEffective() {
      effectiveArea.replaceChildren(!preview ? '' : h('section', { className: 'card' },
        h('h2', {}, 'If saved, repositories would be scanned'),
        sortableTable({
          testId: 'preview-table',
          columns: [
            { key: 'repositoryName', label: 'Repository', render: (r) => h('a', { href: links.images(registry, r.repositoryName) }, r.repositoryName) },
            { key: 'scanFrequencyLabel', label: 'Frequency', render: (r) => frequencyBadge(r.scanFrequencyLabel) },
          ],
          rows: preview.repositories,
          empty: 'No repository is catalogued yet: pushes will be matched as they arrive.',
        })));
    }

    async function save() {
      statusArea.replaceChildren();
      try {
        const saved = await sendJson('PUT', path, state);
        Object.assign(state, structuredClone(saved.registryScanningConfiguration));
        errorArea.replaceChildren();
        changed();
        statusArea.replaceChildren(h('div', { className: 'alert alert-ok', role: 'status', dataset: { testid: 'config-saved' } }, 'Saved.'));
      } catch (error) {
        // A refused save keeps the user's edits on screen, with the API's reason.
        if (error instanceof ApiError && error.status === 401) return;
        errorArea.replaceChildren(errorBox(error));
      }
    }

    drawRules();
    runPreview();
    return h('section', {},
      pageHeader('Scanning configuration', h('span', { className: 'muted' }, `Registry ${registry}`)),
      scanType, rulesArea, errorArea, statusArea,
      h('div', { className: 'actions' },
        h('button', { type: 'button', className: 'primary', onclick: save }, 'Save configuration'),
        h('button', { type: 'button', className: 'secondary', onclick: () => { location.reload(); } }, 'Discard changes')),
      effectiveArea);
  },
};
