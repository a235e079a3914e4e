// The console shell: hash routing, the navigation, the signed-in state. Pages render into <main>.
import { routes } from './routes.js';
import { session, getJson, goToSignIn, ApiError } from './api.js';
import { h, errorBox } from './ui.js';

const REGISTRY_KEY = 'imagescan.registry';
let registries = null;

function parseHash() {
  const hash = location.hash.slice(1) || '/';
  const [path, search = ''] = hash.split('?');
  return { path, query: new URLSearchParams(search) };
}

async function knownRegistries() {
  if (!registries) registries = (await getJson('/registries')).registries.map((r) => r.registryId);
  return registries;
}

async function currentRegistry(fromRoute) {
  const names = await knownRegistries();
  const chosen = fromRoute || sessionStorage.getItem(REGISTRY_KEY);
  const registry = names.includes(chosen) ? chosen : names[0];
  if (registry) sessionStorage.setItem(REGISTRY_KEY, registry);
  return registry;
}

function renderNav(registry, activePage) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...routes.filter((r) => r.nav && (registry || r.nav.scope === 'global')).map((r) =>
    h('a', { href: r.nav.href(registry), 'aria-current': r === activePage ? 'page' : null }, r.nav.label)));
  const sessionArea = document.getElementById('session');
  const chooser = registries && registries.length > 1
    ? h('select', { 'aria-label': 'Registry', onchange: (e) => { sessionStorage.setItem(REGISTRY_KEY, e.target.value); location.hash = '#/registries/' + encodeURIComponent(e.target.value) + '/repositories'; } },
      registries.map((name) => h('option', { value: name, selected: name === registry }, name)))
    : registry ? h('span', { className: 'registry', title: 'Registry' }, registry) : null;
  sessionArea.replaceChildren(chooser || '',
    h('button', { type: 'button', className: 'link', onclick: () => { session.signOut(); registries = null; goToSignIn(); } }, 'Sign out'));
}

// Route parameters are single URL-encoded segments (a repository's slashes are encoded too).
function decodeAll(groups) {
  return Object.fromEntries(Object.entries(groups || {}).map(([k, v]) => [k, decodeURIComponent(v)]));
}

async function render() {
  const main = document.getElementById('main');
  const { path, query } = parseHash();
  const page = routes.find((r) => r.pattern.test(path));
  // data-route names the page once it has rendered (tests and scripts wait for it).
  delete main.dataset.route;

  if (page && page.public) {
    document.getElementById('nav').replaceChildren();
    document.getElementById('session').replaceChildren();
    const params = decodeAll(path.match(page.pattern).groups);
    main.replaceChildren(await page.render({ ...params, params, query }));
    main.dataset.route = path;
    return;
  }
  if (!session.token()) return goToSignIn();

  try {
    const params = page ? decodeAll(path.match(page.pattern).groups) : {};
    const registry = await currentRegistry(params.registry);
    if (!page) {
      location.replace(registry ? `#/registries/${encodeURIComponent(registry)}/repositories` : '#/feeds');
      return;
    }
    renderNav(registry, page);
    main.replaceChildren(h('p', { className: 'muted' }, 'Loading…'));
    const content = await page.render({ ...params, params, query, registry });
    // A slow page must not overwrite the page the user navigated to meanwhile.
    if (parseHash().path !== path) return;
    main.replaceChildren(content);
    main.dataset.route = path;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    main.replaceChildren(errorBox(error));
    main.dataset.route = path;
  }
}

window.addEventListener('hashchange', render);
render();
