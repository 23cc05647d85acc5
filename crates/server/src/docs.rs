//! `GET /docs`: an interactive page of the server's own OpenAPI document, Swagger UI (vendored
//! unchanged under `assets/swagger-ui/`, with its licence and version) compiled into the binary,
//! so the page works offline. The page's own script (`assets/docs.js`) points Swagger UI at
//! `/openapi.yaml` and at this server, and authorizes the page's requests with the token of a
//! token request made from it.

use http::{HeaderValue, header};

use crate::reply::Reply;

/// The files of the page, one operation of the document each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Asset {
    Page,
    Script,
    SwaggerUi,
    Style,
}

/// What the page may load: only this server, whose origin its requests go to. Swagger UI sets
/// styles inline and draws its icons as `data:` images.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; connect-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/// The reply for `asset`.
pub(crate) fn reply(asset: Asset) -> Reply {
    let (content_type, body): (&'static str, &'static [u8]) = match asset {
        Asset::Page => (
            "text/html; charset=utf-8",
            include_bytes!("../assets/docs.html"),
        ),
        Asset::Script => (
            "text/javascript; charset=utf-8",
            include_bytes!("../assets/docs.js"),
        ),
        Asset::SwaggerUi => (
            "text/javascript; charset=utf-8",
            include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js"),
        ),
        Asset::Style => (
            "text/css; charset=utf-8",
            include_bytes!("../assets/swagger-ui/swagger-ui.css"),
        ),
    };
    let reply = Reply::file(content_type, body).header(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    match asset {
        Asset::Page => reply.header(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        ),
        _ => reply,
    }
}
