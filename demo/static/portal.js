// Drop-down menus of the top bar: open on click, close on Escape or a click elsewhere.
document.querySelectorAll("[data-submenu]").forEach((button) => {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    menu.hidden = !open;
  };
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    setOpen(menu.hidden);
    if (!menu.hidden) menu.querySelector("a")?.focus();
  });
  document.addEventListener("click", () => setOpen(false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !menu.hidden) {
      setOpen(false);
      button.focus();
    }
  });
});

// File fields: show the chosen names in Portuguese next to the button.
document.querySelectorAll("[data-upload]").forEach((input) => {
  const names = input.parentElement.querySelector(".portal-upload-names");
  input.addEventListener("change", () => {
    const chosen = Array.from(input.files).map((file) => file.name);
    names.textContent = chosen.length ? chosen.join(", ") : "Nenhum arquivo selecionado";
  });
});
