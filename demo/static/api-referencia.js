// The API's reference page: Swagger UI over the portal's own OpenAPI document.
// A file, not an inline script, for the portal's Content-Security-Policy.
(function () {
  "use strict";
  var root = document.getElementById("referencia");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-especificacao"),
    domNode: root,
    deepLinking: true,
    // No call to the public validator: the page talks to the portal only.
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
    defaultModelsExpandDepth: 0,
  });
})();
