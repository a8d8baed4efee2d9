// The API docs page: Swagger UI from the vendored bundle, configured from a JSON script tag
// (the Content-Security-Policy allows no inline script). Browser sessions send the CSRF token.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const token = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  config.requestInterceptor = (req) => {
    if (token) req.headers["X-CSRFToken"] = token;
    return req;
  };
  window.SwaggerUIBundle(config);
})();
