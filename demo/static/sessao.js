// The warning before the login session ends for lack of use (eMAG: a time limit that can be
// extended). Nothing is polled: the page says how many seconds the session had left when it
// was drawn (data-restante) and when to warn (data-aviso, seconds before the end); one timer
// opens the dialog, another tells that the session ended. "Continuar conectado" asks the
// server to count this as a use and restarts both timers from its answer. Nothing reloads or
// leaves the page by itself: after the end the dialog only offers the way back in.
(() => {
  const dialog = document.getElementById("sessao-aviso");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const text = dialog.querySelector("[data-sessao-texto]");
  const title = dialog.querySelector("#sessao-titulo");
  const keep = dialog.querySelector("[data-sessao-continuar]");
  const again = dialog.querySelector("[data-sessao-entrar]");
  const warnBefore = Number(dialog.dataset.aviso) * 1000;
  let timers = [];
  let endsAt = 0;
  let returnFocus = null;

  const minutes = (ms) => {
    const count = Math.max(1, Math.ceil(ms / 60000));
    return count === 1 ? "1 minuto" : `${count} minutos`;
  };

  const open = () => {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
  };

  const warn = () => {
    title.textContent = "Sua sessão vai terminar";
    text.textContent =
      `Por falta de uso, a sua sessão vai terminar em ${minutes(endsAt - Date.now())}. ` +
      "Deseja continuar conectado?";
    keep.hidden = false;
    again.hidden = true;
    open();
    keep.focus();
  };

  const ended = () => {
    title.textContent = "Sua sessão terminou";
    text.textContent =
      "Por falta de uso, a sua sessão terminou. O que não foi enviado não foi salvo: " +
      "entre de novo para continuar.";
    keep.hidden = true;
    again.hidden = false;
    open();
    again.focus();
  };

  // setTimeout holds at most about 24 days: a longer wait is made of shorter ones.
  const LONGEST = 2 ** 31 - 1;
  const later = (action, ms) => {
    const slot = timers.length;
    const wait = (left) => {
      timers[slot] = setTimeout(() => (left > LONGEST ? wait(left - LONGEST) : action()),
        Math.min(left, LONGEST));
    };
    wait(Math.max(0, ms));
  };

  const schedule = (seconds) => {
    timers.forEach(clearTimeout);
    timers = [];
    const left = seconds * 1000;
    endsAt = Date.now() + left;
    later(warn, left - warnBefore);
    later(ended, left);
  };

  keep.addEventListener("click", async () => {
    keep.disabled = true;
    try {
      const response = await fetch(dialog.dataset.renovar, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": dialog.dataset.csrf, Accept: "application/json" },
      });
      const answer = response.ok ? await response.json() : { restante: 0 };
      if (answer.restante > 0) {
        dialog.close();
        schedule(answer.restante);
        if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
      } else {
        ended();
      }
    } catch (error) {
      text.textContent = "Não foi possível falar com o portal. Verifique a conexão e tente de novo.";
    } finally {
      keep.disabled = false;
    }
  });

  // Escape closes the dialog; the timers still tell when the session ends.
  schedule(Number(dialog.dataset.restante));
})();
