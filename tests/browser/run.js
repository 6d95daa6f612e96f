#!/usr/bin/env node
// libcors Chromium end-to-end suite (meson suite 'browser').
//
//   node run.js --server PATH/cors-demo-server --cors-eval PATH/cors-eval
//               [--node-dir DIR] [--chromium PATH] [--only REGEX] [--list]
//
// Starts the demo server (one process, one route-level policy per path prefix)
// and an in-process page server, both on 127.0.0.1 with OS-chosen ports, then
// drives Debian's Chromium with playwright-core. Each case is a fetch() or
// XMLHttpRequest from a page on one origin to the server on another, and for
// every request step three accounts must agree:
//   1. the outcome written in cases.js (from the Fetch standard): resolved or
//      blocked, and the libcors verdicts expected in the server's log;
//   2. what the browser did: resolved or rejected (status, readable headers),
//      and which requests reached the server (preflight, actual request), from
//      the server's per-request log;
//   3. libcors' verdict: the decision/allowed/reason the server logged, which
//      must equal what cors-eval --json answers for the same request, and the
//      outcome the Fetch CORS check (predict()) gives for the headers
//      cors-eval returns.
// Output is TAP (one test point per case). Every process started here is
// stopped by its PID and the temporary folder is removed, also on failure.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn, spawnSync } = require('child_process');

const HERE = __dirname;
const { ORIGINS, policies: makePolicies, CASES } = require('./cases.js');

// ---------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
    const a = { server: null, corsEval: null, nodeDir: null, chromium: '/usr/bin/chromium', only: null, list: false };
    for (let i = 2; i < argv.length; i++) {
        const k = argv[i];
        const next = () => {
            if (i + 1 >= argv.length)
                usage(`${k} needs a value`);
            return argv[++i];
        };
        if (k === '--server') a.server = next();
        else if (k === '--cors-eval') a.corsEval = next();
        else if (k === '--node-dir') a.nodeDir = next();
        else if (k === '--chromium') a.chromium = next();
        else if (k === '--only') a.only = new RegExp(next());
        else if (k === '--list') a.list = true;
        else usage(`unknown argument ${k}`);
    }
    if (!a.list && (!a.server || !a.corsEval))
        usage('--server and --cors-eval are required');
    return a;
}

function usage(msg) {
    process.stderr.write(`run.js: ${msg}\nusage: node run.js --server PATH --cors-eval PATH ` +
                         `[--node-dir DIR] ` +
                         `[--chromium PATH] [--only REGEX] [--list]\n`);
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
// playwright-core: installed from package-lock.json into --node-dir (npm ci)
// when it is not there yet or the lock file changed.

function loadPlaywright(nodeDir) {
    const lockSrc = path.join(HERE, 'package-lock.json');
    const lockDst = path.join(nodeDir, 'package-lock.json');
    const marker = path.join(nodeDir, 'node_modules', 'playwright-core', 'package.json');
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
        console.log(`# npm ci (playwright-core) took ${Date.now() - t0} ms`);
    }
    return require(require.resolve('playwright-core', { paths: [nodeDir] }));
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
    constructor(file) {
        this.file = file;
        this.seen = 0;
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
        const fresh = lines.slice(this.seen).map(l => JSON.parse(l));
        this.seen = lines.length;
        return fresh;
    }
}

// ---------------------------------------------------------------------------
// Verdicts

// One log line as a token of the case table: P/A/N, '!reason' when not
// allowed, '~' when report-only.
function token(line) {
    const kind = { preflight: 'P', actual: 'A', 'not-cors': 'N' }[line.decision] || `?${line.decision}`;
    return kind + (line.allowed ? '' : `!${line.reason}`) + (line.reportOnly ? '~' : '');
}

// Response headers script may always read (Fetch #cors-safelisted-response-header-name).
const SAFELISTED_RESPONSE = ['cache-control', 'content-language', 'content-length', 'content-type',
                             'expires', 'last-modified', 'pragma'];
const SAFELISTED_METHODS = ['GET', 'HEAD', 'POST'];
// Fetch normalizes only these methods to upper case (#concept-method-normalize).
const NORMALIZED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];

function normalizeMethod(m) {
    return NORMALIZED_METHODS.includes(m.toUpperCase()) ? m.toUpperCase() : m;
}

// Fetch #cors-safelisted-request-header, for the headers the case table uses.
function safelistedRequestHeader(name, value) {
    if (value.length > 128)
        return false;
    const unsafeByte = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/;
    switch (name) {
    case 'accept':
        return !unsafeByte.test(value);
    case 'accept-language':
    case 'content-language':
        return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case 'content-type': {
        if (unsafeByte.test(value))
            return false;
        const essence = value.split(';')[0].trim().toLowerCase();
        return ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'].includes(essence);
    }
    default:
        return false;
    }
}

// The Access-Control-Request-Headers value a browser sends for these author
// headers (Fetch #cors-unsafe-request-header-names): lower case, sorted.
function unsafeHeaderNames(headers) {
    const names = new Set();
    for (const [k, v] of Object.entries(headers || {})) {
        if (!safelistedRequestHeader(k.toLowerCase(), String(v)))
            names.add(k.toLowerCase());
    }
    return [...names].sort();
}

// libcors' answer for one logged request, from cors-eval --json: the same
// method and Origin, and for a preflight the Access-Control-Request-* headers
// the browser sends for this step.
function corsEval(bin, policyFile, line, step) {
    const argv = ['--policy', policyFile, '--json', '-X', line.method];
    if (line.origin !== null)
        argv.push('-H', `Origin: ${line.origin}`);
    if (line.decision === 'preflight') {
        argv.push('-H', `Access-Control-Request-Method: ${normalizeMethod(step.method)}`);
        const names = unsafeHeaderNames(step.headers);
        if (names.length)
            argv.push('-H', `Access-Control-Request-Headers: ${names.join(',')}`);
    }
    const r = spawnSync(bin, argv, { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0)
        throw new Error(`cors-eval ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    out.map = new Map();
    for (const [k, v] of out.headers)
        out.map.set(k.toLowerCase(), (out.map.has(k.toLowerCase()) ? out.map.get(k.toLowerCase()) + ',' : '') + v);
    return out;
}

const list = v => (v === undefined ? [] : v.split(',').map(x => x.trim()).filter(Boolean));

// Fetch #concept-cors-check on a response carrying libcors' headers.
function corsCheck(hdrs, origin, credentialed) {
    const acao = hdrs.get('access-control-allow-origin');
    if (acao === undefined)
        return 'no Access-Control-Allow-Origin';
    if (!credentialed && acao === '*')
        return null;
    if (acao !== origin)
        return `Access-Control-Allow-Origin ${acao} is not ${origin}`;
    if (!credentialed)
        return null;
    if (hdrs.get('access-control-allow-credentials') !== 'true')
        return 'credentialed request without Access-Control-Allow-Credentials: true';
    return null;
}

// What a browser following the Fetch standard does with libcors' answers to
// the requests the server logged for one step (Fetch #cors-preflight-fetch,
// #http-network-or-cache-fetch, #cors-check). `evals[i]` is cors-eval's
// answer for `lines[i]`; when libcors lets the handler answer a preflight
// (report-only), the handler's status is the logged one.
function predict(lines, evals, step) {
    const credentialed = step.credentials === 'include';
    const method = normalizeMethod(step.method);
    if (lines.length === 0)
        return { browser: 'blocked', reached: false, why: 'nothing reached the server' };
    let preflightPassed = true;
    let why = null;
    lines.forEach((l, i) => {
        if (l.decision !== 'preflight' || !preflightPassed)
            return;
        const e = evals[i];
        const status = e.handler ? l.status : e.status;
        why = status < 200 || status > 299 ? `preflight status ${status}` : corsCheck(e.map, l.origin, credentialed);
        if (!why) {
            const methods = list(e.map.get('access-control-allow-methods'));
            const names = list(e.map.get('access-control-allow-headers')).map(x => x.toLowerCase());
            if (!methods.includes(method) && !SAFELISTED_METHODS.includes(method) &&
                (credentialed || !methods.includes('*')))
                why = `method ${method} not in Access-Control-Allow-Methods`;
            for (const n of unsafeHeaderNames(step.headers)) {
                if (!why && !names.includes(n) && (credentialed || !names.includes('*') || n === 'authorization'))
                    why = `header ${n} not in Access-Control-Allow-Headers`;
            }
        }
        if (why)
            preflightPassed = false;
    });
    const actIdx = lines.findIndex(l => l.decision !== 'preflight');
    if (!preflightPassed)
        return { browser: 'blocked', reached: false, why };
    if (actIdx < 0)
        return { browser: 'blocked', reached: true, why: 'the server saw no actual request' };
    const e = evals[actIdx];
    why = corsCheck(e.map, lines[actIdx].origin, credentialed);
    if (why)
        return { browser: 'blocked', reached: true, why };
    const expose = list(e.map.get('access-control-expose-headers')).map(x => x.toLowerCase());
    const readable = {};
    for (const name of step.read || []) {
        const n = name.toLowerCase();
        readable[name] = SAFELISTED_RESPONSE.includes(n) || expose.includes(n) ||
                         (expose.includes('*') && !credentialed);
    }
    return { browser: 'ok', reached: true, status: lines[actIdx].status, readable };
}

// ---------------------------------------------------------------------------
// Main

async function main() {
    const args = parseArgs(process.argv);
    // Cases run grouped by the page they start from (in table order within a
    // group): each change of site costs Chromium a new renderer process.
    const order = [...new Set(CASES.map(c => c.from))];
    const selected = CASES.filter(c => !args.only || args.only.test(c.name))
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
    const { chromium } = loadPlaywright(nodeDir);

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
    const { port: apiPort } = await startDemoServer(args.server, serverArgs, serverStderr);
    const log = new RequestLog(logFile);
    const apiBase = { ip: `http://127.0.0.1:${apiPort}`, name: `http://api.localhost:${apiPort}` };

    // Chromium
    const profile = tmp('profile');
    const home = tmp('home');
    const tLaunch = Date.now();
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
    const version = ctx.browser() ? ctx.browser().version() : null;
    const page = ctx.pages()[0] || await ctx.newPage();
    const consoleLines = [];
    page.on('console', m => consoleLines.push(m.text()));
    for (const [name, o] of Object.entries(ORIGINS)) {
        if (o.grant)
            await ctx.grantPermissions(o.grant, { origin: originOf(name) });
    }
    const chromeVersion = version || spawnSync(args.chromium, ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`# ${chromeVersion}; playwright-core ${require(path.join(nodeDir, 'node_modules', 'playwright-core', 'package.json')).version}; launch ${Date.now() - tLaunch} ms`);
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
            await page.waitForFunction(() => document.getElementById('box') !== null, null, { timeout: 5000 });
            const handle = await page.$('#box');
            frame = await handle.contentFrame();
        }
        await frame.waitForFunction(() => window.corsReady === true, null, { timeout: 5000 });
        return frame;
    }

    console.log(`1..${selected.length}`);
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
        const want = k => (i => (Array.isArray(c.expect[k]) ? c.expect[k][i] : c.expect[k]));
        const step = {
            url, via: c.via || 'fetch', method: c.method, headers: c.headers || {}, body: c.body,
            credentials: c.credentials, read: c.read || [],
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
                const evals = lines.map(l => corsEval(args.corsEval, policyFile[c.route], l, step));
                const predicted = predict(lines, evals, step);
                const tag = repeat > 1 ? `step ${i + 1}: ` : '';
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
                    if (c.expect.status !== undefined && observed.status !== c.expect.status)
                        problems.push(`${tag}status ${observed.status}, written ${c.expect.status}`);
                    for (const name of step.read) {
                        const w = (c.expect.readable || {})[name];
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
                notes.push(`${tag}${step.method} ${reqPath} from ${originOf(c.from)}: browser ${observed.browser}` +
                           `${observed.browser === 'ok' ? ' ' + observed.status : ''}; libcors '${logged}'` +
                           (lines.length ? ` (status ${lines.map(l => l.status).join(',')})` : ''));
                if (observed.browser === 'blocked') {
                    const why = consoleLines.find(t => /CORS|blocked|denied/i.test(t));
                    if (why)
                        notes.push(`${tag}chromium: ${why}`);
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
        console.log('# cors-demo-server stderr:');
        serverStderr.slice(0, 40).forEach(l => console.log(`#   ${l}`));
    }
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
