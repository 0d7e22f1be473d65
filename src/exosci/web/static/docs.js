"use strict";
/* Swagger UI from the bundled copy (no CDN, no inline script); no validator badge (it calls out). */
/* Colours of Swagger UI's stock theme below WCAG AA contrast (axe-core "color-contrast"), darkened
   here: the version badges, links, method badges and greyed parameter notes. */
const DOCS_CSS = `
.swagger-ui .info .title small { background: #4b5563; }
.swagger-ui .info .title small.version-stamp { background: #2f6b1f; }
.swagger-ui .info .title small pre, .swagger-ui .info .title small .version { color: #fff; }
.swagger-ui .info a, .swagger-ui .info .url, .swagger-ui a.nostyle, .swagger-ui .info__tos a { color: #1d4f91; }
.swagger-ui .opblock .opblock-summary-method { color: #fff; text-shadow: none; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1d5fa3; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1d6e46; }
.swagger-ui .opblock.opblock-put .opblock-summary-method, .swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #8a4b08; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b3261e; }
.swagger-ui .opblock.opblock-head .opblock-summary-method, .swagger-ui .opblock.opblock-options .opblock-summary-method { background: #6b21a8; }
.swagger-ui .parameter__in, .swagger-ui .parameter__deprecated, .swagger-ui .prop-format, .swagger-ui .parameter__extension,
.swagger-ui .model-hint, .swagger-ui .renderedMarkdown code, .swagger-ui .response-col_links, .swagger-ui .opblock-summary-path__deprecated,
.swagger-ui .model .property.primitive, .swagger-ui .model-toggle, .swagger-ui .prop-type { color: #4b5563; }
.swagger-ui .prop-type { color: #5b2a86; }
.swagger-ui .parameter__name.required span, .swagger-ui .parameter__name.required:after { color: #b3261e; }
.swagger-ui .opblock-tag small, .swagger-ui .opblock .opblock-summary-description, .swagger-ui table thead tr td, .swagger-ui table thead tr th,
.swagger-ui .response-col_description__inner, .swagger-ui .tab li, .swagger-ui .opblock-section-header h4 { color: #1f2937; }
.swagger-ui .btn { color: #1f2937; border-color: #4b5563; }
.swagger-ui .btn.execute { background: #1d5fa3; border-color: #1d5fa3; color: #fff; }
.swagger-ui .btn.cancel { color: #b3261e; border-color: #b3261e; }
.swagger-ui .response-control-media-type__accept-message { color: #1d6e46; }
.swagger-ui .markdown code, .swagger-ui .renderedMarkdown code { color: #7a1e5a; background: #f3f4f6; }
.swagger-ui .copy-to-clipboard { background: #4b5563; }
.swagger-ui .json-schema-2020-12-expand-deep-button, .swagger-ui .json-schema-2020-12__attribute--primary,
.swagger-ui .json-schema-2020-12-keyword__name--secondary, .swagger-ui .json-schema-2020-12__constraint { color: #4b5563; }
.swagger-ui .json-schema-2020-12__attribute--muted { color: #4b5563; }
`;
window.addEventListener("load", () => {
  const style = document.createElement("style");
  style.textContent = DOCS_CSS;
  document.head.appendChild(style);
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null,
    deepLinking: false, presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
});
