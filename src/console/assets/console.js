// gridbill admin console: the little the pages need a script for. Served from /console/assets;
// the Content-Security-Policy allows no inline script, so the pages carry data-* attributes and
// this file finds them.
/* global document, history, location, fetch, Chart */

/** "Back" links go back in history when there is one. */
function wireBackLinks() {
  for (const link of document.querySelectorAll('a[data-back]')) {
    link.addEventListener('click', (event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    });
  }
}

/** Bill run page: poll the run's JSON view every second while it runs, and show the figures. */
function watchBillRun() {
  const section = document.getElementById('run');
  if (!section || section.dataset.status !== 'running') return;
  const url = section.dataset.runUrl;
  const POLL_MS = 1000;
  const show = (run) => {
    for (const cell of section.querySelectorAll('[data-field]')) {
      const key = cell.dataset.field;
      if (key === 'exceptionsByRule') {
        cell.replaceChildren(...Object.entries(run.exceptionsByRule).sort().map(([rule, n]) => {
          const li = document.createElement('li');
          li.textContent = `${rule}: ${n}`;
          return li;
        }));
      } else if (key === 'progress') {
        if (run.status !== 'running') { cell.max = 1; cell.value = 1; }
      } else if (key === 'status') {
        // The page is rendered in the user's language: reload once at the end for the words.
      } else if (key in run) {
        cell.textContent = String(run[key]);
      }
    }
    section.dataset.status = run.status;
  };
  const poll = async () => {
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!response.ok) return;
      const run = await response.json();
      show(run);
      if (run.status !== 'running') { location.reload(); return; }
    } catch {
      // A missed poll is retried on the next tick.
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

/** Dashboard: a bar chart of each channel's calls and failures, from the table's data-* attributes. */
function drawChannelChart() {
  const canvas = document.getElementById('channel-chart');
  if (!canvas || typeof Chart === 'undefined') return;
  const rows = [...document.querySelectorAll('#channel-status tr[data-channel]')];
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.dataset.channel),
      datasets: [
        { label: canvas.dataset.labelCalls, data: rows.map((r) => Number(r.dataset.calls)), backgroundColor: '#0b5cad' },
        { label: canvas.dataset.labelFailures, data: rows.map((r) => Number(r.dataset.failures)), backgroundColor: '#b42318' },
      ],
    },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

document.addEventListener('DOMContentLoaded', () => {
  wireBackLinks();
  watchBillRun();
  drawChannelChart();
});
