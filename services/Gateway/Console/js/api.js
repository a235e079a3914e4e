// The only way the console reads data: the authenticated REST API, with the token the user signed in with.
const TOKEN_KEY = 'imagescan.apiToken';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An API error in the API's own words ({"__type","message"}); endpointMissing when the server has no such route yet. */
export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
    // A route the server does not have answers a bare 404; the API's own 404s always carry a __type.
    this.endpointMissing = status === 404 && !type;
  }
}

export function goToSignIn() {
  const back = location.hash && !location.hash.startsWith('#/sign-in') ? location.hash.slice(1) : '';
  location.hash = '#/sign-in' + (back ? '?next=' + encodeURIComponent(back) : '');
}

async function send(path, { method = 'GET', body, token = session.token() } = {}) {
  if (!token) {
    goToSignIn();
    throw new ApiError(401, 'Unauthorized', 'Sign in with an API token.');
  }
  const headers = { Authorization: 'Bearer ' + token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) {
    await discardBody(response);
    session.signOut();
    goToSignIn();
    throw new ApiError(401, 'Unauthorized', 'The API token was refused. Sign in again.');
  }
  if (!response.ok) {
    let type, message;
    try {
      const error = await response.json();
      type = error.__type;
      message = error.message;
    } catch { /* not JSON: a bare status */ }
    throw new ApiError(response.status, type, message || `The server answered ${response.status} ${response.statusText}.`);
  }
  return response;
}

/** Reads an unwanted body to its end: a response left unread is cancelled by the browser, which reports the request as failed. */
async function discardBody(response) {
  try { await response.arrayBuffer(); } catch { /* the status is all we need */ }
}

export async function getJson(path, options) {
  return (await send(path, options)).json();
}

export async function sendJson(method, path, body) {
  return (await send(path, { method, body })).json();
}

export async function getBlob(path) {
  const response = await send(path);
  return { blob: await response.blob(), contentType: response.headers.get('Content-Type') || '' };
}

/** Checks a token before keeping it: the registries list needs nothing but a valid token. */
export async function verifyToken(token) {
  const response = await fetch('/api/v1/registries', { headers: { Authorization: 'Bearer ' + token } });
  if (response.status === 401) {
    await discardBody(response);
    return false;
  }
  if (!response.ok) throw new ApiError(response.status, undefined, `The server answered ${response.status}.`);
  return true;
}

export const enc = encodeURIComponent;

/** Repository names keep their slashes in API paths (the routes use catch-alls); each segment is encoded. */
export const encPath = (name) => name.split('/').map(encodeURIComponent).join('/');
