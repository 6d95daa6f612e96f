// Page side of the libcors Chromium suite: one cross-origin request per call,
// made with fetch() or XMLHttpRequest exactly as a web page would make it.
// The driver (run.js) calls window.corsStep(step) through Playwright and gets
// back what script on this page can observe: did the request resolve, the
// status, and which of the named response headers are readable.
'use strict';

async function viaFetch(step) {
    const init = { method: step.method, headers: step.headers || {}, mode: 'cors',
                   credentials: step.credentials || 'same-origin' };
    if (step.body !== undefined)
        init.body = step.body;
    try {
        const r = await fetch(step.url, init);
        const readable = {};
        for (const name of step.read || [])
            readable[name] = r.headers.get(name) !== null;
        await r.text();
        return { resolved: true, status: r.status, readable };
    } catch (e) {
        return { resolved: false, error: String(e) };
    }
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
