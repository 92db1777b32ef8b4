// The trainer's progress view: read the class's progress every few seconds and update the cells.
(() => {
  const table = document.getElementById("progresso");
  if (!table) return;
  const status = document.getElementById("progresso-situacao");
  const EVERY_MS = 5000;
  const refresh = async () => {
    try {
      const answer = await fetch(table.dataset.fonte, { headers: { Accept: "application/json" } });
      if (!answer.ok) throw new Error(String(answer.status));
      const data = await answer.json();
      for (const trainee of data.alunos) {
        const row = table.querySelector(`tr[data-usuario="${CSS.escape(trainee.usuario)}"]`);
        if (!row) continue;
        for (const cell of row.querySelectorAll("td[data-capitulo]")) {
          const found = trainee.capitulos[cell.dataset.capitulo];
          cell.textContent = found ? found.texto : "Não começou";
          cell.classList.toggle("portal-progresso-concluido", Boolean(found && found.concluido));
        }
      }
      status.textContent = "";
      table.dataset.atualizado = String(Date.now());
    } catch (error) {
      status.textContent = "Não foi possível atualizar o progresso agora; nova tentativa em instantes.";
    }
  };
  setInterval(refresh, EVERY_MS);
})();
