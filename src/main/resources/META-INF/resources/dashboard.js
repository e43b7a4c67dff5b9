// The dashboard: live figures from /api/dashboard/stream (server-sent events, one snapshot a second) and the
// daily history from /api/engagement/daily. Written by hand: no libraries, nothing fetched from the internet.
'use strict';

const SERIES = [
  { key: 'in', label: 'in', color: '#1d4ed8' },
  { key: 'clickhouse', label: 'ClickHouse', color: '#d97706' },
  { key: 'redis', label: 'Redis', color: '#dc2626' },
  { key: 'external', label: 'external', color: '#059669' },
];
// Content types are the source database's (its CHECK on content.content_type), not listed here: each type in the
// data gets a color by its place among the sorted types shown.
const PALETTE = ['#7c3aed', '#0891b2', '#ea580c', '#16a34a', '#db2777', '#ca8a04', '#4b5563'];
const typeColor = (types, type) => PALETTE[types.indexOf(type) % PALETTE.length];
const HISTORY_SECONDS = 300;
const history = [];

const $ = (id) => document.getElementById(id);
const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n)) ? '–'
  : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n) => (n === null || n === undefined) ? '–' : (n >= 1000 ? fmt(n / 1000, 2) + ' s' : fmt(n) + ' ms');

function text(el, value) { el.textContent = value; }

function cell(row, value, cls) {
  const td = document.createElement('td');
  td.textContent = value;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function renderTop(top) {
  const body = $('top-table').querySelector('tbody');
  body.replaceChildren();
  top.forEach((e, i) => {
    const tr = document.createElement('tr');
    tr.dataset.contentId = e.content_id;
    cell(tr, String(i + 1));
    cell(tr, e.title || e.slug || e.content_id);
    cell(tr, e.content_type || '');
    cell(tr, fmt(e.score, 2), 'num score');
    body.appendChild(tr);
  });
}

function renderFreshness(freshness) {
  const body = $('freshness-table').querySelector('tbody');
  body.replaceChildren();
  Object.entries(freshness).forEach(([dest, f]) => {
    const tr = document.createElement('tr');
    cell(tr, dest);
    cell(tr, ms(f.p50_ms), 'num');
    cell(tr, ms(f.p99_ms), 'num');
    body.appendChild(tr);
  });
}

function renderDependencies(deps) {
  const list = $('dependencies');
  list.replaceChildren();
  deps.forEach((d) => {
    const li = document.createElement('li');
    li.className = d.status;
    li.textContent = (d.status === 'UP' ? '● ' : '▲ ') + d.name;
    list.appendChild(li);
  });
}

// The latest backfill (running or finished): its progress, rate and ETA.
function renderBackfill(b) {
  if (!b) return;
  const share = b.rows_total ? b.rows_done / b.rows_total : (b.state === 'SUCCEEDED' ? 1 : 0);
  $('backfill').className = b.state;
  $('backfill-bar').style.width = (share * 100).toFixed(1) + '%';
  const parts = [b.state.toLowerCase(), `${fmt(b.rows_done)} / ${b.rows_total === null ? '?' : fmt(b.rows_total)} rows`,
    `${fmt(b.rows_per_second)} rows/s`];
  if (b.state === 'RUNNING' && b.eta_seconds !== null) parts.push(`ETA ${b.eta_seconds} s`);
  if (b.errors && b.errors.length) parts.push(b.errors.join('; '));
  text($('backfill-text'), parts.join(' · ') + ` (event_ts ${b.from} – ${b.to}${b.content_type ? ', ' + b.content_type : ''})`);
}

function polyline(svg, points, color, maxX, maxY) {
  const w = 800, h = 200, pad = 6;
  const coords = points.map(([x, y]) => `${(x / maxX) * w},${h - pad - (y / maxY) * (h - 2 * pad)}`).join(' ');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', coords);
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', color);
  line.setAttribute('stroke-width', '2');
  line.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.appendChild(line);
}

function legend(el, items) {
  el.replaceChildren();
  items.forEach(({ label, color }) => {
    const span = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = color;
    span.append(swatch, label);
    el.appendChild(span);
  });
}

function renderRates() {
  const svg = $('rates-chart');
  svg.replaceChildren();
  const maxY = Math.max(1, ...history.flatMap((h) => SERIES.map((s) => h[s.key])));
  SERIES.forEach((s) => polyline(svg, history.map((h, i) => [HISTORY_SECONDS - history.length + i, h[s.key]]),
    s.color, HISTORY_SECONDS, maxY));
  legend($('rates-legend'), SERIES.map((s) => ({ label: s.label, color: s.color }))
    .concat([{ label: `scale 0 – ${fmt(maxY)} events/s`, color: 'transparent' }]));
}

function onSnapshot(s) {
  text($('events-in'), fmt(s.events_in_per_second));
  SERIES.slice(1).forEach((d) => text($('out-' + d.key), fmt(s.events_out_per_second[d.key])));
  text($('lag'), fmt(s.consumer_lag));
  text($('dead-lettered'), fmt(s.dead_lettered));
  text($('parked'), fmt(s.parked));
  text($('updated'), 'updated ' + new Date(s.time_ms).toLocaleTimeString());
  renderTop(s.top);
  renderFreshness(s.freshness);
  renderDependencies(s.dependencies);
  renderBackfill(s.backfill);
  history.push({ in: s.events_in_per_second, ...s.events_out_per_second });
  if (history.length > HISTORY_SECONDS) history.shift();
  renderRates();
}

function connect() {
  const source = new EventSource('api/dashboard/stream');
  source.onopen = () => { text($('connection'), 'live'); $('connection').className = 'badge up'; };
  source.onmessage = (event) => onSnapshot(JSON.parse(event.data));
  source.onerror = () => { text($('connection'), 'reconnecting…'); $('connection').className = 'badge down'; };
}

function rect(svg, x, y, width, height, color, title) {
  const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  r.setAttribute('x', x); r.setAttribute('y', y); r.setAttribute('width', width); r.setAttribute('height', height);
  r.setAttribute('fill', color);
  const t = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  t.textContent = title;
  r.appendChild(t);
  svg.appendChild(r);
}

// Grouped bars: one slot per day (oldest left), one bar per content type; hover shows the value.
async function loadDaily() {
  try {
    const days = await (await fetch('api/engagement/daily?days=30')).json();
    const dates = [...new Set(days.map((d) => d.date))].sort();
    const types = [...new Set(days.map((d) => d.content_type || 'none'))].sort();
    const svg = $('daily-chart');
    svg.replaceChildren();
    const maxY = Math.max(1, ...days.map((d) => d.avg_engagement || 0));
    const w = 800, h = 200, pad = 6;
    const slot = w / Math.max(dates.length, 1);
    const bar = Math.min(40, (slot * 0.8) / Math.max(types.length, 1));
    days.forEach((d) => {
      if (d.avg_engagement === null) return;
      const type = d.content_type || 'none';
      const height = (d.avg_engagement / maxY) * (h - 2 * pad);
      const x = dates.indexOf(d.date) * slot + (slot - bar * types.length) / 2 + types.indexOf(type) * bar;
      rect(svg, x, h - pad - height, bar * 0.9, height, typeColor(types, type),
        `${d.date} ${type}: ${fmt(d.avg_engagement, 2)} % over ${fmt(d.events)} events`);
    });
    legend($('daily-legend'), types.map((t) => ({ label: t, color: typeColor(types, t) }))
      .concat([{ label: `${dates[0] || ''} – ${dates[dates.length - 1] || ''}, scale 0 – ${fmt(maxY, 1)} %`,
        color: 'transparent' }]));
  } catch (e) {
    legend($('daily-legend'), [{ label: 'history unavailable: ' + e, color: 'transparent' }]);
  }
}

connect();
loadDaily();
setInterval(loadDaily, 60000);
