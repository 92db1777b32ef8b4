/* The manual's behaviour, from a file: the portal's Content-Security-Policy forbids inline
   scripts, so what sphinx-rtd-theme's layout did inline (Navigation.enable) happens here. */
"use strict";

jQuery(function () {
  SphinxRtdTheme.Navigation.enable(true);
  // enable() builds the sidebar's buttons and wraps the tables in its own ready handler:
  // this one, registered after it, runs after it.
  jQuery(function () {
    nameExpandButtons();
    focusableWhenScrolling();
    window.addEventListener("resize", focusableWhenScrolling);
  });

  // The menu button on small screens says whether the menu is open (theme.js opens and
  // closes it by a class, also when a link inside is followed).
  const toggle = document.querySelector("button.manual-menu");
  const menu = document.querySelector(".wy-nav-side");
  if (toggle && menu) {
    new MutationObserver(function () {
      toggle.setAttribute("aria-expanded", String(menu.classList.contains("shift")));
    }).observe(menu, { attributes: true, attributeFilter: ["class"] });
  }
});

// The theme titles its expand buttons in English and gives them no name: name them here.
function nameExpandButtons() {
  document.querySelectorAll(".wy-menu-vertical button.toctree-expand").forEach(function (button) {
    button.removeAttribute("title");
    button.setAttribute(
      "aria-label", "Mostrar ou ocultar as seções de " + button.parentElement.textContent.trim()
    );
  });
}

// A code block or table wider than the screen scrolls: let the keyboard scroll it too.
function focusableWhenScrolling() {
  document.querySelectorAll(".rst-content pre, .rst-content .wy-table-responsive").forEach(
    function (box) {
      if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    }
  );
}
