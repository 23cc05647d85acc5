//! `GET /docs`: the API page and its files, served from the binary with their types, the page
//! loading nothing but this server's own files. (That it works in a browser is the CLI's
//! `docs_page` test, in a real Chromium.)

use crate::support::{self, send};

#[tokio::test]
async fn the_page_and_its_files_are_served_with_their_types() {
    let t = support::start().await;
    let page = send(t.addr, "GET", "/docs", &[], None).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(page.header("x-request-id").is_some());
    let html = String::from_utf8(page.body).unwrap();
    for file in [
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/docs.js",
    ] {
        assert!(html.contains(file), "the page loads {file}");
    }

    let files: [(&str, &str, &[u8]); 3] = [
        (
            "/docs/swagger-ui-bundle.js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
        ),
        (
            "/docs/swagger-ui.css",
            "text/css; charset=utf-8",
            include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
        ),
        (
            "/docs/docs.js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/docs.js"),
        ),
    ];
    for (path, content_type, body) in files {
        let response = send(t.addr, "GET", path, &[], None).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some(content_type),
            "{path}"
        );
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert!(response.body == body, "{path} is served as vendored");
    }
    assert_eq!(send(t.addr, "POST", "/docs", &[], None).await.status, 405);
}

#[test]
fn the_page_and_its_script_name_no_other_origin() {
    // Offline: what the page itself loads or calls is on this server (the bundle's own
    // mentions of URLs are links in its licence texts and the validator, turned off).
    for text in [
        include_str!("../../assets/docs.html"),
        include_str!("../../assets/docs.js"),
    ] {
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{text}"
        );
    }
    assert!(include_str!("../../assets/docs.js").contains("validatorUrl: null"));
}
