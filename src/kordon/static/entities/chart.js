// The link chart of an entity: nodes and edges from the page (json_script), drawn by Cytoscape.js.
// No inline script, so a strict Content Security Policy holds.
(function () {
  "use strict";
  const COLOURS = {
    person: "#0d6efd", company: "#6f42c1", vehicle: "#fd7e14", vessel: "#20c997", phone: "#198754",
    document: "#6c757d", seizure: "#dc3545", alert: "#ffc107", rfi: "#0dcaf0", cooperation: "#6610f2",
    incident: "#d63384", phone_number: "#198754", document_number: "#6c757d",
  };
  const SHAPES = { seizure: "diamond", alert: "triangle", rfi: "triangle", cooperation: "triangle",
    incident: "diamond", phone_number: "round-rectangle", document_number: "round-rectangle" };

  function draw() {
    const box = document.getElementById("chart");
    const graph = JSON.parse(document.getElementById("graph-data").textContent);
    const elements = graph.nodes.map((node) => ({ data: node }))
      .concat(graph.edges.map((edge, number) => ({ data: Object.assign({ id: "edge-" + number }, edge) })));
    const chart = window.cytoscape({
      container: box,
      elements: elements,
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 90 },
      style: [
        { selector: "node", style: {
          "label": (node) => node.data("agency") ? node.data("label") + " · " + node.data("agency") : node.data("label"),
          "background-color": (node) => COLOURS[node.data("kind")] || "#adb5bd",
          "shape": (node) => SHAPES[node.data("kind")] || "ellipse",
          "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, "width": 26, "height": 26,
          "text-wrap": "ellipsis", "text-max-width": 180,
        } },
        { selector: "node[?start]", style: { "border-width": 4, "border-color": "#212529", "width": 36, "height": 36 } },
        { selector: "edge", style: {
          "label": "data(label)", "font-size": 9, "color": "#495057", "curve-style": "bezier", "width": 1.5,
          "line-color": "#adb5bd", "target-arrow-shape": "triangle", "target-arrow-color": "#adb5bd",
          "text-background-color": "#fff", "text-background-opacity": 0.8,
        } },
        { selector: "edge[role = 'same']", style: { "line-style": "dashed", "line-color": "#212529", "width": 3 } },
      ],
    });
    chart.on("tap", "node", (event) => {
      const url = event.target.data("url");
      if (url) { window.location.href = url; }
    });
    box.dataset.ready = "true";
    const save = document.getElementById("chart-png");
    save.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = chart.png({ full: true, scale: 2, bg: "#ffffff" });
      link.download = save.dataset.filename;
      link.click();
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
