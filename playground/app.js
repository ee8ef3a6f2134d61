/*
 * ERP GraphQL playground: mounts GraphiQL (vendor/graphiql.min.js, UMD build,
 * global `GraphiQL`) under the token bar. Everything is served from /playground;
 * no external resources, no inline scripts (the page runs under a strict CSP).
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'erp.playground.token';
  var REFRESH_KEY = 'erp.playground.refresh';
  var GRAPHQL_URL = location.origin + '/graphql';
  var SUBSCRIPTION_URL =
    (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';

  // First view: a login that works as it is (a demo user), the demo users, and
  // business samples in tabs of their own. Only the login tab is open at first, and
  // it uses nothing an anonymous schema hides, so nothing is marked red before login.
  var LOGIN_TAB = [
    '# ERP GraphQL playground',
    '#',
    '# 1. Run "Login" (the run button). The access token is saved in the top bar',
    '#    and sent with every request and subscription; when it expires the',
    '#    playground renews it with the refresh token, or says it expired.',
    '# 2. Open the other tabs: a business query and a subscription.',
    '#',
    '# Demo users of tenant "demo" (password demo-password-123):',
    '#   lucas.meyer@demo.test   manager: every deal of the team',
    '#   olivia.hart@demo.test   sales rep: only her own leads and deals',
    '#   noah.brooks@demo.test   sales rep',
    '#   mia.patel@demo.test     sales rep',
    '# and admin@demo.test (the password printed at the first start).',
    '',
    'mutation Login {',
    '  login(input: { tenant: "demo", email: "lucas.meyer@demo.test", password: "demo-password-123" }) {',
    '    accessToken',
    '    refreshToken',
    '    expiresIn',
    '    user { id displayName }',
    '  }',
    '}',
    ''
  ].join('\n');

  var BUSINESS_TAB = [
    '# Open deals with their customer, stage and owner (sign in first).',
    'query OpenDeals {',
    '  opportunities(first: 10, filter: { status: [OPEN] }) {',
    '    totalCount',
    '    nodes {',
    '      title',
    '      amount { amount currency }',
    '      stage { name }',
    '      customer { name }',
    '      owner { displayName }',
    '    }',
    '  }',
    '}',
    ''
  ].join('\n');

  var SUBSCRIPTION_TAB = [
    '# Run this, then change an opportunity (here in another tab or anywhere):',
    '# each change arrives below. Refetch what you need through queries.',
    'subscription Changes {',
    '  opportunityChanged { id kind action version }',
    '}',
    '',
    '# Your own notifications (assignments, won deals, due activities):',
    '# subscription Inbox { notificationReceived { kind title entity entityId } }',
    ''
  ].join('\n');

  var DEFAULT_TABS = [
    { query: LOGIN_TAB },
    { query: BUSINESS_TAB },
    { query: SUBSCRIPTION_TAB }
  ];

  // ---- token storage -------------------------------------------------------

  var memory = {}; // fallback when localStorage is unavailable

  function load(key) {
    try {
      return window.localStorage.getItem(key) || null;
    } catch (e) {
      return memory[key] || null;
    }
  }

  function store(key, value) {
    memory[key] = value;
    try {
      if (value) window.localStorage.setItem(key, value);
      else window.localStorage.removeItem(key);
    } catch (e) {
      /* private mode etc.: keep it in memory only */
    }
  }

  function getToken() {
    return load(TOKEN_KEY);
  }

  function setToken(token) {
    token = normalizeToken(token);
    store(TOKEN_KEY, token);
    return token;
  }

  function getRefresh() {
    return load(REFRESH_KEY);
  }

  function setRefresh(token) {
    store(REFRESH_KEY, token || null);
  }

  // Accept "Bearer xyz" and stray quotes/whitespace from copy-paste.
  function normalizeToken(value) {
    var t = String(value == null ? '' : value).trim();
    t = t.replace(/^bearer\s+/i, '').replace(/^"(.*)"$/, '$1').trim();
    return t || null;
  }

  // When an access token (a JWT) expires, in ms since the epoch; null for what is
  // not a JWT (an API key never expires by itself).
  function expiresAt(token) {
    var parts = String(token || '').split('.');
    if (parts.length !== 3) return null;
    try {
      var json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
      var exp = JSON.parse(json).exp;
      return typeof exp === 'number' ? exp * 1000 : null;
    } catch (e) {
      return null;
    }
  }

  // Whether the token expires within the next few seconds (or has).
  function isExpired(token) {
    var at = expiresAt(token);
    return at !== null && at - 5000 <= Date.now();
  }

  // ---- top bar -------------------------------------------------------------

  var form = document.getElementById('token-form');
  var input = document.getElementById('token-input');
  var clearButton = document.getElementById('token-clear');
  var statusEl = document.getElementById('token-status');

  function showToken(message) {
    var token = getToken();
    input.value = token || '';
    var expired = token && isExpired(token);
    var text = message;
    if (!text) {
      if (!token) text = 'no token';
      else if (expired) text = 'token expired: log in again';
      else {
        var at = expiresAt(token);
        text = at === null ? 'token set' :
          'token set, expires in ' + Math.max(1, Math.round((at - Date.now()) / 60000)) + ' min';
      }
    }
    statusEl.textContent = text;
    statusEl.classList.toggle('is-set', !!token && !expired);
    statusEl.classList.toggle('is-expired', !!expired);
  }

  // The bar keeps telling the truth while the page stays open.
  window.setInterval(function () {
    if (getToken()) showToken();
  }, 30000);

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var token = setToken(input.value);
    setRefresh(null); // a pasted token comes without its refresh token
    showToken(token ? 'saved' : 'cleared');
    tokenChanged();
  });

  clearButton.addEventListener('click', function () {
    setToken(null);
    setRefresh(null);
    showToken('cleared');
    tokenChanged();
  });

  // Another tab logged in or out.
  window.addEventListener('storage', function (event) {
    if (event.key === TOKEN_KEY) {
      memory[TOKEN_KEY] = event.newValue;
      showToken();
      tokenChanged();
    }
  });

  // ---- fetcher -------------------------------------------------------------

  // Keeps the tokens of a login or refreshSession answer.
  function keepTokens(body) {
    var data = body && body.data;
    var payload = data && (data.login || data.refreshSession);
    if (payload && typeof payload.accessToken === 'string' && payload.accessToken) {
      setToken(payload.accessToken);
      if (typeof payload.refreshToken === 'string') setRefresh(payload.refreshToken);
      return true;
    }
    return false;
  }

  // If a response carries a login's tokens, keep them (convenience).
  function captureLoginToken(response) {
    var type = response.headers.get('content-type') || '';
    if (!response.ok || type.indexOf('application/json') === -1) return;
    response
      .clone()
      .json()
      .then(function (body) {
        if (keepTokens(body)) {
          showToken('saved from login');
          tokenChanged();
        }
      })
      .catch(function () {
        /* not JSON after all: nothing to capture */
      });
  }

  // Whether a request body runs `login` or `refreshSession`: those never carry the
  // saved token (an expired one would only make the server refuse them).
  function signsIn(body) {
    try {
      var query = JSON.parse(body).query || '';
      return /\b(login|refreshSession)\s*\(/.test(query);
    } catch (e) {
      return false;
    }
  }

  var refreshing = null;

  // A token that is not expired: the saved one, or one renewed with the refresh
  // token; null when there is none or renewal failed (the bar says so).
  function freshToken() {
    var token = getToken();
    if (!token || !isExpired(token)) return Promise.resolve(token);
    var refresh = getRefresh();
    if (!refresh) {
      showToken('token expired: log in again');
      return Promise.resolve(null);
    }
    if (!refreshing) {
      showToken('token expired: renewing…');
      refreshing = window
        .fetch(GRAPHQL_URL, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            query: 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }',
            variables: { t: refresh }
          })
        })
        .then(function (response) {
          return response.json();
        })
        .then(function (body) {
          if (keepTokens(body)) {
            showToken('token renewed');
            return getToken();
          }
          setRefresh(null);
          showToken('token expired: log in again');
          return null;
        })
        .catch(function () {
          showToken('token expired: log in again');
          return null;
        })
        .then(function (token) {
          refreshing = null;
          return token;
        });
    }
    return refreshing;
  }

  // fetch() used by GraphiQL for every HTTP request (queries, mutations and
  // schema introspection). The token is read here, at request time, so a newly
  // saved token applies to the next request without a reload; an expired one is
  // renewed first, and never sent. A header typed into GraphiQL's "Headers"
  // editor wins over the saved token.
  function authFetch(resource, init) {
    init = init || {};
    var headers = new Headers(init.headers || {});
    if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
    var anonymous = signsIn(init.body);
    return (anonymous ? Promise.resolve(null) : freshToken())
      .then(function (token) {
        if (token && !headers.has('authorization')) {
          headers.set('Authorization', 'Bearer ' + token);
        }
        return window.fetch(resource, Object.assign({}, init, { headers: headers }));
      })
      .then(function (response) {
        captureLoginToken(response);
        return response;
      });
  }

  // GraphiQL.createFetcher (graphiql 3.8.x / @graphiql/toolkit): HTTP goes
  // through `fetch`; subscriptions go over graphql-ws ("graphql-transport-ws"
  // protocol, bundled in graphiql.min.js) to `subscriptionUrl`, with
  // `wsConnectionParams` (merged with the Headers editor's headers) as the
  // connection_init payload. The toolkit opens a new WebSocket client for each
  // subscription, so building the options per call (after renewing an expired
  // token) puts a valid token into every connection_init.
  function makeFetcher() {
    return function fetcher(graphQLParams, fetcherOpts) {
      var subscription = /^\s*subscription\b/m.test(
        String((graphQLParams && graphQLParams.query) || '').replace(/#[^\n]*/g, '')
      );
      var ready = subscription ? freshToken() : Promise.resolve(getToken());
      return ready.then(function (token) {
        var graphiqlFetcher = GraphiQL.createFetcher({
          url: GRAPHQL_URL,
          subscriptionUrl: SUBSCRIPTION_URL,
          fetch: authFetch,
          wsConnectionParams: token ? { Authorization: 'Bearer ' + token } : {}
        });
        return graphiqlFetcher(graphQLParams, fetcherOpts);
      });
    };
  }

  // ---- GraphiQL ------------------------------------------------------------

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var fetcher = makeFetcher();

  function render() {
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultTabs: DEFAULT_TABS,
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
