// Server-side keyset paging (nextToken) for a console route: page size in the URL, earlier tokens remembered per
// route so "Previous" works although the API only hands out the next token.
import { h } from './ui.js';
import { enc } from './api.js';

const visitedTokens = new Map();

/** Reads maxResults (1..max, else fallback) and nextToken from the route's query. */
export function pageRequest(query, fallback, max) {
  const asked = Number.parseInt(query.get('maxResults'), 10);
  return { size: asked >= 1 && asked <= max ? asked : fallback, token: query.get('nextToken') || '' };
}

/**
 * The pager: "Page n", Previous and Next. base is the route's hash including any other query (ending in ? or &).
 */
export function pager({ base, size, token, nextToken, key }) {
  const memoryKey = `${key}/${size}`;
  const previous = visitedTokens.get(memoryKey) || [];
  const at = (pageToken) => `${base}maxResults=${size}${pageToken ? '&nextToken=' + enc(pageToken) : ''}`;
  const pageNumber = token ? Math.max(previous.indexOf(token), 0) + 2 : 1;
  return h('nav', { className: 'pager', 'aria-label': 'Pages' },
    h('span', { className: 'muted' }, `Page ${pageNumber}`),
    h('button', { type: 'button', className: 'secondary', disabled: !token, onclick: () => {
      const index = previous.indexOf(token);
      location.hash = at(index > 0 ? previous[index - 1] : '');
    } }, '← Previous'),
    h('button', { type: 'button', className: 'secondary', disabled: !nextToken, dataset: { testid: 'next-page' }, onclick: () => {
      visitedTokens.set(memoryKey, [...previous.slice(0, token ? previous.indexOf(token) + 1 : 0), nextToken]);
      location.hash = at(nextToken);
    } }, 'Next →'));
}
