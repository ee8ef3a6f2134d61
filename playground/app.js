/*
 * ERP GraphQL playground: mounts GraphiQL (vendor/graphiql.min.js, UMD build,
 * global `GraphiQL`) under the token bar. Everything is served from /playground;
 * no external resources, no inline scripts (the page runs under a strict CSP).
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'erp.playground.token';
  var GRAPHQL_URL = location.origin + '/graphql';
  var SUBSCRIPTION_URL =
    (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';

  var DEFAULT_QUERY = [
    '# ERP GraphQL playground',
    '#',
    '# 1. Run "Login" below (run button, then pick "Login").',
    '#    The admin password is printed in the server log',
    '#    at first start.',
    '# 2. The returned accessToken is saved automatically',
    '#    (top bar) and sent as "Authorization: Bearer ..."',
    '#    with every following request. You can also paste',
    '#    a token into the top bar and press Save.',
    '# 3. Run "Me" to check who you are.',
    '',
    'mutation Login {',
    '  login(input: { tenant: "demo", email: "admin@demo.test", password: "<printed at first start>" }) {',
    '    accessToken',
    '    expiresIn',
    '    user { id email displayName }',
    '  }',
    '}',
    '',
    'query Me {',
    '  me { user { id email displayName } }',
    '}',
    ''
  ].join('\n');

  // ---- token storage -------------------------------------------------------

  var memoryToken = null; // fallback when localStorage is unavailable

  function getToken() {
    try {
      return window.localStorage.getItem(TOKEN_KEY) || null;
    } catch (e) {
      return memoryToken;
    }
  }

  function setToken(token) {
    token = normalizeToken(token);
    memoryToken = token;
    try {
      if (token) window.localStorage.setItem(TOKEN_KEY, token);
      else window.localStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* private mode etc.: keep it in memory only */
    }
    return token;
  }

  // Accept "Bearer xyz" and stray quotes/whitespace from copy-paste.
  function normalizeToken(value) {
    var t = String(value == null ? '' : value).trim();
    t = t.replace(/^bearer\s+/i, '').replace(/^"(.*)"$/, '$1').trim();
    return t || null;
  }

  // ---- top bar -------------------------------------------------------------

  var form = document.getElementById('token-form');
  var input = document.getElementById('token-input');
  var clearButton = document.getElementById('token-clear');
  var statusEl = document.getElementById('token-status');

  function showToken(message) {
    var token = getToken();
    input.value = token || '';
    statusEl.textContent = message || (token ? 'token set' : 'no token');
    statusEl.classList.toggle('is-set', !!token);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var token = setToken(input.value);
    showToken(token ? 'saved' : 'cleared');
    tokenChanged();
  });

  clearButton.addEventListener('click', function () {
    setToken(null);
    showToken('cleared');
    tokenChanged();
  });

  // Another tab logged in or out.
  window.addEventListener('storage', function (event) {
    if (event.key === TOKEN_KEY) {
      memoryToken = event.newValue;
      showToken();
      tokenChanged();
    }
  });

  // ---- fetcher -------------------------------------------------------------

  // If a response carries data.login.accessToken, keep it (convenience).
  function captureLoginToken(response) {
    var type = response.headers.get('content-type') || '';
    if (!response.ok || type.indexOf('application/json') === -1) return;
    response
      .clone()
      .json()
      .then(function (body) {
        var token =
          body && body.data && body.data.login && body.data.login.accessToken;
        if (typeof token === 'string' && token) {
          setToken(token);
          showToken('saved from login');
          tokenChanged();
        }
      })
      .catch(function () {
        /* not JSON after all: nothing to capture */
      });
  }

  // fetch() used by GraphiQL for every HTTP request (queries, mutations and
  // schema introspection). The token is read here, at request time, so a newly
  // saved token applies to the next request without a reload. A header typed
  // into GraphiQL's "Headers" editor wins over the saved token.
  function authFetch(resource, init) {
    init = init || {};
    var headers = new Headers(init.headers || {});
    if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
    var token = getToken();
    if (token && !headers.has('authorization')) {
      headers.set('Authorization', 'Bearer ' + token);
    }
    return window
      .fetch(resource, Object.assign({}, init, { headers: headers }))
      .then(function (response) {
        captureLoginToken(response);
        return response;
      });
  }

  // GraphiQL.createFetcher (graphiql 3.8.x / @graphiql/toolkit): HTTP goes
  // through `fetch`; subscriptions go over graphql-ws ("graphql-transport-ws"
  // protocol) to `subscriptionUrl`, with `wsConnectionParams` (merged with the
  // Headers editor's headers) as the connection_init payload. The toolkit opens
  // a new WebSocket client for each subscription, so building the options per
  // call puts the current token into every connection_init.
  function makeFetcher() {
    return function fetcher(graphQLParams, fetcherOpts) {
      var token = getToken();
      var graphiqlFetcher = GraphiQL.createFetcher({
        url: GRAPHQL_URL,
        subscriptionUrl: SUBSCRIPTION_URL,
        fetch: authFetch,
        wsConnectionParams: token ? { Authorization: 'Bearer ' + token } : {}
      });
      return graphiqlFetcher(graphQLParams, fetcherOpts);
    };
  }

  // ---- GraphiQL ------------------------------------------------------------

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var fetcher = makeFetcher();

  function render() {
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: DEFAULT_QUERY,
        shouldPersistHeaders: false
      })
    );
  }

  // A new fetcher identity makes GraphiQL re-run schema introspection, so the
  // docs explorer reflects what the new token (or no token) may see.
  function tokenChanged() {
    fetcher = makeFetcher();
    render();
  }

  showToken();
  render();
})();
