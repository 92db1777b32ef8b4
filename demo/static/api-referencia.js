// The API's reference page: Swagger UI over the portal's own OpenAPI document.
// A file, not an inline script, for the portal's Content-Security-Policy.
//
// Swagger UI's markup has a few gaps that axe (WCAG 2.2 AA) finds; they are mended here, on
// every render, rather than in a fork: a select without a name, a scrolling example a
// keyboard cannot reach, a link opening a new window unannounced. Deep links stay off:
// Swagger UI puts them as links inside the operation's button (nested controls, 14 px
// targets).
(function () {
  "use strict";
  var root = document.getElementById("referencia");

  function mend(scope) {
    scope.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Valor de " + el.closest("tr").getAttribute("data-param-name"));
    });
    var servers = scope.querySelector("select#servers:not([aria-label])");
    if (servers) servers.setAttribute("aria-label", "Servidor");
    // eMAG: no new window unannounced; the portal's own links open in place.
    scope.querySelectorAll("a[target=_blank]").forEach(function (el) {
      el.removeAttribute("target");
    });
    scope.querySelectorAll("pre:not([tabindex]), .highlight-code:not([tabindex])").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
  }

  new MutationObserver(function () { mend(root); }).observe(root, { childList: true, subtree: true });
  root.setAttribute("data-pronta", "false");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-especificacao"),
    domNode: root,
    deepLinking: false,
    // No call to the public validator: the page talks to the portal only.
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
    defaultModelsExpandDepth: 0,
    // Plain examples: the highlighter's palette is made for a dark background only.
    syntaxHighlight: { activated: false },
    onComplete: function () {
      mend(root);
      root.setAttribute("data-pronta", "true");
    },
  });
})();
