import { session, verifyToken } from '../api.js';
import { h, pageHeader } from '../ui.js';

// The token stays in this tab's sessionStorage only, and travels only as a bearer header to the API.
export default {
  pattern: /^\/sign-in$/,
  public: true,
  async render({ query }) {
    const message = h('p', { className: 'alert alert-error', role: 'alert', hidden: true });
    const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
    const form = h('form', { className: 'card sign-in', onsubmit: async (event) => {
      event.preventDefault();
      message.hidden = true;
      const token = input.value.trim();
      try {
        if (!(await verifyToken(token))) {
          message.textContent = 'That API token was refused.';
          message.hidden = false;
          return;
        }
      } catch (error) {
        message.textContent = error.message;
        message.hidden = false;
        return;
      }
      session.signIn(token);
      const next = query.get('next');
      location.hash = next && next.startsWith('/') ? '#' + next : '#/';
    } },
    pageHeader('Sign in'),
    h('p', { className: 'muted' }, 'Enter an API token with the read scope (and write to change settings; Security:Tokens or Security:ApiTokens). It is kept in this browser tab only.'),
    h('label', { for: 'token' }, 'API token'), input, message,
    h('button', { type: 'submit', className: 'primary' }, 'Sign in'));
    return h('section', { className: 'narrow' }, form);
  },
};
