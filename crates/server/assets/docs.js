// The API page of the reference server: Swagger UI over the server's own document
// (/openapi.yaml), every request sent to the server the page came from, and the access token
// of a successful token request used for the requests after it.
"use strict";

(function () {
  // The document lists the hosted API's servers; "Try it out" must reach this one.
  function thisServer() {
    return {
      statePlugins: {
        spec: {
          wrapActions: {
            updateJsonSpec: function (original) {
              return function (spec) {
                spec.servers = [
                  { url: window.location.origin, description: "This reference server" },
                ];
                return original(spec);
              };
            },
          },
        },
      },
    };
  }

  var ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#docs",
    deepLinking: true,
    // Offline: no call to the online validator.
    validatorUrl: null,
    displayRequestDuration: true,
    plugins: [thisServer],
    responseInterceptor: function (response) {
      var body = response.body || response.obj;
      // Only the page's memory keeps the token: nothing is stored in the browser.
      if (response.ok && /\/api\/v1\/oauth2\/token$/.test(response.url) && body && body.access_token) {
        ui.preauthorizeApiKey("bearerAuth", body.access_token);
      }
      return response;
    },
  });
  window.ui = ui;
})();
