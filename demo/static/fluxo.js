// Fluxo vivo: draw the ticket's BPMN with bpmn-js and mark the finished and current steps.

// eMAG: a link that opens a new window says so. bpmn-js's own links (its watermark, and the
// notice it opens on a click) do: their names are completed, here and as they appear.
const NEW_WINDOW = " (abre em nova janela)";
const announceNewWindows = (root) => {
  root.querySelectorAll("a[target=_blank]").forEach((link) => {
    const name = link.getAttribute("aria-label") || link.title || link.textContent.trim();
    if (!name.includes(NEW_WINDOW.trim())) link.setAttribute("aria-label", name + NEW_WINDOW);
  });
};
// (bpmn-js appends its notice to the body)
new MutationObserver(() => announceNewWindows(document.body)).observe(document.body, {
  childList: true,
});

(async () => {
  const container = document.getElementById("diagrama");
  const response = await fetch(container.dataset.fonte, { credentials: "same-origin" });
  const data = await response.json();
  const viewer = new BpmnJS({ container });
  await viewer.importXML(data.bpmn);
  const canvas = viewer.get("canvas");
  canvas.zoom("fit-viewport");
  data.concluidas.forEach((id) => canvas.addMarker(id, "etapa-concluida"));
  if (data.atual) canvas.addMarker(data.atual, "etapa-atual");
  announceNewWindows(container);
  container.dataset.pronto = "sim";
})();
