// The demo's dashboard: polls this node's JSON endpoints every second and draws them.
// No framework and no build step; everything it reads is documented in the README.
(function () {
	'use strict';

	const POLL_MILLIS = 1000;
	const HISTORY = 300; // samples: five minutes at one a second

	const $ = (id) => document.getElementById(id);
	const number = (value) => (value === undefined || value === null) ? '–' : value.toLocaleString('en');
	const percent = (ratio) => (100 * ratio).toFixed(1) + '%';

	async function json(url, options) {
		const response = await fetch(url, options);
		const text = await response.text();
		if (!response.ok) {
			throw new Error(response.status + ' ' + (text || response.statusText));
		}
		return text ? JSON.parse(text) : null;
	}

	function renderMembers(members) {
		const body = $('members').querySelector('tbody');
		body.innerHTML = '';
		for (const member of members) {
			const row = body.insertRow();
			row.insertCell().textContent = member.name;
			row.insertCell().textContent = member.address || '';
			const share = row.insertCell();
			share.textContent = percent(member.share);
			const bar = document.createElement('span');
			bar.className = 'bar';
			bar.style.width = Math.round(100 * member.share) + 'px';
			share.appendChild(bar);
		}
	}

	const COLUMNS = ['mainHits', 'hotHits', 'remoteHits', 'misses', 'loads', 'loadsDeduplicated', 'leaseWaits',
		'peerErrors'];

	function renderCaches(caches) {
		const body = $('caches').querySelector('tbody');
		body.innerHTML = '';
		for (const [name, cache] of Object.entries(caches)) {
			const row = body.insertRow();
			row.id = 'cache-' + name;
			row.insertCell().textContent = name;
			for (const column of COLUMNS) {
				const cell = row.insertCell();
				cell.className = column;
				cell.textContent = number(cache.stats[column]);
			}
			const cells = [['hitRatio', percent(cache.hitRatio)], ['mainSize', number(cache.mainSize)],
				['hotSize', number(cache.hotSize)]];
			for (const [column, text] of cells) {
				const cell = row.insertCell();
				cell.className = column;
				cell.textContent = text;
			}
		}
	}

	// Rates between consecutive samples of GET /api/history (totals since start-up).
	function rates(samples) {
		const points = [];
		for (let i = 1; i < samples.length; i++) {
			const before = samples[i - 1];
			const after = samples[i];
			const seconds = Math.max((after.time - before.time) / 1000, 0.001);
			const hits = (after.mainHits + after.hotHits + after.remoteHits)
				- (before.mainHits + before.hotHits + before.remoteHits);
			const gets = hits + after.misses - before.misses;
			points.push({
				ratio: gets > 0 ? hits / gets : null,
				getsPerSecond: Math.max(gets, 0) / seconds,
				readsPerSecond: Math.max(after.clusterReads - before.clusterReads, 0) / seconds,
			});
		}
		return points;
	}

	function polyline(values, max, color) {
		const points = [];
		values.forEach((value, index) => {
			if (value !== null) {
				const x = 600 * (HISTORY - values.length + index) / (HISTORY - 1);
				const y = 155 - 150 * Math.min(value / max, 1);
				points.push(x.toFixed(1) + ',' + y.toFixed(1));
			}
		});
		return '<polyline fill="none" stroke-width="1.5" stroke="' + color + '" points="' + points.join(' ') + '"/>';
	}

	function renderChart(history) {
		const max = Math.max(1, ...history.map((h) => Math.max(h.getsPerSecond, h.readsPerSecond)));
		$('chart-max').textContent = Math.round(max);
		$('chart').innerHTML = polyline(history.map((h) => h.ratio === null ? null : 100 * h.ratio), 100, '#2e8b57')
			+ polyline(history.map((h) => h.readsPerSecond), max, '#d9534f')
			+ polyline(history.map((h) => h.getsPerSecond), max, '#4a90d9');
	}

	function renderLoad(status) {
		const state = status.running
			? 'running: ' + status.settings.rate + '/s, writes ' + status.settings.writeShare + ', '
				+ status.settings.keys + ' keys, skew ' + status.settings.skew
			: 'stopped';
		$('load-status').textContent = state + ' · reads ' + number(status.reads) + ' · writes '
			+ number(status.writes) + ' · errors ' + number(status.errors) + ' · dropped ' + number(status.dropped);
	}

	async function poll() {
		try {
			const [tiercache, store, load, samples] = await Promise.all([json('actuator/tiercache'),
				json('api/store/stats'), json('api/load'), json('api/history')]);
			$('mode').textContent = tiercache.mode;
			$('node').textContent = tiercache.node;
			renderMembers(tiercache.members);
			renderCaches(tiercache.caches);
			$('db-node').textContent = number(store.loads);
			$('db-cluster').textContent = number(store.clusterLoads);
			renderChart(rates(samples));
			renderLoad(load);
			await locate();
			$('updated').textContent = 'updated ' + new Date().toLocaleTimeString('en');
		}
		catch (error) {
			$('updated').textContent = 'cannot reach this node: ' + error.message;
		}
		finally {
			setTimeout(poll, POLL_MILLIS);
		}
	}

	function keyPath() {
		return encodeURIComponent($('key-cache').value.trim()) + '/' + encodeURIComponent($('key').value.trim());
	}

	async function locate() {
		if (!$('key').value.trim()) {
			return;
		}
		const response = await fetch('actuator/tiercache/' + keyPath());
		if (response.status === 404) {
			$('key-owner').textContent = '–';
			$('key-where').textContent = 'no such cache yet';
			return;
		}
		const found = await response.json();
		const location = found.keys[0];
		$('key-owner').textContent = location ? location.owner : '–';
		$('key-where').textContent = (location && location.cachedIn.length) ? location.cachedIn.join(', ') : 'nowhere';
	}

	function message(text, error) {
		$('key-message').textContent = text;
		$('key-message').className = error ? 'error' : '';
	}

	async function act(action) {
		try {
			await action();
			await locate();
		}
		catch (error) {
			message(error.message, true);
		}
	}

	const book = () => 'api/books/' + encodeURIComponent($('key').value.trim());

	$('read').addEventListener('click', () => act(async () => {
		const started = performance.now();
		const response = await fetch(book());
		const took = (performance.now() - started).toFixed(1);
		$('key-value').textContent = response.ok ? await response.text() : response.status + ' (no such book)';
		message('read in ' + took + ' ms');
	}));
	$('update').addEventListener('click', () => act(async () => {
		const updated = await json(book(), { method: 'PUT', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ title: $('title').value }) });
		$('key-value').textContent = JSON.stringify(updated);
		message('updated the database, then evicted the key');
	}));
	$('evict').addEventListener('click', () => act(async () => {
		const result = await json('actuator/tiercache/' + keyPath(), { method: 'DELETE' });
		message(result.removed ? 'evicted' : 'was not cached here');
	}));
	$('clear').addEventListener('click', () => act(async () => {
		await json('actuator/tiercache/' + encodeURIComponent($('key-cache').value.trim()), { method: 'DELETE' });
		message('cleared the cache on every node');
	}));
	$('load-start').addEventListener('click', async () => {
		try {
			renderLoad(await json('api/load', { method: 'POST', headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ rate: Number($('load-rate').value), writeShare: Number($('load-writes').value),
					keys: Number($('load-keys').value), skew: Number($('load-skew').value) }) }));
		}
		catch (error) {
			$('load-status').textContent = 'cannot start: ' + error.message;
		}
	});
	$('load-stop').addEventListener('click', async () => renderLoad(await json('api/load', { method: 'DELETE' })));

	poll();
}());
