// Praticar no portal: the manual's own steps as a guided tour (driver.js), one step at a time.
//
// The steps come from the manual's build (praticar.json): the sentence exactly as the manual
// prints it, the targets with their roles, the hidden values, arquivo.rst:linha, and the rule
// that finds a target (docs/_ext/passos/roles.py) - the same rule the manual's replay uses.
// The tour moves on when the person does the step (a click, a filled field, a page load); its
// state lives in localStorage, so it crosses page loads and both sites, and can be resumed.
(() => {
  const script = document.currentScript;
  const KEY = "portal.praticar";
  // What steps kept (:guarda:, the number of your ticket) outlives a chapter's tour.
  const KEPT = "portal.praticar.guardados";
  const WAIT_MS = 3000;
  const root = document.documentElement;
  let tour = null; // the driver.js instance
  let data = null;
  let cleanup = [];

  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "null");
    } catch (error) {
      return null;
    }
  };
  const save = (state) => {
    localStorage.setItem(KEPT, JSON.stringify(state.vars || {}));
    localStorage.setItem(KEY, JSON.stringify(state));
  };
  const kept = () => {
    try {
      return JSON.parse(localStorage.getItem(KEPT) || "{}") || {};
    } catch (error) {
      return {};
    }
  };
  const clear = () => localStorage.removeItem(KEY);
  const escape = (text) =>
    String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  // --- the shared rule: find a target as the replay does -----------------------------------

  const normal = (text) => String(text || "").replace(/\s+/g, " ").trim();
  const pattern = (label) => {
    const rule = data.regra.nome;
    const escaper = new RegExp(rule.escapar, "g");
    const words = normal(label).split(" ").map((w) => w.replace(escaper, "\\$&"));
    return new RegExp(rule.inicio + words.join(rule.entre_palavras) + rule.fim, "i");
  };
  const shown = (element) => {
    if (!element.getClientRects().length) return false;
    const style = getComputedStyle(element);
    return style.visibility !== "hidden" && style.display !== "none";
  };
  const textOf = (ids) =>
    ids
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((e) => e.textContent)
      .join(" ");
  // The accessible name, as far as the portal's pages need it (aria-labelledby, aria-label,
  // the labels of a control, alt, the content, the title).
  const nameOf = (element) => {
    const labelledBy = element.getAttribute("aria-labelledby");
    if (labelledBy) return normal(textOf(labelledBy));
    const label = element.getAttribute("aria-label");
    if (label) return normal(label);
    if (element.labels && element.labels.length) {
      return normal(Array.from(element.labels).map((l) => l.textContent).join(" "));
    }
    if (element.tagName === "INPUT" && ["submit", "button", "reset"].includes(element.type)) {
      return normal(element.value);
    }
    if (element.tagName === "FIELDSET") {
      const legend = element.querySelector("legend");
      if (legend) return normal(legend.textContent);
    }
    const alt = element.getAttribute("alt");
    if (alt) return normal(alt);
    const content = normal(element.textContent);
    return content || normal(element.getAttribute("title"));
  };
  const byRoles = (roles, name) => {
    const found = [];
    for (const role of roles) {
      for (const element of document.querySelectorAll(data.regra.elementos[role] || `[role=${role}]`)) {
        if (shown(element) && name.test(nameOf(element))) found.push(element);
      }
    }
    return found;
  };
  const byLabel = (name) =>
    Array.from(document.querySelectorAll("input, select, textarea, output, [role], [aria-label], [aria-labelledby]")).filter(
      (element) => (element.labels && element.labels.length) || element.hasAttribute("aria-label") || element.hasAttribute("aria-labelledby")
        ? name.test(nameOf(element))
        : false,
    );
  const byText = (name) => {
    // the innermost visible elements whose own text is the label
    const found = [];
    for (const element of document.body.querySelectorAll("*")) {
      if (["SCRIPT", "STYLE"].includes(element.tagName) || !shown(element)) continue;
      if (!name.test(normal(element.textContent))) continue;
      const inner = Array.from(element.children).some((child) => name.test(normal(child.textContent)));
      if (!inner) found.push(element);
    }
    return found;
  };
  const unique = (lists) => Array.from(new Set(lists.flat()));
  // One action's candidates, exactly as runner.Replayer._locate builds them.
  const locate = (action) => {
    const rule = data.regra;
    const name = pattern(action.rotulo || "");
    const checking = action.verbo === "check";
    let candidates;
    if (action.papel === "file") {
      candidates = [byLabel(name).filter((e) => e.matches("input[type=file]"))];
    } else if (action.papel === "field") {
      let labelled = byLabel(name);
      if (!checking) labelled = labelled.filter((e) => e.matches(rule.campos));
      candidates = [labelled.filter(shown), byRoles(rule.grupos, name)];
    } else if (action.papel === "text") {
      candidates = [byText(name), byRoles(rule.papeis.text, name)];
    } else {
      candidates = [byRoles(rule.papeis[action.papel], name)];
    }
    if (checking && action.papel !== "text") candidates.push(byText(name));
    if (checking) return candidates.find((list) => list.length) || [];
    return unique(candidates);
  };

  // --- variables kept by earlier steps (:guarda:) ------------------------------------------

  const withVariables = (text, state) =>
    typeof text !== "string"
      ? text
      : text.replace(/\{([a-z][a-z0-9_]*)\}/g, (whole, name) => (name in state.vars ? state.vars[name] : whole));
  const missingVariable = (action, state) =>
    [action.rotulo, action.valor].some((t) => typeof t === "string" && /\{[a-z][a-z0-9_]*\}/.test(withVariables(t, state)));

  // --- progress, reported to the portal -----------------------------------------------------

  const report = (chapter, step) => {
    const token = document.querySelector('meta[name="csrf-token"]');
    if (!token || !script.dataset.progresso) return;
    fetch(script.dataset.progresso, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token.content },
      body: JSON.stringify({ capitulo: chapter.documento, passo: step, total: chapter.passos.length }),
    }).catch(() => {});
  };

  // --- the tour -----------------------------------------------------------------------------

  const announce = (text) => {
    let region = document.getElementById("praticar-anuncio");
    if (!region) {
      region = document.createElement("div");
      region.id = "praticar-anuncio";
      region.className = "sr-only";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    region.textContent = text;
  };

  const stop = () => {
    cleanup.forEach((undo) => undo());
    cleanup = [];
    if (tour) tour.destroy();
    tour = null;
  };

  const pause = () => {
    const state = load();
    stop();
    if (state) {
      state.pausado = true;
      save(state);
      resumeButton(state);
    }
  };

  const finish = () => {
    stop();
    clear();
    announce("Tour encerrado.");
    resumeBar()?.remove();
  };

  const resumeBar = () => document.getElementById("praticar-retomar");
  const resumeButton = (state) => {
    resumeBar()?.remove();
    const chapter = data && data.capitulos.find((c) => c.documento === state.capitulo);
    const bar = document.createElement("div");
    bar.id = "praticar-retomar";
    bar.className = "praticar-retomar";
    const resume = document.createElement("button");
    resume.type = "button";
    resume.className = "br-button primary small";
    resume.textContent = `Retomar o tour${chapter ? `: ${chapter.titulo}, passo ${state.passo + 1}` : ""}`;
    resume.addEventListener("click", () => {
      const current = load();
      if (!current) return;
      current.pausado = false;
      save(current);
      bar.remove();
      render();
    });
    const end = document.createElement("button");
    end.type = "button";
    end.className = "br-button secondary small";
    end.textContent = "Encerrar o tour";
    end.addEventListener("click", finish);
    bar.append(resume, end);
    document.body.appendChild(bar);
  };

  const move = (state, passo, acao = 0) => {
    const chapter = data.capitulos.find((c) => c.documento === state.capitulo);
    if (passo !== state.passo) report(chapter, Math.min(passo, chapter.passos.length));
    state.passo = passo;
    state.acao = acao;
    save(state);
  };

  const keep = (step, state) => {
    for (const [variable, label] of step.guarda || []) {
      const found = locate({ verbo: "check", papel: "field", rotulo: label });
      const element = found[0];
      if (!element) continue;
      const value = normal("value" in element ? element.value : element.textContent);
      if (value) state.vars[variable] = value;
    }
  };

  // The action is done: the next action, or the next step.
  const advance = (delay = 0) => {
    const state = load();
    if (!state) return;
    const chapter = data.capitulos.find((c) => c.documento === state.capitulo);
    const step = chapter.passos[state.passo];
    if (step && state.acao + 1 < step.acoes.length) {
      move(state, state.passo, state.acao + 1);
    } else {
      if (step) keep(step, state);
      move(state, state.passo + 1, 0);
    }
    stop();
    // At once after a filled field: the click that follows (on the button the next action
    // names) must find its listener in place.
    if (delay) setTimeout(render, delay);
    else render();
  };

  const back = () => {
    const state = load();
    if (!state) return;
    move(state, Math.max(0, state.acao > 0 ? state.passo : state.passo - 1), 0);
    stop();
    render();
  };

  const hint = (action, target, state) => {
    if (!action) return "";
    const label = withVariables(action.rotulo, state);
    if (action.verbo === "click") return `Clique em “${label}”.`;
    if (action.verbo === "attach") return `Escolha os arquivos em “${label}”.`;
    if (action.verbo === "check") return `Observe “${label}” e clique em Próximo.`;
    const value = withVariables(action.valor, state);
    const secret = target && target.type === "password";
    return `Preencha “${label}”${value && !secret ? ` (no manual: ${value})` : ""} e saia do campo.`;
  };

  const problem = (kind, step, message) => {
    root.dataset.praticarProblema = kind;
    root.dataset.praticarLocal = `${step.arquivo}:${step.linha}`;
    return message;
  };

  const show = (chapter, state, step, action, target, note) => {
    const total = chapter.passos.length;
    const title = `${chapter.titulo} · passo ${step.numero} de ${total}`;
    const parts = [`<p class="praticar-frase">${escape(step.frase)}</p>`];
    const what = hint(action, target, state);
    if (what) parts.push(`<p class="praticar-dica">${escape(what)}</p>`);
    if (note) parts.push(`<p class="praticar-aviso">${escape(note)}</p>`);
    root.dataset.praticarPasso = String(state.passo);
    root.dataset.praticarAcao = String(state.acao);
    root.dataset.praticarCapitulo = chapter.documento;
    tour = window.driver.js.driver({
      animate: false,
      allowClose: true,
      allowKeyboardControl: false,
      overlayOpacity: 0.35,
      stagePadding: 4,
      disableActiveInteraction: false,
      overlayClickBehavior: () => {},
      popoverClass: "praticar-popover",
      nextBtnText: "Próximo",
      prevBtnText: "Anterior",
      doneBtnText: "Próximo",
      onPopoverRender: (popover) => {
        popover.closeButton.setAttribute("aria-label", "Sair do tour (pode ser retomado)");
        popover.closeButton.setAttribute("title", "Sair do tour (pode ser retomado)");
        popover.wrapper.setAttribute("aria-live", "polite");
        popover.wrapper.lang = "pt-BR";
      },
      onNextClick: () => advance(),
      onPrevClick: () => back(),
      onCloseClick: () => pause(),
    });
    tour.highlight({
      element: target || undefined,
      popover: {
        title: escape(title),
        description: parts.join(""),
        showButtons: ["next", "previous", "close"],
        disableButtons: state.passo === 0 && state.acao === 0 ? ["previous"] : [],
        side: "bottom",
        align: "start",
      },
    });
    announce(`${title}. ${step.frase} ${what} ${note || ""}`);
    if (!target || !action) return;
    // The keyboard goes where the step is: type in the field, or press Enter on the button.
    // (driver.js puts the focus in its popover; the announcement above reads the step.)
    setTimeout(() => target.focus({ preventScroll: true }), 0);
    const done = (delay) => () => advance(delay);
    const listen = (element, event, handler) => {
      element.addEventListener(event, handler, true);
      cleanup.push(() => element.removeEventListener(event, handler, true));
    };
    if (action.verbo === "click") {
      // Before the page changes: the next page load resumes at the next action.
      listen(target, "click", done(150));
    } else if (action.verbo === "fill") {
      listen(target, "change", () => {
        const group = target.matches("fieldset, [role=radiogroup], [role=group]");
        if (group || target.value) advance();
      });
    } else if (action.verbo === "attach") {
      listen(target, "change", () => target.files && target.files.length && advance());
    }
  };

  const render = (started = Date.now()) => {
    const state = load();
    if (!state || !data) return;
    delete root.dataset.praticarProblema;
    delete root.dataset.praticarLocal;
    const chapter = data.capitulos.find((c) => c.documento === state.capitulo);
    if (!chapter) {
      clear();
      announce(`O capítulo “${state.capitulo}” não está no manual.`);
      return;
    }
    if (state.pausado) {
      resumeButton(state);
      return;
    }
    if (state.passo >= chapter.passos.length) {
      stop();
      root.dataset.praticarPasso = String(state.passo);
      tour = window.driver.js.driver({
        animate: false,
        allowKeyboardControl: false,
        popoverClass: "praticar-popover",
        doneBtnText: "Concluir",
        nextBtnText: "Concluir",
        onNextClick: finish,
        onCloseClick: finish,
      });
      tour.highlight({
        popover: {
          title: escape(`${chapter.titulo}: capítulo concluído`),
          description: "<p>Você fez todos os passos deste capítulo no portal.</p>",
          showButtons: ["next", "close"],
        },
      });
      announce(`${chapter.titulo}: capítulo concluído.`);
      return;
    }
    const step = chapter.passos[state.passo];
    // A new session of the chapter (another person logs in): leave the current one first, as
    // the manual's replay does, then the step's own address.
    const previous = chapter.passos[state.passo - 1];
    const logout = document.querySelector('form[action$="/sair"]');
    if (previous && previous.fim_de_sessao && state.saiu !== state.passo) {
      state.saiu = state.passo;
      state.abriu = state.passo;
      save(state);
      if (logout) logout.submit();
      else location.assign(step.inicio);
      return;
    }
    if (step.url && state.abriu !== state.passo && location.pathname !== step.url) {
      state.abriu = state.passo;
      save(state);
      location.assign(step.url);
      return;
    }
    const raw = step.acoes[state.acao];
    const action = raw && { ...raw, rotulo: withVariables(raw.rotulo, state) };
    if (!action) return show(chapter, state, step, null, null, "");
    if (missingVariable(raw, state)) {
      const note = problem("variavel", step, "Este passo usa o número do seu chamado: faça antes o passo do manual que o mostra.");
      return show(chapter, state, step, action, null, note);
    }
    const found = locate(action);
    const single = action.verbo === "check" ? found.length > 0 : found.length === 1;
    if (!single && Date.now() - started < WAIT_MS) {
      setTimeout(() => render(started), 200);
      return;
    }
    if (!found.length) {
      const note = problem("ausente", step, `“${action.rotulo}” não está nesta tela. Faça o passo como o manual descreve (ou clique em Próximo).`);
      return show(chapter, state, step, action, null, note);
    }
    if (!single) {
      const note = problem("ambiguo", step, `“${action.rotulo}” aparece ${found.length} vezes nesta tela.`);
      return show(chapter, state, step, action, null, note);
    }
    show(chapter, state, step, action, found[0], "");
  };

  const begin = () => {
    const match = location.hash.match(/^#praticar=([a-z0-9_-]+)\/(\d+)$/);
    if (match) {
      save({
        capitulo: match[1],
        passo: Math.max(0, Number(match[2]) - 1),
        acao: 0,
        vars: kept(),
        pausado: false,
      });
      history.replaceState(null, "", location.pathname + location.search);
    }
    const state = load();
    if (!state) return;
    if (!window.driver || !window.driver.js) {
      announce("O tour não pôde começar: o componente driver.js não carregou.");
      return;
    }
    fetch(script.dataset.passos, { credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
      .then((json) => {
        data = json;
        if (match) {
          const chapter = data.capitulos.find((c) => c.documento === state.capitulo);
          if (chapter) report(chapter, state.passo);
        }
        render();
      })
      .catch(() => announce("O tour não pôde começar: o manual ainda não foi gerado (make docs)."));
  };

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && tour) pause();
  });
  begin();
})();
