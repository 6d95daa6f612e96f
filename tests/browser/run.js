#!/usr/bin/env node
// libcors Chromium end-to-end suite (meson suite 'browser').
//
//   node run.js --server PATH/cors-demo-server --cors-eval PATH/cors-eval
//               --oracle PATH/fetch-oracle [--engine chromium|firefox]
//               [--node-dir DIR] [--chromium PATH] [--firefox PATH] [--only REGEX] [--list]
//
// Starts the demo server (one process, one route-level policy per path prefix)
// and an in-process page server, both on 127.0.0.1 with OS-chosen ports, then
// drives Debian's Chromium with playwright-core, or Debian's Firefox ESR with
// puppeteer-core over WebDriver BiDi (--engine firefox). Each case is a fetch() or
// XMLHttpRequest from a page on one origin to the server on another, and for
// every request step three accounts must agree:
//   1. the outcome written in cases.js (from the Fetch standard): resolved or
//      blocked, and the libcors verdicts expected in the server's log;
//   2. what the browser did: resolved or rejected (status, readable headers),
//      and which requests reached the server (preflight, actual request), from
//      the server's per-request log;
//   3. libcors' verdict: the decision/allowed/reason the server logged, which
//      must equal what cors-eval --json answers for the same request, and the
//      outcome libcors' Fetch oracle (fetch-oracle, built on cors_fetch_*)
//      predicts for the headers cors-eval returns.
// Output is TAP (one test point per case). Every process started here is
// stopped by its PID and the temporary folder is removed, also on failure.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const net = require('net');
const { spawn, spawnSync } = require('child_process');

const HERE = __dirname;
const { ORIGINS, policies: makePolicies, CASES, APACHE_CASES } = require('./cases.js');

// ---------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
    const a = { server: null, corsEval: null, oracle: null, nodeDir: null, chromium: '/usr/bin/chromium',
                firefox: '/usr/bin/firefox-esr', engine: 'chromium', only: null, list: false,
                host: 'demo', apache: '/usr/sbin/apache2', module: null, apacheModules: '/usr/lib/apache2/modules' };
    for (let i = 2; i < argv.length; i++) {
        const k = argv[i];
        const next = () => {
            if (i + 1 >= argv.length)
                usage(`${k} needs a value`);
            return argv[++i];
        };
        if (k === '--server') a.server = next();
        else if (k === '--cors-eval') a.corsEval = next();
        else if (k === '--oracle') a.oracle = next();
        else if (k === '--node-dir') a.nodeDir = next();
        else if (k === '--chromium') a.chromium = next();
        else if (k === '--firefox') a.firefox = next();
        else if (k === '--engine') a.engine = next();
        else if (k === '--only') a.only = new RegExp(next());
        else if (k === '--list') a.list = true;
        else if (k === '--host') a.host = next();
        else if (k === '--apache') a.apache = next();
        else if (k === '--module') a.module = path.resolve(next());
        else if (k === '--apache-modules') a.apacheModules = next();
        else usage(`unknown argument ${k}`);
    }
    if (a.engine !== 'chromium' && a.engine !== 'firefox')
        usage('--engine is chromium or firefox');
    if (a.host !== 'demo' && a.host !== 'apache')
        usage('--host is demo or apache');
    if (!a.list && a.host === 'demo' && (!a.server || !a.corsEval || !a.oracle))
        usage('--server, --cors-eval and --oracle are required');
    if (!a.list && a.host === 'apache' && (!a.module || !a.corsEval || !a.oracle))
        usage('--host apache needs --module PATH/mod_cors.so, --cors-eval and --oracle');
    return a;
}

function usage(msg) {
    process.stderr.write(`run.js: ${msg}\nusage: node run.js --server PATH --cors-eval PATH --oracle PATH ` +
                         `[--engine chromium|firefox] [--node-dir DIR] ` +
                         `[--host demo|apache --module mod_cors.so [--apache PATH] [--apache-modules DIR]] ` +
                         `[--chromium PATH] [--firefox PATH] [--only REGEX] [--list]\n`);
    process.exit(2);
}

// ---------------------------------------------------------------------------
// Cleanup: everything started is registered here and undone in reverse order.

const cleanups = [];
let cleaning = null;

function atCleanup(fn) {
    cleanups.push(fn);
}

function cleanup() {
    if (cleaning)
        return cleaning;
    cleaning = (async () => {
        while (cleanups.length) {
            const fn = cleanups.pop();
            try {
                await fn();
            } catch (e) {
                process.stderr.write(`cleanup: ${e && e.message}\n`);
            }
        }
    })();
    return cleaning;
}

function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

// Stops a child by its PID: SIGTERM, then SIGKILL after a grace period.
async function stopChild(child, name) {
    if (child.exitCode !== null || child.signalCode !== null)
        return;
    const exited = new Promise(r => child.once('exit', r));
    try {
        process.kill(child.pid, 'SIGTERM');
    } catch (e) {
        return;
    }
    const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
    if (!done) {
        process.stderr.write(`${name} (pid ${child.pid}) ignored SIGTERM; killing it\n`);
        try {
            process.kill(child.pid, 'SIGKILL');
        } catch (e) { /* already gone */ }
        await Promise.race([exited, sleep(2000)]);
    }
}

// ---------------------------------------------------------------------------
// playwright-core and puppeteer-core: installed from package-lock.json into
// --node-dir (npm ci) when they are not there yet or the lock file changed.

function loadDriver(nodeDir, name) {
    const lockSrc = path.join(HERE, 'package-lock.json');
    const lockDst = path.join(nodeDir, 'package-lock.json');
    const marker = path.join(nodeDir, 'node_modules', name, 'package.json');
    const fresh = fs.existsSync(marker) && fs.existsSync(lockDst) &&
                  fs.readFileSync(lockDst, 'utf8') === fs.readFileSync(lockSrc, 'utf8');
    if (!fresh) {
        fs.mkdirSync(nodeDir, { recursive: true });
        fs.copyFileSync(path.join(HERE, 'package.json'), path.join(nodeDir, 'package.json'));
        fs.copyFileSync(lockSrc, lockDst);
        const t0 = Date.now();
        const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
            cwd: nodeDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 180000,
            env: Object.assign({}, process.env, {
                npm_config_cache: path.join(nodeDir, '.npm-cache'),
                npm_config_update_notifier: 'false',
            }),
        });
        if (r.status !== 0)
            throw new Error(`npm ci in ${nodeDir} failed (status ${r.status}):\n${r.stdout}${r.stderr}` +
                            (r.error ? `\n${r.error.message}` : ''));
        console.log(`# npm ci (playwright-core, puppeteer-core) took ${Date.now() - t0} ms`);
    }
    return require(require.resolve(name, { paths: [nodeDir] }));
}

// The browser, behind one small interface for both drivers: the page, its
// version, waitFor(frame, fn), grant(permissions, origin) and close().
async function launchChromium(args, nodeDir, profile, home, ports) {
    const { chromium } = loadDriver(nodeDir, 'playwright-core');
    const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: args.chromium,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync',
               '--disable-dev-shm-usage',
               `--ip-address-space-overrides=127.0.0.1:${ports.public}=public`],
        env: Object.assign({}, process.env, {
            HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache'),
            TMPDIR: process.env.TMPDIR,
        }),
        timeout: 30000,
        // run.js handles the signals itself: cleanup() closes the browser.
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    atCleanup(() => withTimeout(ctx.close(), 10000, 'closing Chromium'));
    const version = ctx.browser() ? ctx.browser().version()
        : spawnSync(args.chromium, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const page = ctx.pages()[0] || await ctx.newPage();
    const driver = `playwright-core ${require(path.join(nodeDir, 'node_modules', 'playwright-core', 'package.json')).version}`;
    return {
        page, version, driver,
        waitFor: (frame, fn) => frame.waitForFunction(fn, null, { timeout: 5000 }),
        grant: (granted, origin) => (granted ? ctx.grantPermissions(['local-network-access'], { origin })
            : Promise.resolve()),
    };
}

async function launchFirefox(args, nodeDir, profile, home, ports) {
    const puppeteer = loadDriver(nodeDir, 'puppeteer-core');
    const browser = await puppeteer.launch({
        browser: 'firefox',
        executablePath: args.firefox,
        headless: true,
        userDataDir: profile,
        // the 'public' page port is a public address, as for Chromium
        extraPrefsFirefox: { 'network.lna.address_space.public.override': `127.0.0.1:${ports.public}` },
        env: Object.assign({}, process.env, { HOME: home, TMPDIR: process.env.TMPDIR }),
        timeout: 30000,
        handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    atCleanup(() => withTimeout(browser.close(), 10000, 'closing Firefox'));
    const page = (await browser.pages())[0] || await browser.newPage();
    const driver = `puppeteer-core ${require(path.join(nodeDir, 'node_modules', 'puppeteer-core', 'package.json')).version}`;
    return {
        page, version: await browser.version(), driver,
        waitFor: (frame, fn) => frame.waitForFunction(fn, { timeout: 5000 }),
        // Local Network Access: Firefox's 'loopback-network' permission, set
        // over WebDriver BiDi (granted or denied: a prompt would hang headless)
        grant: (granted, origin) => browser.defaultBrowserContext().setPermission(origin,
            { permission: { name: 'loopback-network' }, state: granted ? 'granted' : 'denied' }),
    };
}

// Listens on 127.0.0.1 on a port the system chooses, closed at cleanup;
// resolves to the port.
function listenLoopback(server) {
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            atCleanup(() => new Promise(r => {
                server.closeAllConnections();
                server.close(() => r());
            }));
            resolve(server.address().port);
        });
    });
}

// ---------------------------------------------------------------------------
// Page server: serves pages/ to every host name, on several loopback ports.

const PAGE_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

function startPageServer() {
    const files = {};
    for (const f of fs.readdirSync(path.join(HERE, 'pages')))
        files['/' + f] = { body: fs.readFileSync(path.join(HERE, 'pages', f)), type: PAGE_TYPES[path.extname(f)] };
    files['/'] = files['/index.html'];
    const server = http.createServer((req, res) => {
        const f = files[req.url.split('?')[0]];
        if (!f || req.method !== 'GET') {
            res.writeHead(404, { 'Content-Type': 'text/plain' });
            res.end('not found\n');
            return;
        }
        res.writeHead(200, { 'Content-Type': f.type || 'application/octet-stream', 'Cache-Control': 'no-store' });
        res.end(f.body);
    });
    return listenLoopback(server);
}

// ---------------------------------------------------------------------------
// Demo server

function startDemoServer(bin, args, stderrLines) {
    return new Promise((resolve, reject) => {
        const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        atCleanup(() => stopChild(child, 'cors-demo-server'));
        // Last resort if run.js itself goes down without cleaning up.
        process.on('exit', () => {
            if (child.exitCode === null && child.signalCode === null) {
                try {
                    process.kill(child.pid, 'SIGKILL');
                } catch (e) { /* gone */ }
            }
        });
        let out = '';
        let settled = false;
        const fail = msg => {
            if (!settled) {
                settled = true;
                reject(new Error(`${msg}\n${stderrLines.join('\n')}`));
            }
        };
        const timer = setTimeout(() => fail('cors-demo-server did not print its address within 10 s'), 10000);
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', d => stderrLines.push(...d.split('\n').filter(Boolean)));
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', d => {
            out += d;
            const m = /^listening http:\/\/127\.0\.0\.1:(\d+)\n/.exec(out);
            if (m && !settled) {
                settled = true;
                clearTimeout(timer);
                resolve({ child, port: Number(m[1]) });
            }
        });
        child.on('error', e => fail(`cannot start ${bin}: ${e.message}`));
        child.on('exit', (code, sig) => {
            clearTimeout(timer);
            fail(`cors-demo-server exited (${code === null ? sig : 'status ' + code}) before listening`);
        });
    });
}

class RequestLog {
    constructor(file, parse = JSON.parse) {
        this.file = file;
        this.seen = 0;
        this.parse = parse;
    }
    all() {
        if (!fs.existsSync(this.file))
            return [];
        return fs.readFileSync(this.file, 'utf8').split('\n').filter(Boolean);
    }
    // The lines logged since the last call, once the log has been quiet for
    // `quietMs` (the server logs each request as it answers it).
    async take(quietMs = 60, maxMs = 3000) {
        const t0 = Date.now();
        let n = this.all().length;
        let since = Date.now();
        while (Date.now() - since < quietMs && Date.now() - t0 < maxMs) {
            await sleep(20);
            const m = this.all().length;
            if (m !== n) {
                n = m;
                since = Date.now();
            }
        }
        const lines = this.all();
        const fresh = lines.slice(this.seen).map(l => this.parse(l));
        this.seen = lines.length;
        return fresh;
    }
}

// ---------------------------------------------------------------------------
// Apache httpd as the host (--host apache): mod_cors with the same policies,
// one <Location> per route, a request log in the demo server's JSON shape
// written by mod_log_config from the module's request notes, and an
// in-process upstream (mod_proxy) that answers every method under /anything/.

function startUpstream() {
    const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
            res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
            res.end(req.method === 'HEAD' ? undefined : `${req.method} ${req.url}\n`);
        });
    });
    return listenLoopback(server);
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const port = s.address().port;
            s.close(() => resolve(port));
        });
    });
}

async function waitPort(port, child, ms) {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
        if (child.exitCode !== null || child.signalCode !== null)
            return false;
        const ok = await new Promise(r => {
            const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); });
            c.on('error', () => r(false));
        });
        if (ok)
            return true;
        await sleep(50);
    }
    return false;
}

// policyFile: route name -> JSON file. Returns the port and the log reader.
async function startApache(args, dir, policyFile, logFile, stderrLines) {
    const upPort = await startUpstream();
    const port = await freePort();
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'www'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'htpasswd'), '');
    // the route of each policy file, as the demo server logs it
    const routeOf = {};
    const q = JSON.stringify;
    const locations = [];
    for (const [name, file] of Object.entries(policyFile)) {
        if (name === 'main') {
            routeOf[file] = 'main';
            continue;
        }
        routeOf[file] = `/anything/${name}/`;
        locations.push(`<Location /anything/${name}/>\n    CorsPolicy ${q(file)}\n</Location>`);
        if (name === 'authstar') {
            const priv = path.join(path.dirname(file), 'private.json');
            fs.copyFileSync(file, priv);
            routeOf[priv] = '/private';
            locations.push(`<Location /private>\n    CorsPolicy ${q(priv)}\n    AuthType Basic\n` +
                           `    AuthName private\n    AuthUserFile ${q(path.join(dir, 'htpasswd'))}\n` +
                           `    Require valid-user\n</Location>`);
        }
    }
    const mods = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'authz_user', 'auth_basic',
                  'proxy', 'proxy_http']
        .map(m => `LoadModule ${m}_module ${args.apacheModules}/mod_${m}.so`).join('\n');
    const json = '{\\"method\\":\\"%m\\",\\"path\\":\\"%U\\",\\"origin\\":\\"%{Origin}i\\",' +
        '\\"status\\":%>s,\\"decision\\":\\"%{cors-decision}n\\",\\"allowed\\":%{cors-allowed}n,' +
        '\\"reason\\":\\"%{cors-reason}n\\",\\"reportOnly\\":%{cors-report-only}n,' +
        '\\"policy\\":\\"%{cors-policy}n\\"}';
    const conf = [
        `ServerRoot ${q(dir)}`, 'ServerName 127.0.0.1', `Listen 127.0.0.1:${port}`,
        `PidFile ${q(path.join(dir, 'run', 'httpd.pid'))}`, `DefaultRuntimeDir ${q(path.join(dir, 'run'))}`,
        `Mutex file:${path.join(dir, 'run')} default`, `ErrorLog ${q(path.join(dir, 'error.log'))}`,
        'LogLevel warn', mods, `LoadModule cors_module ${q(args.module)}`,
        process.getuid && process.getuid() === 0 ? 'User www-data\nGroup www-data' : '',
        `LogFormat "${json}" corsjson`, `CustomLog ${q(logFile)} corsjson`,
        `DocumentRoot ${q(path.join(dir, 'www'))}`,
        `<Directory ${q(path.join(dir, 'www'))}>\n    Require all granted\n</Directory>`,
        `ProxyPass /anything/ http://127.0.0.1:${upPort}/anything/`,
        `CorsPolicy ${q(policyFile.main)}`,
        ...locations, '',
    ].join('\n');
    const confFile = path.join(dir, 'httpd.conf');
    fs.writeFileSync(confFile, conf);
    const child = spawn(args.apache, ['-d', dir, '-f', confFile, '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
    atCleanup(() => stopChild(child, 'apache2'));
    process.on('exit', () => {
        if (child.exitCode === null && child.signalCode === null) {
            try {
                process.kill(child.pid, 'SIGKILL');
            } catch (e) { /* gone */ }
        }
    });
    for (const stream of [child.stdout, child.stderr]) {
        stream.setEncoding('utf8');
        stream.on('data', d => stderrLines.push(...d.split('\n').filter(Boolean)));
    }
    if (!await waitPort(port, child, 15000)) {
        const log = fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
        throw new Error(`apache2 did not start\n${stderrLines.join('\n')}\n${log}`);
    }
    // "-" is what mod_log_config writes for a missing value
    const parse = line => {
        const l = JSON.parse(line.replace(/:-([,}])/g, ':null$1'));
        if (l.origin === '-')
            l.origin = null;
        l.policy = routeOf[l.policy] || l.policy;
        return l;
    };
    return { port, parse };
}

// ---------------------------------------------------------------------------
// Verdicts

// One log line as a token of the case table: P/A/N, '!reason' when not
// allowed, '~' when report-only.
function token(line) {
    const kind = { preflight: 'P', actual: 'A', 'not-cors': 'N' }[line.decision] || `?${line.decision}`;
    return kind + (line.allowed ? '' : `!${line.reason}`) + (line.reportOnly ? '~' : '');
}

// The request headers the browser's header list holds for a step: the
// script's, plus the Content-Type fetch()/XMLHttpRequest derive from a string
// body (Fetch #concept-bodyinit-extract) when the script set none.
function requestHeaders(step) {
    const hs = Object.entries(step.headers || {}).map(([k, v]) => [k, String(v)]);
    if (typeof step.body === 'string' && !hs.some(([k]) => k.toLowerCase() === 'content-type'))
        hs.push(['Content-Type', 'text/plain;charset=UTF-8']);
    return hs;
}

// Asks libcors' Fetch oracle (tests/browser/fetch-oracle.c) about one step:
// mode 'plan' (what the browser sends), 'preflight' or 'response' (does the
// browser accept this response).
function oracle(bin, mode, step, origin, status, responseHeaders) {
    const argv = [mode, '--origin', origin, '--method', step.method,
                  '--credentials', step.credentials || 'same-origin'];
    for (const [k, v] of requestHeaders(step))
        argv.push('-H', `${k}: ${v}`);
    if (status !== undefined)
        argv.push('--status', String(status));
    for (const [k, v] of responseHeaders || [])
        argv.push('-R', `${k}: ${v}`);
    const r = spawnSync(bin, argv, { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0)
        throw new Error(`fetch-oracle ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
}

// libcors' answer for one logged request, from cors-eval --json: the same
// method and Origin, and for a preflight the Access-Control-Request-* headers
// the oracle says the browser sends for this step.
function corsEval(bin, policyFile, line, plan) {
    const argv = ['--policy', policyFile, '--json', '-X', line.method];
    if (line.origin !== null)
        argv.push('-H', `Origin: ${line.origin}`);
    if (line.decision === 'preflight') {
        argv.push('-H', `Access-Control-Request-Method: ${plan.method}`);
        if (plan.requestHeaders)
            argv.push('-H', `Access-Control-Request-Headers: ${plan.requestHeaders}`);
    }
    const r = spawnSync(bin, argv, { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0)
        throw new Error(`cors-eval ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
}

// The oracle reasons an engine's CORS error message stands for (Firefox's
// "Reason: ..." texts as listed in MDN's CORS error pages, Chromium's console
// texts as seen); null when the message is not one of them.
const CHROMIUM_REASONS = [
    [/contains multiple values/, ['allow-origin-multiple']],
    [/No 'Access-Control-Allow-Origin' header is present/, ['allow-origin-missing']],
    [/must not be the wildcard '\*' when the request's credentials mode is 'include'/,
     ['allow-origin-star-credentials']],
    [/'Access-Control-Allow-Origin' header has a value .* that is not equal to the supplied origin/,
     ['allow-origin-mismatch']],
    [/'Access-Control-Allow-Credentials' header in the response is .* which must be 'true'/,
     ['allow-credentials-not-true']],
    [/Method .* is not allowed by Access-Control-Allow-Methods/, ['method-not-allowed', 'method-star-credentials']],
    [/Request header field .* is not allowed by Access-Control-Allow-Headers/,
     ['header-not-allowed', 'header-star-credentials', 'authorization-not-covered']],
    [/does not have HTTP ok status/, ['preflight-status']],
];

function engineReasons(engine, text) {
    const table = engine === 'chromium' ? CHROMIUM_REASONS : [
        [/Multiple CORS header .Access-Control-Allow-Origin. not allowed/, ['allow-origin-multiple']],
        [/CORS header .Access-Control-Allow-Origin. missing/, ['allow-origin-missing']],
        [/CORS header .Access-Control-Allow-Origin. does not match/, ['allow-origin-mismatch']],
        [/Credential is not supported if the CORS header .Access-Control-Allow-Origin. is .\*./,
         ['allow-origin-star-credentials']],
        [/expected .true. in CORS header .Access-Control-Allow-Credentials./, ['allow-credentials-not-true']],
        [/Did not find method in CORS header .Access-Control-Allow-Methods./,
         ['method-not-allowed', 'method-star-credentials']],
        [/is not allowed according to header .Access-Control-Allow-Headers./,
         ['header-not-allowed', 'header-star-credentials', 'authorization-not-covered']],
        [/CORS preflight response did not succeed/, ['preflight-status']],
        [/invalid token .* in CORS header .Access-Control-Allow-Methods./, ['allow-methods-malformed']],
        [/invalid token .* in CORS header .Access-Control-Allow-Headers./, ['allow-headers-malformed']],
    ];
    for (const [re, reasons] of table)
        if (re.test(text))
            return reasons;
    return null;
}

const why = v => v.reason + (v.detail !== null ? ` (${v.detail})` : '');

// What a browser following the Fetch standard does with libcors' answers to
// the requests the server logged for one step, as libcors' Fetch oracle says
// (#cors-preflight-fetch, #cors-check, #cors-filtered-response). `evals[i]`
// is cors-eval's answer for `lines[i]`; when libcors lets the handler answer
// a preflight (report-only), the handler's status is the logged one. The
// names the step reads are in the actual response (the demo server sends
// them), so readable means exposed.
function predict(bin, lines, evals, step, origin) {
    if (lines.length === 0)
        return { browser: 'blocked', reached: false, why: 'nothing reached the server' };
    for (let i = 0; i < lines.length; i++) {
        if (lines[i].decision !== 'preflight')
            continue;
        const e = evals[i];
        const v = oracle(bin, 'preflight', step, origin, e.handler ? lines[i].status : e.status, e.headers);
        if (!v.ok)
            return { browser: 'blocked', reached: false, why: `preflight: ${why(v)}`, reason: v.reason };
    }
    const actIdx = lines.findIndex(l => l.decision !== 'preflight');
    if (actIdx < 0)
        return { browser: 'blocked', reached: true, why: 'the server saw no actual request' };
    const e = evals[actIdx];
    const hdrs = e.headers.slice();
    for (const name of step.read || [])
        if (!hdrs.some(([k]) => k.toLowerCase() === name.toLowerCase()))
            hdrs.push([name, '1']);
    const v = oracle(bin, 'response', step, origin, lines[actIdx].status, hdrs);
    if (!v.ok)
        return { browser: 'blocked', reached: true, why: why(v), reason: v.reason };
    const readable = {};
    for (const name of step.read || [])
        readable[name] = v.readable.some(n => n.toLowerCase() === name.toLowerCase());
    return { browser: 'ok', reached: true, status: lines[actIdx].status, readable };
}

// What the page's Resource Timing entry shows: 'visible' when the details
// the timing allow check guards are there (transferSize, requestStart and
// responseStart non-zero), 'hidden' when there is no entry or they are all
// zero, 'partial' otherwise (a browser that zeroes some but not all).
function timingSeen(t) {
    if (t === null || t === undefined)
        return 'hidden';
    const details = [t.transferSize, t.requestStart, t.responseStart];
    if (details.every(x => x > 0))
        return 'visible';
    return details.every(x => x === 0) ? 'hidden' : 'partial';
}

// The prediction for a step with `timing`: visible when the browser gets the
// response (libcors' headers pass the CORS check, the oracle's 'response'
// mode) and the headers pass Fetch's TAO check (fetch-oracle 'timing' mode);
// hidden otherwise (a blocked request is a network error: no details).
function timingPredicted(bin, lines, evals, predicted, step, origin) {
    const actIdx = lines.findIndex(l => l.decision !== 'preflight');
    if (predicted.browser !== 'ok' || actIdx < 0)
        return 'hidden';
    const v = oracle(bin, 'timing', step, origin, lines[actIdx].status, evals[actIdx].headers);
    return v.visible ? 'visible' : 'hidden';
}

// ---------------------------------------------------------------------------
// Main

async function main() {
    const args = parseArgs(process.argv);
    // Cases run grouped by the page they start from (in table order within a
    // group): each change of site costs Chromium a new renderer process.
    const order = [...new Set(CASES.map(c => c.from))];
    for (const name of APACHE_CASES) {
        if (!CASES.some(c => c.name === name))
            throw new Error(`APACHE_CASES names an unknown case ${name}`);
    }
    const selected = CASES.filter(c => !args.only || args.only.test(c.name))
        .filter(c => args.host !== 'apache' || APACHE_CASES.includes(c.name))
        .map((c, i) => [order.indexOf(c.from), i, c])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .map(x => x[2]);
    if (args.list) {
        CASES.forEach(c => console.log(c.name));
        return 0;
    }
    const names = new Set();
    for (const c of CASES) {
        if (names.has(c.name))
            throw new Error(`duplicate case name ${c.name}`);
        names.add(c.name);
    }
    const tStart = Date.now();

    // Temporary folder for the policies, the log, the browser profile and
    // everything Chromium and Playwright put into TMPDIR; removed at the end.
    const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'libcors-browser-'));
    atCleanup(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
    const tmp = sub => {
        const d = path.join(tmpRoot, sub);
        fs.mkdirSync(d, { recursive: true });
        return d;
    };
    process.env.TMPDIR = tmp('tmp');

    const nodeDir = args.nodeDir || path.join(tmpRoot, 'node');

    // Page servers: 'main', 'alt' (port wildcard) and 'public' (Chromium is
    // told to treat that port as a public address).
    const ports = { main: await startPageServer(), alt: await startPageServer(), public: await startPageServer() };
    const originOf = name => {
        const o = ORIGINS[name];
        return o.sandbox ? 'null' : `http://${o.host}:${ports[o.port]}`;
    };
    const pageUrl = name => {
        const o = ORIGINS[name];
        return `http://${o.host}:${ports[o.port]}/${o.sandbox ? 'sandbox.html' : 'index.html'}`;
    };

    // Policies: the gateway policy plus one route per prefix.
    const pols = makePolicies(originOf, ports);
    const polDir = tmp('policies');
    const serverArgs = ['--port', '0'];
    const policyFile = {};
    for (const [name, pol] of Object.entries(pols)) {
        const file = path.join(polDir, `${name}.json`);
        policyFile[name] = file;
        fs.writeFileSync(file, JSON.stringify(pol, null, 2) + '\n');
        if (name === 'main') {
            serverArgs.push('--policy', file);
        } else {
            serverArgs.push('--route', `/anything/${name}/=${file}`);
            if (name === 'authstar')
                serverArgs.push('--route', `/private=${file}`);
        }
    }
    const logFile = path.join(tmpRoot, 'requests.jsonl');
    serverArgs.push('--log', logFile);
    const serverStderr = [];
    let apiPort, log;
    if (args.host === 'apache') {
        fs.chmodSync(tmpRoot, 0o755);   // apache2's children run as www-data
        const a = await startApache(args, tmp('apache'), policyFile, logFile, serverStderr);
        apiPort = a.port;
        log = new RequestLog(logFile, a.parse);
        console.log(`# host: Apache httpd with mod_cors (${APACHE_CASES.length} marked cases)`);
    } else {
        apiPort = (await startDemoServer(args.server, serverArgs, serverStderr)).port;
        log = new RequestLog(logFile);
    }
    const apiBase = { ip: `http://127.0.0.1:${apiPort}`, name: `http://api.localhost:${apiPort}` };

    // The browser
    const profile = tmp('profile');
    const home = tmp('home');
    const tLaunch = Date.now();
    const eng = args.engine === 'firefox' ? await launchFirefox(args, nodeDir, profile, home, ports)
        : await launchChromium(args, nodeDir, profile, home, ports);
    const page = eng.page;
    const consoleLines = [];
    page.on('console', m => consoleLines.push(m.text()));
    // Firefox reports a CORS block as a page error (WebDriver BiDi log entry)
    if (args.engine === 'firefox')
        page.on('pageerror', e => consoleLines.push(String((e && e.message) || e)));
    for (const [name, o] of Object.entries(ORIGINS)) {
        if (o.port === 'public')
            await eng.grant(Boolean(o.grant), originOf(name));
    }
    console.log(`# ${args.engine} ${eng.version}; ${eng.driver}; launch ${Date.now() - tLaunch} ms`);
    console.log(`# api ${apiBase.ip}, pages on ports ${ports.main} (main), ${ports.alt} (alt), ${ports.public} (public)`);

    let currentPage = null;
    async function frameFor(from) {
        const url = pageUrl(from);
        if (currentPage !== url) {
            await page.goto(url, { waitUntil: 'load', timeout: 10000 });
            currentPage = url;
        }
        let frame = page.mainFrame();
        if (ORIGINS[from].sandbox) {
            await eng.waitFor(page, () => document.getElementById('box') !== null);
            const handle = await page.$('#box');
            frame = await handle.contentFrame();
        }
        await eng.waitFor(frame, () => window.corsReady === true);
        return frame;
    }

    console.log(`1..${selected.length}`);
    let reasonsChecked = 0;
    let timingChecked = 0;
    let failed = 0;
    let n = 0;
    for (const c of selected) {
        if (stopping)
            break;
        n++;
        const tCase = Date.now();
        const problems = [];
        const notes = [];
        if (!pols[c.route])
            throw new Error(`${c.name}: unknown route ${c.route}`);
        const routePrefix = c.endpoint === 'private' ? '/private' : c.route === 'main' ? null : `/anything/${c.route}/`;
        const reqPath = c.endpoint === 'private' ? '/private'
            : c.endpoint === 'missing' ? `/missing/${c.name}`
            : c.endpoint === 'response-headers' ? '/response-headers'
            : `/anything/${c.route === 'main' ? 'main' : c.route}/${c.name}`;
        const query = c.endpoint === 'private' ? `?case=${c.name}`
            : c.endpoint === 'response-headers'
            ? '?' + new URLSearchParams(Object.assign({ case: c.name }, c.handlerHeaders(originOf))).toString()
            : '';
        const url = `${c.api === 'name' ? apiBase.name : apiBase.ip}${reqPath}${query}`;
        const repeat = c.repeat || 1;
        // a case may record what one engine does differently (cases.js: byEngine)
        const expect = Object.assign({}, c.expect, ((c.byEngine || {})[args.engine] || {}).expect);
        const want = k => (i => (Array.isArray(expect[k]) ? expect[k][i] : expect[k]));
        const step = {
            url, via: c.via || 'fetch', method: c.method, headers: c.headers || {}, body: c.body,
            credentials: c.credentials, read: c.read || [], timing: Boolean(c.timing),
        };
        try {
            const frame = await frameFor(c.from);
            const pageOrigin = await frame.evaluate(() => window.corsOrigin());
            if (pageOrigin !== originOf(c.from))
                problems.push(`page origin is ${pageOrigin}, expected ${originOf(c.from)}`);
            await log.take(0, 0); // drop anything logged before this case
            for (let i = 0; i < repeat; i++) {
                consoleLines.length = 0;
                const r = await withTimeout(frame.evaluate(s => window.corsStep(s), step), 15000, `${c.name} step ${i + 1}`);
                const lines = await log.take();
                const observed = {
                    browser: r.resolved ? 'ok' : 'blocked',
                    reached: lines.some(l => l.decision !== 'preflight'),
                    status: r.status,
                    readable: r.readable,
                };
                const logged = lines.map(token).join(' ');
                const plan = oracle(args.oracle, 'plan', step, originOf(c.from));
                const evals = lines.map(l => corsEval(args.corsEval, policyFile[c.route], l, plan));
                const predicted = predict(args.oracle, lines, evals, step, originOf(c.from));
                const tag = repeat > 1 ? `step ${i + 1}: ` : '';
                // the oracle's plan: a preflight is sent first (unless a
                // previous step of this case cached it)
                const preflighted = lines.length > 0 && lines[0].decision === 'preflight';
                if (lines.length > 0 && plan.preflight !== preflighted && (i === 0 || !plan.preflight))
                    problems.push(`${tag}the oracle predicts ${plan.preflight ? 'a' : 'no'} preflight, ` +
                                  `the server saw ${preflighted ? 'one' : 'none'}`);
                // The server saw requests of this case only, from this page's origin, under this policy.
                for (const l of lines) {
                    if (l.path !== reqPath)
                        problems.push(`${tag}server logged path ${l.path}, expected ${reqPath}`);
                    if (l.origin !== originOf(c.from))
                        problems.push(`${tag}server logged origin ${JSON.stringify(l.origin)}, expected ${originOf(c.from)}`);
                    if (routePrefix !== null && l.policy !== routePrefix)
                        problems.push(`${tag}server used policy ${l.policy}, expected route ${routePrefix}`);
                    if (routePrefix === null && typeof l.policy === 'string' && l.policy.startsWith('/'))
                        problems.push(`${tag}server used route ${l.policy}, expected the gateway policy`);
                }
                // 1 vs 2: written outcome vs browser (+ what the server saw)
                if (observed.browser !== want('browser')(i))
                    problems.push(`${tag}browser ${observed.browser} (${r.error || r.status}), written ${want('browser')(i)}`);
                // 1 vs 3: written verdicts vs libcors' logged verdicts
                if (logged !== want('log')(i))
                    problems.push(`${tag}libcors logged '${logged}', written '${want('log')(i)}'`);
                // libcors in the server and in cors-eval: the same verdict
                evals.forEach((e, j) => {
                    const l = lines[j];
                    if (e.decision !== l.decision || e.allowed !== l.allowed || e.reason !== l.reason)
                        problems.push(`${tag}server logged ${token(l)}, cors-eval says ${token(e)}`);
                });
                // 3 vs 2: what libcors' answers mean for a browser vs what it did
                if (predicted.browser !== observed.browser)
                    problems.push(`${tag}libcors' headers predict ${predicted.browser}` +
                                  `${predicted.why ? ' (' + predicted.why + ')' : ''}, browser ${observed.browser}`);
                if (predicted.reached !== observed.reached)
                    problems.push(`${tag}libcors' headers predict the actual request ${predicted.reached ? '' : 'not '}` +
                                  `sent, server ${observed.reached ? 'saw' : 'did not see'} it`);
                if (observed.browser === 'ok') {
                    if (expect.status !== undefined && observed.status !== expect.status)
                        problems.push(`${tag}status ${observed.status}, written ${expect.status}`);
                    for (const name of step.read) {
                        const w = (expect.readable || {})[name];
                        if (w === undefined)
                            problems.push(`${tag}no written expectation for reading ${name}`);
                        else if (observed.readable[name] !== w)
                            problems.push(`${tag}${name} readable=${observed.readable[name]}, written ${w}`);
                    }
                }
                if (observed.browser === 'ok' && predicted.browser === 'ok') {
                    if (predicted.status !== observed.status)
                        problems.push(`${tag}server logged status ${predicted.status}, script saw ${observed.status}`);
                    for (const name of step.read) {
                        if (predicted.readable[name] !== observed.readable[name])
                            problems.push(`${tag}${name} readable=${observed.readable[name]}, libcors' headers ` +
                                          `predict ${predicted.readable[name]}`);
                    }
                }
                // Resource Timing (cases with `timing`): written vs what the
                // page saw vs the oracle's CORS check and TAO check of
                // libcors' headers for the actual response
                if (step.timing) {
                    const seen = timingSeen(r.timing);
                    const wantTiming = want('timing')(i);
                    const predictedTiming = timingPredicted(args.oracle, lines, evals, predicted, step,
                                                            originOf(c.from));
                    if (seen !== wantTiming)
                        problems.push(`${tag}Resource Timing details ${seen} (${JSON.stringify(r.timing)}), ` +
                                      `written ${wantTiming}`);
                    if (seen !== predictedTiming)
                        problems.push(`${tag}Resource Timing details ${seen}, the oracle predicts ${predictedTiming}`);
                    notes.push(`${tag}timing: ${seen} ${JSON.stringify(r.timing)}`);
                    timingChecked++;
                }
                notes.push(`${tag}${step.method} ${reqPath} from ${originOf(c.from)}: browser ${observed.browser}` +
                           `${observed.browser === 'ok' ? ' ' + observed.status : ''}; libcors '${logged}'` +
                           (lines.length ? ` (status ${lines.map(l => l.status).join(',')})` : ''));
                if (observed.browser === 'blocked') {
                    // the message may arrive just after the script saw the error
                    const found = () => consoleLines.find(t => /CORS|blocked|denied/i.test(t));
                    for (let w = 0; w < 10 && !found() && args.engine === 'firefox'; w++)
                        await new Promise(res => setTimeout(res, 100));
                    const why = found();
                    if (why)
                        notes.push(`${tag}${args.engine}: ${why}`);
                    // a fourth account: the engine's stated reason against the oracle's
                    const said = why ? engineReasons(args.engine, why) : null;
                    if (said && predicted.reason && !said.includes(predicted.reason))
                        problems.push(`${tag}${args.engine} blocked for '${why}', the oracle says ${predicted.reason}`);
                    if (said && predicted.reason)
                        reasonsChecked++;
                }
            }
        } catch (e) {
            problems.push(`error: ${e.message.split('\n')[0]}`);
        }
        if (problems.length) {
            failed++;
            console.log(`not ok ${n} - ${c.name}`);
            for (const p of problems)
                console.log(`#   ${p}`);
        } else {
            console.log(`ok ${n} - ${c.name}`);
        }
        notes.push(`${Date.now() - tCase} ms`);
        for (const t of notes)
            console.log(`#     ${t}`);
    }
    if (serverStderr.length) {
        console.log(`# ${args.host === 'apache' ? 'apache2' : 'cors-demo-server'} stderr:`);
        serverStderr.slice(0, 40).forEach(l => console.log(`#   ${l}`));
    }
    console.log(`# ${reasonsChecked} block reasons stated by ${args.engine} matched the oracle's`);
    console.log(`# ${timingChecked} Resource Timing entries checked against the TAO check`);
    console.log(`# ${n - failed}/${selected.length} cases passed in ${Date.now() - tStart} ms` +
                (stopping ? ` (interrupted after ${n})` : ''));
    return failed || stopping || n !== selected.length ? 1 : 0;
}

let exitCode = 1;
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
        stopping = true;
        console.log(`Bail out! ${sig}`);
        process.stderr.write(`run.js: ${sig}, cleaning up\n`);
        cleanup().finally(() => process.exit(1));
    });
}
main()
    .then(code => { exitCode = code; })
    .catch(e => {
        console.log(`Bail out! ${(e && e.stack) || e}`.split('\n').join('\n# '));
        exitCode = 1;
    })
    .finally(() => cleanup().finally(() => process.exit(stopping ? 1 : exitCode)));
