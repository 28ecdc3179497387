// The online business hall's only script (served from /assets, as the CSP requires). It draws the
// consumption charts from the figures the page carries in data attributes (the same figures are
// in a table beside each chart), and keeps a payment button from being pressed twice while its
// form is on its way. Every page works without it.
/* global window, document */
'use strict';

function drawCharts() {
  if (typeof window.Chart !== 'function') return;
  for (const canvas of document.querySelectorAll('canvas.chart')) {
    let labels;
    let values;
    try {
      labels = JSON.parse(canvas.dataset.labels || '[]');
      values = JSON.parse(canvas.dataset.values || '[]').map(Number);
    } catch {
      continue;
    }
    const chart = new window.Chart(canvas, {
      type: 'bar',
      data: { labels, datasets: [{ label: canvas.dataset.label || '', data: values, backgroundColor: '#0a7d6c', borderRadius: 3 }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    canvas.dataset.drawn = String(chart.data.datasets[0].data.length);
  }
}

function guardPayButtons() {
  for (const button of document.querySelectorAll('button[data-once]')) {
    const form = button.form;
    if (!form) continue;
    form.addEventListener('submit', () => {
      // Disabled after the browser has collected the form: the submission itself goes ahead.
      setTimeout(() => { button.disabled = true; }, 0);
    });
  }
}

document.addEventListener('DOMContentLoaded', () => {
  drawCharts();
  guardPayButtons();
});
