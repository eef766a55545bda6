// Starts Swagger UI on the Rekindle OpenAPI document (no inline script: strict CSP).
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true });
})();
