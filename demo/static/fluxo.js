// Fluxo vivo: draw the ticket's BPMN with bpmn-js and mark the finished and current steps.
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
  container.dataset.pronto = "sim";
})();
