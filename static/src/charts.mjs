// Draws each chart from the figure JSON the page carries. Every chart has the same
// data as a table beside it, so the page reads fully without this script.
for (const chart of document.querySelectorAll("[data-chart-figure]")) {
  const figure = JSON.parse(document.getElementById(chart.dataset.chartFigure).textContent);
  window.Plotly.newPlot(chart, figure.data, figure.layout, {
    displayModeBar: false,
    responsive: true,
  });
}
