#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
//
// Drives headless Chromium over its DevTools pipe (no npm package needed)
// to check an SVG flame graph the way a person uses it: it loads with no
// script error, a search finds FRAME and reports its share, a click on
// FRAME zooms so it spans the width, hovering shows its details, and Reset
// returns.  Screenshots go to OUTDIR (initial.png, search.png, zoom.png).
//
// Usage: node svg_check.js FILE.svg OUTDIR FRAME
// Prints one "ok ..." or "fail ..." line per check; exits 0 if all passed.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [svgPath, outDir, frame] = process.argv.slice(2);
if (!svgPath || !outDir || !frame) {
	console.error('usage: node svg_check.js FILE.svg OUTDIR FRAME');
	process.exit(2);
}
const browser = process.env.CHROMIUM || '/usr/bin/chromium';
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svgcheck-'));
const chrome = spawn(browser, [
	'--headless', '--no-sandbox', '--disable-gpu',
	'--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--no-first-run', '--hide-scrollbars',
	'--user-data-dir=' + profileDir, '--remote-debugging-pipe',
], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });

let nextId = 1, buffer = '', failures = 0, sessionId = null;
const pending = new Map(), waiters = [], errors = [];

chrome.stdio[4].on('data', (chunk) => {
	buffer += chunk.toString('utf8');
	let at;
	while ((at = buffer.indexOf('\0')) >= 0) {
		const msg = JSON.parse(buffer.slice(0, at));
		buffer = buffer.slice(at + 1);
		if (msg.id && pending.has(msg.id)) {
			const { resolve, reject } = pending.get(msg.id);
			pending.delete(msg.id);
			if (msg.error)
				reject(new Error(JSON.stringify(msg.error)));
			else
				resolve(msg.result);
		} else if (msg.method) {
			if (msg.method === 'Runtime.exceptionThrown')
				errors.push(msg.params.exceptionDetails.exception ?
					    msg.params.exceptionDetails.exception.description :
					    msg.params.exceptionDetails.text);
			for (const w of waiters.splice(0))
				if (!w(msg))
					waiters.push(w);
		}
	}
});

function send(method, params = {}, session = sessionId) {
	const id = nextId++;
	const msg = { id, method, params };
	if (session)
		msg.sessionId = session;
	chrome.stdio[3].write(JSON.stringify(msg) + '\0');
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function waitEvent(name, ms) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('timeout waiting for ' + name)), ms);
		waiters.push((msg) => {
			if (msg.method !== name)
				return false;
			clearTimeout(t);
			resolve(msg.params);
			return true;
		});
	});
}

async function evaluate(expr) {
	const r = await send('Runtime.evaluate', { expression: expr, returnByValue: true,
		awaitPromise: true });
	if (r.exceptionDetails)
		throw new Error('script error: ' + JSON.stringify(r.exceptionDetails));
	return r.result.value;
}

function check(ok, what) {
	console.log((ok ? 'ok ' : 'fail ') + what);
	if (!ok)
		failures++;
}

async function shot(name) {
	const r = await send('Page.captureScreenshot', { format: 'png' });
	fs.writeFileSync(path.join(outDir, name), Buffer.from(r.data, 'base64'));
}

async function mouse(type, x, y) {
	await send('Input.dispatchMouseEvent', { type, x, y, button: 'left',
		clickCount: type === 'mouseMoved' ? 0 : 1 });
}

// Centre of node i's rectangle, in page pixels.
async function centre(i) {
	return evaluate(`(() => {
		const r = document.getElementById('frames').children[${i}]
			.firstChild.getBoundingClientRect();
		return [r.x + Math.min(r.width / 2, 40), r.y + r.height / 2, r.width];
	})()`);
}

async function main() {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	({ sessionId } = await send('Target.attachToTarget', { targetId, flatten: true }));
	await send('Page.enable');
	await send('Runtime.enable');
	const url = 'file://' + path.resolve(svgPath);
	const loaded = waitEvent('Page.loadEventFired', 30000);
	await send('Page.navigate', { url });
	await loaded;

	const size = await evaluate('[FG.width, FG.height]');
	await send('Emulation.setDeviceMetricsOverride', { width: size[0],
		height: Math.min(size[1], 4000), deviceScaleFactor: 1, mobile: false });
	check(errors.length === 0, 'loads without script errors' +
	      (errors.length ? ': ' + errors[0] : ''));
	const n = await evaluate('typeof fg === "object" ? fg.count : 0');
	check(n > 1, `renders ${n} frames`);
	// Responsiveness: a zoom and a search over every frame, timed in page.
	const ms = await evaluate(`(() => {
		let t0 = performance.now();
		fg.zoom(1);
		fg.zoom(0);
		const zoom = (performance.now() - t0) / 2;
		t0 = performance.now();
		fg.search('a');
		fg.search('');
		return [zoom, (performance.now() - t0) / 2];
	})()`);
	check(ms[0] < 1000 && ms[1] < 1000, `zoom takes ${ms[0].toFixed(0)} ms, ` +
	      `search ${ms[1].toFixed(0)} ms (limit 1000)`);
	await shot('initial.png');

	const idx = await evaluate(`fg.find(${JSON.stringify(frame)})`);
	check(idx > 0, `frame ${frame} is drawn (index ${idx})`);
	if (idx <= 0)
		return;

	// Search by typing into the box, as a person would.
	await evaluate('document.getElementById("search").focus()');
	await send('Input.insertText', { text: frame });
	await evaluate('new Promise(r => setTimeout(r, 400))');
	const typed = await evaluate('document.getElementById("search").value');
	check(typed === frame, `typed "${typed}" into the search box`);
	const found = await evaluate(`[document.querySelectorAll('#frames g.m').length,
		document.getElementById('matched').textContent,
		getComputedStyle(document.getElementById('matched')).display]`);
	check(found[0] > 0 && found[2] !== 'none' && /Matched: [0-9.]+%/.test(found[1]),
	      `search highlights ${found[0]} frame(s): "${found[1]}"`);
	await shot('search.png');

	// Click the frame: it now spans the drawing width.
	const [x, y] = await centre(idx);
	await mouse('mouseMoved', x, y);
	await mouse('mousePressed', x, y);
	await mouse('mouseReleased', x, y);
	const z = await evaluate('fg.zoomed()');
	const width = (await centre(idx))[2];
	const area = size[0] - 2 * (await evaluate('FG.pad'));
	check(z === idx && Math.abs(width - area) < 2,
	      `click zooms: zoomed ${z}, frame width ${width.toFixed(1)} of ${area}`);

	// Hover: the tooltip names the frame and its share.
	const [hx, hy] = await centre(idx);
	await mouse('mouseMoved', hx, hy);
	const tip = await evaluate(`[getComputedStyle(document.getElementById('tip')).display,
		Array.from(document.querySelectorAll('#tip text')).map(t => t.textContent).join(' | ')]`);
	check(tip[0] !== 'none' && tip[1].indexOf(frame) >= 0 && /%/.test(tip[1]),
	      `hover shows: ${tip[1]}`);
	await shot('zoom.png');

	const reset = await evaluate(`(() => {
		const r = document.getElementById('reset');
		if (getComputedStyle(r).display === 'none') return -1;
		r.dispatchEvent(new MouseEvent('click', { bubbles: true }));
		return fg.zoomed();
	})()`);
	check(reset === 0, 'reset zoom returns to the whole graph');
	check(errors.length === 0, 'no script errors while used' +
	      (errors.length ? ': ' + errors[0] : ''));
}

const timer = setTimeout(() => {
	console.log('fail timed out after 60 s');
	chrome.kill('SIGKILL');
	process.exit(1);
}, 60000);

main().catch((e) => {
	console.log('fail ' + e.message);
	failures++;
}).finally(async () => {
	clearTimeout(timer);
	try {
		await Promise.race([send('Browser.close', {}, null),
				    new Promise(r => setTimeout(r, 2000))]);
	} catch (e) {
		/* already gone */
	}
	chrome.on('exit', () => {
		try {
			fs.rmSync(profileDir, { recursive: true, force: true });
		} catch (e) {
			/* a straggling helper process still writes there */
		}
		process.exit(failures ? 1 : 0);
	});
	chrome.kill('SIGKILL');
});
