"use strict";
/* Swagger UI from the bundled copy (no CDN, no inline script); no validator badge (it calls out). */
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null,
    deepLinking: true, presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
});
