// The libcors Chromium suite: test policies and the case table.
//
// Every expected outcome below is written from the Fetch standard
// (https://fetch.spec.whatwg.org/#http-cors-protocol) and docs/semantics.md, never
// copied from what the server answered. For each request step a case states:
//   browser:  'ok' (fetch resolves / XHR load event) or 'blocked' (fetch rejects
//             with a TypeError / XHR error event)
//   log:      the libcors verdicts the demo server logs for this step, in order:
//             'P' a preflight, 'A' an actual CORS request, 'N' a non-CORS one;
//             '!reason' when libcors does not allow it, '~' when the policy is
//             report-only. 'P A' = an allowed preflight, then the actual request.
//             '' = nothing reached the server.
//   status:   the status script sees (only for 'ok')
//   readable: response header name -> can script read it
//   timing:   (cases with `timing: true`) 'visible' or 'hidden': do the page's
//             Resource Timing details of the request (transferSize,
//             requestStart, responseStart) pass the timing allow check
//             (Fetch "TAO check": Timing-Allow-Origin lists the page's origin
//             or "*"), or are they zeroed / absent
'use strict';

// The two outcomes most steps have, in the fields above: script sees a 200
// (log says which steps reached the server and what libcors decided), or the
// browser blocks the response (log as above, '!reason' where libcors refused).
const ok = log => ({ browser: 'ok', status: 200, log });
const blocked = log => ({ browser: 'blocked', log });

// Origins a page can be loaded from. Chromium resolves every *.localhost name
// to loopback, so one page server on 127.0.0.1 serves them all.
// port: 'main' (listed in the policies), 'alt' (a second page port, for the
// port wildcard), 'public' (a port Chromium is told to treat as a public
// address, for Local/Private Network Access).
const ORIGINS = {
    app:      { host: 'app.localhost', port: 'main' },
    other:    { host: 'other.localhost', port: 'main' },
    app2:     { host: 'app.localhost', port: 'alt' },
    other2:   { host: 'other.localhost', port: 'alt' },
    sub1:     { host: 'x.sub.localhost', port: 'main' },
    sub2:     { host: 'a.b.sub.localhost', port: 'main' },
    subapex:  { host: 'sub.localhost', port: 'main' },
    sublike:  { host: 'evilsub.localhost', port: 'main' },
    sub1alt:  { host: 'x.sub.localhost', port: 'alt' },
    r1:       { host: 'r1.localhost', port: 'main' },
    r42:      { host: 'r42.localhost', port: 'main' },
    rx:       { host: 'rx.localhost', port: 'main' },
    rtail:    { host: 'r1.localhost.evil.localhost', port: 'main' },
    null:     { host: 'app.localhost', port: 'main', sandbox: true },
    pub:      { host: 'pub.localhost', port: 'public' },
    pubok:    { host: 'pna.localhost', port: 'public', grant: ['local-network-access'] },
};

// Route-level policies, one per path prefix on a single demo server. 'main'
// is the gateway-level policy (--policy): it covers every other path.
// o(name) is the serialized origin of ORIGINS[name] for this run's ports.
function policies(o, ports) {
    return {
        main: {
            allowOrigins: [o('app')],
            allowMethods: ['GET', 'PUT', 'DELETE', 'PATCH'],
            allowHeaders: ['x-custom', 'content-type'],
            exposeHeaders: ['vary'],
            maxAge: 0,
        },
        creds: {
            allowOrigins: [o('app')],
            allowCredentials: true,
            allowMethods: ['GET', 'PUT'],
            allowHeaders: ['x-custom'],
            maxAge: 0,
        },
        public: {
            allowOrigins: ['*'],
            allowMethods: ['*'],
            allowHeaders: ['x-custom'],
            exposeHeaders: ['date'],
            maxAge: 0,
        },
        starcreds: {
            allowOrigins: ['*'],
            allowCredentials: true,
            allowMethods: ['GET', 'PUT'],
            allowHeaders: ['x-custom'],
            exposeHeaders: ['*'],
            maxAge: 0,
        },
        authstar: {
            allowOrigins: [o('app')],
            allowMethods: ['GET', 'PUT'],
            allowHeaders: ['*'],
            exposeHeaders: ['www-authenticate'],
            maxAge: 0,
        },
        wild: {
            allowOrigins: [`http://*.sub.localhost:${ports.main}`],
            allowMethods: ['GET', 'PUT'],
            allowHeaders: ['x-custom'],
            maxAge: 0,
        },
        port: {
            allowOrigins: ['http://app.localhost:*'],
            allowMethods: ['GET', 'DELETE'],
            maxAge: 0,
        },
        regex: {
            // Matched against the whole origin (libcors anchors both ends).
            allowOriginRegex: ['http://r[0-9]+\\.localhost(:[0-9]+)?'],
            allowMethods: ['GET', 'PATCH'],
            allowHeaders: ['x-custom'],
            maxAge: 0,
        },
        null: {
            allowOrigins: ['null', o('app')],
            allowMethods: ['GET', 'PUT'],
            allowHeaders: ['x-custom'],
            maxAge: 0,
        },
        maxage: {
            allowOrigins: [o('app')],
            allowMethods: ['PUT'],
            allowHeaders: ['x-custom'],
            maxAge: 60,
        },
        maxage0: {
            allowOrigins: [o('app')],
            allowMethods: ['PUT'],
            allowHeaders: ['x-custom'],
            maxAge: 0,
        },
        status: {
            allowOrigins: [o('app')],
            allowMethods: ['PUT'],
            preflightStatus: 204,
            rejectStatus: 200,
            maxAge: 0,
        },
        report: {
            allowOrigins: [o('app')],
            allowMethods: ['PUT'],
            reportOnly: true,
            maxAge: 0,
        },
        // timingAllowOrigin: Timing-Allow-Origin on allowed actual responses
        timing: {
            allowOrigins: [o('app')],
            allowMethods: ['GET'],
            timingAllowOrigin: true,
            maxAge: 0,
        },
        timingpublic: {
            allowOrigins: ['*'],
            timingAllowOrigin: true,
            maxAge: 0,
        },
        lna: {
            // allowPrivateNetwork stays off on purpose: a request carrying
            // Access-Control-Request-Private-Network: true would be refused.
            allowOrigins: [o('pub'), o('pubok')],
            allowMethods: ['PUT'],
            allowHeaders: ['x-custom'],
            maxAge: 0,
        },
    };
}

// Paths: /anything/<route>/<case> is served by the echo endpoint and governed
// by the route's policy (prefix /anything/<route>/), except 'main', which is
// the gateway policy. /private is routed to 'authstar' (prefix /private).
// endpoint 'missing' is a path the server answers 404 (gateway policy).
// endpoint 'response-headers' is the demo server's /response-headers (gateway
// policy): its handler sets the response headers handlerHeaders(o) names,
// CORS headers of its own included, which the server must remove before it
// applies libcors' headers (the policy alone speaks CORS).

const BODY = 'payload';

const CASES = [
    // ---- simple requests (no preflight) --------------------------------
    { name: 'simple-get-allowed', route: 'main', from: 'app', method: 'GET', expect: ok('A') },
    { name: 'simple-get-denied-origin', route: 'main', from: 'other', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'simple-get-xhr-allowed', route: 'main', from: 'app', via: 'xhr', method: 'GET', expect: ok('A') },
    { name: 'simple-get-xhr-denied-origin', route: 'main', from: 'other', via: 'xhr', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'simple-post-text-plain-allowed', route: 'main', from: 'app', method: 'POST', body: BODY, expect: ok('A') },
    { name: 'simple-post-denied-still-reaches-server', route: 'main', from: 'other', method: 'POST', body: BODY,
      expect: blocked('A!origin-not-allowed') },
    { name: 'simple-head-allowed', route: 'main', from: 'app', method: 'HEAD', expect: ok('A') },
    { name: 'simple-get-api-localhost-name', route: 'main', from: 'app', api: 'name', method: 'GET', expect: ok('A') },
    { name: 'simple-get-safelisted-accept-no-preflight', route: 'main', from: 'app', method: 'GET',
      headers: { Accept: 'application/json' },
      expect: ok('A') },
    { name: 'error-404-carries-cors-headers', route: 'main', from: 'app', endpoint: 'missing', method: 'GET',
      expect: { browser: 'ok', status: 404, log: 'A' } },
    { name: 'error-401-carries-cors-headers', route: 'authstar', from: 'app', endpoint: 'private', method: 'GET',
      read: ['www-authenticate'],
      expect: { browser: 'ok', status: 401, log: 'A', readable: { 'www-authenticate': true } } },

    // A handler that sets its own CORS headers, echoing the page's origin with
    // credentials: for a denied origin they are removed (only Vary is left),
    // so the browser blocks the response; for an allowed origin the policy's
    // headers replace them.
    { name: 'handler-cors-headers-denied-origin-blocked', route: 'main', from: 'other',
      endpoint: 'response-headers', method: 'GET', credentials: 'include',
      handlerHeaders: o => ({ 'Access-Control-Allow-Origin': o('other'),
                              'Access-Control-Allow-Credentials': 'true',
                              'Access-Control-Expose-Headers': 'x-secret' }),
      expect: blocked('A!origin-not-allowed') },
    { name: 'handler-cors-headers-allowed-origin-policy-wins', route: 'main', from: 'app',
      endpoint: 'response-headers', method: 'GET', read: ['x-secret', 'vary'],
      handlerHeaders: o => ({ 'Access-Control-Allow-Origin': o('other'),
                              'Access-Control-Expose-Headers': 'x-secret', 'X-Secret': '1' }),
      expect: { browser: 'ok', status: 200, log: 'A', readable: { 'x-secret': false, vary: true } } },

    // ---- preflighted methods --------------------------------------------
    { name: 'preflight-put-allowed', route: 'main', from: 'app', method: 'PUT', body: BODY, expect: ok('P A') },
    { name: 'preflight-delete-allowed', route: 'main', from: 'app', method: 'DELETE', expect: ok('P A') },
    { name: 'preflight-patch-allowed', route: 'main', from: 'app', method: 'PATCH', body: BODY, expect: ok('P A') },
    { name: 'preflight-put-xhr-allowed', route: 'main', from: 'app', via: 'xhr', method: 'PUT', body: BODY,
      expect: ok('P A') },
    { name: 'preflight-put-denied-origin', route: 'main', from: 'other', method: 'PUT', body: BODY,
      expect: blocked('P!origin-not-allowed') },
    { name: 'preflight-delete-denied-origin', route: 'main', from: 'other', method: 'DELETE',
      expect: blocked('P!origin-not-allowed') },
    { name: 'preflight-patch-denied-origin', route: 'main', from: 'other', method: 'PATCH', body: BODY,
      expect: blocked('P!origin-not-allowed') },
    { name: 'preflight-method-not-listed', route: 'main', from: 'app', method: 'PURGE',
      expect: blocked('P!method-not-allowed') },
    // Fetch upper-cases only DELETE GET HEAD OPTIONS POST PUT; 'patch' is sent
    // as written and methods compare case-sensitively.
    { name: 'preflight-lowercase-patch-not-normalized', route: 'main', from: 'app', method: 'patch', body: BODY,
      expect: blocked('P!method-not-allowed') },
    { name: 'preflight-lowercase-delete-normalized', route: 'main', from: 'app', method: 'delete', expect: ok('P A') },
    { name: 'preflight-post-json-content-type-listed', route: 'main', from: 'app', method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: '{}',
      expect: ok('P A') },

    // ---- request headers -------------------------------------------------
    { name: 'header-custom-allowed', route: 'main', from: 'app', method: 'GET', headers: { 'X-Custom': '1' },
      expect: ok('P A') },
    { name: 'header-custom-allowed-any-case', route: 'main', from: 'app', method: 'GET', headers: { 'X-CUSTOM': '1' },
      expect: ok('P A') },
    { name: 'header-custom-denied', route: 'main', from: 'app', method: 'GET', headers: { 'X-Other': '1' },
      expect: blocked('P!header-not-allowed') },
    { name: 'header-one-of-two-denied', route: 'main', from: 'app', method: 'GET',
      headers: { 'X-Custom': '1', 'X-Other': '1' },
      expect: blocked('P!header-not-allowed') },
    { name: 'header-json-content-type-not-listed', route: 'creds', from: 'app', method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: '{}',
      expect: blocked('P!header-not-allowed') },
    // A safelisted name with a value over 128 bytes is no longer safelisted:
    // Chromium preflights it, and libcors does not allow names implicitly.
    { name: 'header-long-accept-needs-listing', route: 'main', from: 'app', method: 'GET',
      headers: { Accept: 'a/' + 'b'.repeat(130) },
      expect: blocked('P!header-not-allowed') },
    { name: 'header-authorization-not-listed', route: 'main', from: 'app', method: 'GET',
      headers: { Authorization: 'Bearer demo' },
      expect: blocked('P!header-not-allowed') },
    // allowHeaders ["*"]: libcors echoes the requested names, which covers
    // Authorization (a literal '*' in Access-Control-Allow-Headers would not).
    { name: 'header-authorization-with-star', route: 'authstar', from: 'app', endpoint: 'private', method: 'GET',
      headers: { Authorization: 'Bearer demo' },
      expect: ok('P A') },
    { name: 'header-star-many-names', route: 'authstar', from: 'app', method: 'PUT', body: BODY,
      headers: { 'X-One': '1', 'X-Two': '2', Authorization: 'Bearer x' },
      expect: ok('P A') },

    // ---- credentials -----------------------------------------------------
    { name: 'cred-include-echoed-origin', route: 'creds', from: 'app', method: 'GET', credentials: 'include',
      expect: ok('A') },
    { name: 'cred-include-preflight-put', route: 'creds', from: 'app', method: 'PUT', credentials: 'include',
      headers: { 'X-Custom': '1' }, body: BODY,
      expect: ok('P A') },
    { name: 'cred-xhr-with-credentials', route: 'creds', from: 'app', via: 'xhr', method: 'GET', credentials: 'include',
      expect: ok('A') },
    // '*' with allowCredentials: libcors echoes the origin (Gateway API rule).
    { name: 'cred-include-star-with-allow-credentials', route: 'starcreds', from: 'other', method: 'GET',
      credentials: 'include',
      expect: ok('A') },
    // '*' without credentials: the literal '*', which a credentialed request
    // may not use. The server answers (origin allowed) but the browser blocks.
    { name: 'cred-include-star-public-blocked', route: 'public', from: 'app', method: 'GET', credentials: 'include',
      expect: blocked('A') },
    { name: 'cred-include-preflight-star-public-blocked', route: 'public', from: 'app', method: 'PUT',
      credentials: 'include', headers: { 'X-Custom': '1' }, body: BODY,
      expect: blocked('P') },
    { name: 'cred-include-without-allow-credentials', route: 'main', from: 'app', method: 'GET', credentials: 'include',
      expect: blocked('A') },
    { name: 'public-get-any-origin', route: 'public', from: 'other', method: 'GET', expect: ok('A') },
    { name: 'public-put-any-method', route: 'public', from: 'other2', method: 'PUT', headers: { 'X-Custom': '1' },
      body: BODY,
      expect: ok('P A') },

    // ---- exposed response headers ----------------------------------------
    // Vary and Date are not CORS-safelisted response headers; Content-Type is.
    { name: 'expose-listed-readable', route: 'main', from: 'app', method: 'GET', read: ['vary', 'content-type'],
      expect: { browser: 'ok', status: 200, log: 'A', readable: { vary: true, 'content-type': true } } },
    { name: 'expose-unlisted-unreadable', route: 'creds', from: 'app', method: 'GET', read: ['vary', 'content-type'],
      expect: { browser: 'ok', status: 200, log: 'A', readable: { vary: false, 'content-type': true } } },
    { name: 'expose-public-listed-readable', route: 'public', from: 'other', method: 'GET', read: ['date'],
      expect: { browser: 'ok', status: 200, log: 'A', readable: { date: true } } },
    { name: 'expose-star-readable-without-credentials', route: 'starcreds', from: 'app', method: 'GET',
      read: ['vary'],
      expect: { browser: 'ok', status: 200, log: 'A', readable: { vary: true } } },
    { name: 'expose-star-unreadable-with-credentials', route: 'starcreds', from: 'app', method: 'GET',
      credentials: 'include', read: ['vary'],
      expect: { browser: 'ok', status: 200, log: 'A', readable: { vary: false } } },

    // ---- subdomain wildcard http://*.sub.localhost:PORT -------------------
    { name: 'wild-one-label', route: 'wild', from: 'sub1', method: 'GET', expect: ok('A') },
    { name: 'wild-two-labels', route: 'wild', from: 'sub2', method: 'GET', expect: ok('A') },
    { name: 'wild-apex-denied', route: 'wild', from: 'subapex', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'wild-lookalike-denied', route: 'wild', from: 'sublike', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'wild-other-port-denied', route: 'wild', from: 'sub1alt', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'wild-preflight-put', route: 'wild', from: 'sub2', method: 'PUT', headers: { 'X-Custom': '1' }, body: BODY,
      expect: ok('P A') },

    // ---- port wildcard http://app.localhost:* -----------------------------
    { name: 'port-wildcard-first-port', route: 'port', from: 'app', method: 'GET', expect: ok('A') },
    { name: 'port-wildcard-second-port', route: 'port', from: 'app2', method: 'GET', expect: ok('A') },
    { name: 'port-wildcard-other-host-denied', route: 'port', from: 'other2', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'port-wildcard-preflight-delete', route: 'port', from: 'app2', method: 'DELETE', expect: ok('P A') },

    // ---- regex origin ------------------------------------------------------
    { name: 'regex-allowed', route: 'regex', from: 'r1', method: 'GET', expect: ok('A') },
    { name: 'regex-denied', route: 'regex', from: 'rx', method: 'GET', expect: blocked('A!origin-not-allowed') },
    { name: 'regex-anchored-at-end', route: 'regex', from: 'rtail', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'regex-preflight-patch', route: 'regex', from: 'r42', method: 'PATCH', headers: { 'X-Custom': '1' },
      body: BODY,
      expect: ok('P A') },

    // ---- the null origin (sandboxed iframe) ---------------------------------
    { name: 'null-origin-listed', route: 'null', from: 'null', method: 'GET', expect: ok('A') },
    { name: 'null-origin-not-listed', route: 'main', from: 'null', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'null-origin-listed-preflight', route: 'null', from: 'null', method: 'PUT', headers: { 'X-Custom': '1' },
      body: BODY,
      expect: ok('P A') },
    { name: 'null-origin-wildcard-never-matches', route: 'wild', from: 'null', method: 'GET',
      expect: blocked('A!origin-not-allowed') },
    { name: 'null-origin-public-star', route: 'public', from: 'null', method: 'GET', expect: ok('A') },

    // ---- preflight cache (Access-Control-Max-Age) ---------------------------
    // Two identical requests to the same URL: within max-age Chromium reuses
    // the cached preflight; with max-age 0 it preflights again.
    // Firefox 153 ESR driven by puppeteer-core preflighted the second request
    // again although Access-Control-Max-Age was 60 (the standard and the
    // oracle say it may reuse the cached preflight for 60 s): recorded as seen.
    // A minimal page and server without libcors behave the same, so it is
    // Firefox under WebDriver BiDi automation, not the answer's headers.
    { name: 'maxage-60-second-request-not-preflighted', route: 'maxage', from: 'app', method: 'PUT',
      headers: { 'X-Custom': '1' }, body: BODY, repeat: 2,
      expect: { browser: ['ok', 'ok'], status: 200, log: ['P A', 'A'] },
      byEngine: { firefox: { expect: { log: ['P A', 'P A'] } } } },
    { name: 'maxage-0-second-request-preflighted', route: 'maxage0', from: 'app', method: 'PUT',
      headers: { 'X-Custom': '1' }, body: BODY, repeat: 2,
      expect: { browser: ['ok', 'ok'], status: 200, log: ['P A', 'P A'] } },

    // ---- preflight statuses and rejected preflights ----------------------------
    { name: 'preflight-status-204-allowed', route: 'status', from: 'app', method: 'PUT', body: BODY,
      expect: ok('P A') },
    // rejectStatus 200: a 2xx preflight without CORS headers is still a failure.
    { name: 'reject-status-200-still-rejected', route: 'status', from: 'other', method: 'PUT', body: BODY,
      expect: blocked('P!origin-not-allowed') },
    { name: 'reject-method-never-sends-actual', route: 'status', from: 'app', method: 'DELETE',
      expect: blocked('P!method-not-allowed') },

    // ---- report-only: verdicts logged, no headers sent ------------------------
    { name: 'report-only-simple-get', route: 'report', from: 'app', method: 'GET', expect: blocked('A~') },
    { name: 'report-only-preflight-goes-to-handler', route: 'report', from: 'app', method: 'PUT', body: BODY,
      expect: blocked('P~') },

    // ---- Resource Timing (timingAllowOrigin) ---------------------------------
    // A cross-origin page sees a resource's timing details only when the
    // response passes the TAO check (W3C Resource Timing "timing allow check",
    // Fetch "TAO check"); otherwise transferSize, requestStart, responseStart
    // are 0. timingAllowOrigin sends Timing-Allow-Origin with the
    // Access-Control-Allow-Origin value on allowed actual responses only.
    { name: 'timing-allow-origin-details-visible', route: 'timing', from: 'app', method: 'GET', timing: true,
      expect: { browser: 'ok', status: 200, log: 'A', timing: 'visible' } },
    { name: 'timing-allow-origin-denied-origin-hidden', route: 'timing', from: 'other', method: 'GET',
      timing: true,
      expect: { browser: 'blocked', log: 'A!origin-not-allowed', timing: 'hidden' } },
    { name: 'timing-allow-origin-star-any-origin-visible', route: 'timingpublic', from: 'other', method: 'GET',
      timing: true,
      expect: { browser: 'ok', status: 200, log: 'A', timing: 'visible' } },
    // CORS alone (no timingAllowOrigin): the response is readable, its timing is not
    { name: 'timing-cors-without-timing-allow-origin-hidden', route: 'main', from: 'app', method: 'GET',
      timing: true,
      expect: { browser: 'ok', status: 200, log: 'A', timing: 'hidden' } },

    // ---- Private / Local Network Access ------------------------------------
    // Chromium 156 sends no Private Network Access preflights any more: a page
    // on a public address reaching loopback needs the Local Network Access
    // permission. Without it the request is blocked before it leaves the
    // browser; with it, requests go out as plain CORS requests, without
    // Access-Control-Request-Private-Network (the 'lna' policy does not allow
    // private network access, so such a header would fail the preflight).
    // Firefox: the 'public' port is declared public with the pref
    // network.lna.address_space.public.override, and its 'loopback-network'
    // permission is denied ('pub') or granted ('pubok') over WebDriver BiDi;
    // it then does what Chromium does.
    { name: 'lna-permission-denied-nothing-sent', route: 'lna', from: 'pub', method: 'PUT',
      headers: { 'X-Custom': '1' }, body: BODY,
      expect: blocked('') },
    { name: 'lna-permission-granted-simple-no-preflight', route: 'lna', from: 'pubok', method: 'GET', expect: ok('A') },
    { name: 'lna-permission-granted-preflight-without-pna', route: 'lna', from: 'pubok', method: 'PUT',
      headers: { 'X-Custom': '1' }, body: BODY,
      expect: ok('P A') },
];

// The cases also run against Apache httpd with mod_cors as a second host
// (run.js --host apache): every case whose outcome does not depend on the demo
// server's own handlers (report-only handler answers, Local Network Access).
const APACHE_CASES = [
    'simple-get-allowed', 'simple-get-denied-origin', 'simple-get-xhr-allowed',
    'simple-get-xhr-denied-origin', 'simple-post-text-plain-allowed',
    'simple-post-denied-still-reaches-server', 'simple-head-allowed', 'simple-get-api-localhost-name',
    'error-404-carries-cors-headers', 'error-401-carries-cors-headers',
    'preflight-put-allowed', 'preflight-delete-allowed', 'preflight-patch-allowed',
    'preflight-put-denied-origin', 'preflight-method-not-listed',
    'header-custom-allowed', 'header-custom-denied', 'header-authorization-not-listed',
    'cred-include-echoed-origin', 'cred-include-preflight-put', 'cred-include-star-public-blocked',
    'cred-include-without-allow-credentials', 'public-get-any-origin',
    'expose-listed-readable', 'expose-unlisted-unreadable',
    'wild-one-label', 'wild-apex-denied', 'wild-lookalike-denied', 'port-wildcard-second-port',
    'regex-allowed', 'regex-denied', 'null-origin-listed', 'null-origin-not-listed',
    'preflight-status-204-allowed', 'reject-status-200-still-rejected', 'reject-method-never-sends-actual',
    'timing-allow-origin-details-visible', 'timing-allow-origin-denied-origin-hidden',
    'timing-allow-origin-star-any-origin-visible', 'timing-cors-without-timing-allow-origin-hidden',
];

module.exports = { ORIGINS, policies, CASES, APACHE_CASES };
