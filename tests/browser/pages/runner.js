// Page side of the libcors Chromium suite: one cross-origin request per call,
// made with fetch() or XMLHttpRequest exactly as a web page would make it.
// The driver (run.js) calls window.corsStep(step) through Playwright and gets
// back what script on this page can observe: did the request resolve, the
// status, which of the named response headers are readable and, for a step
// with `timing`, what Resource Timing shows the page about the request.
'use strict';

// The Resource Timing entry of step.url (the newest), or null when the
// browser made none within a second: the details that the timing allow
// check (Timing-Allow-Origin) hides from a cross-origin page by zeroing them.
async function timingOf(url) {
    for (let waited = 0; waited <= 1000; waited += 50) {
        const all = performance.getEntriesByName(url, 'resource');
        if (all.length) {
            const e = all[all.length - 1];
            return { entries: all.length, transferSize: e.transferSize, requestStart: e.requestStart,
                     responseStart: e.responseStart, nextHopProtocol: e.nextHopProtocol };
        }
        await new Promise(r => setTimeout(r, 50));
    }
    return null;
}

async function viaFetch(step) {
    const init = { method: step.method, headers: step.headers || {}, mode: 'cors',
                   credentials: step.credentials || 'same-origin' };
    if (step.body !== undefined)
        init.body = step.body;
    if (step.timing)
        performance.clearResourceTimings();
    let out;
    try {
        const r = await fetch(step.url, init);
        const readable = {};
        for (const name of step.read || [])
            readable[name] = r.headers.get(name) !== null;
        await r.text();
        out = { resolved: true, status: r.status, readable };
    } catch (e) {
        out = { resolved: false, error: String(e) };
    }
    if (step.timing)
        out.timing = await timingOf(step.url);
    return out;
}

function viaXhr(step) {
    return new Promise(resolve => {
        const x = new XMLHttpRequest();
        x.open(step.method, step.url, true);
        x.withCredentials = step.credentials === 'include';
        for (const [k, v] of Object.entries(step.headers || {}))
            x.setRequestHeader(k, v);
        x.onload = () => {
            const readable = {};
            for (const name of step.read || [])
                readable[name] = x.getResponseHeader(name) !== null;
            resolve({ resolved: true, status: x.status, readable });
        };
        x.onerror = () => resolve({ resolved: false, error: 'XMLHttpRequest error event, status ' + x.status });
        x.send(step.body === undefined ? null : step.body);
    });
}

window.corsStep = step => (step.via === 'xhr' ? viaXhr(step) : viaFetch(step));
window.corsOrigin = () => self.origin;
window.corsReady = true;
