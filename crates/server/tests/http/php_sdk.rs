//! The vendor's PHP SDK (`exsited/exsited-php`), replayed: its package cannot be installed here,
//! so these tests send, byte for byte, the requests its `IntegrationData` methods make through
//! libcurl, and check the answers the way the SDK does.
//!
//! What the SDK sends (its `AutoBillApiCaller` and `AutoBillOAuth2ApiCaller`):
//! - every path is the base URL (ending in `/`) and `api/v3/...`: v3 for every call, so the
//!   connections are listed and read at `/api/v3/integration-connections[/{uuid}]`;
//! - no `User-Agent` (libcurl sends none unless told), `Accept: */*`, the header
//!   `Content-Type:application/json` written without a space on every POST, PATCH and DELETE,
//!   then `Authorization: Bearer <token>`;
//! - a POST without parameters (enable, disable) carries `json_encode(null)`: the 4-byte body
//!   `null`; a DELETE carries the JSON content type and no body at all;
//! - bodies are PHP's `json_encode`: compact, `/` written as `\/`;
//! - a body above libcurl's threshold is announced with `Expect: 100-continue` and sent after
//!   the interim `100 Continue` (older libcurl releases do so above 1 KiB).
//!
//! What it checks: a token answer counts only with the exact status 200 and a non-empty
//! `access_token`; any other answer counts as a success with 200, 201, 202, 204 or 302, and is
//! `json_decode`d. Otherwise, when `errors[0].code == 401`, it renews the token with the refresh
//! grant, and on a 400 to that with the client credentials, then sends the request again (at
//! most three times).

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{self, MovableClock, Response, WRITER, read_response};

/// The statuses the SDK's `responseProcessor` takes for a success.
const SUCCESS: [u16; 5] = [200, 201, 202, 204, 302];

/// The SDK's `token.json`: where it is, who it is, and the tokens it last got.
struct Php {
    addr: SocketAddr,
    access_token: String,
    refresh_token: String,
    /// Every request line sent, in order, to check the flow.
    sent: Vec<String>,
}

/// What one call gave the SDK's caller: the status and the decoded body (`null` for none).
struct Answer {
    status: u16,
    body: Value,
}

impl Php {
    /// The SDK's `getAccessToken`: the client-credentials grant, without a token.
    async fn logged_in(addr: SocketAddr) -> Self {
        let mut php = Self {
            addr,
            access_token: String::new(),
            refresh_token: String::new(),
            sent: Vec::new(),
        };
        assert!(php.client_credentials().await, "the first grant");
        php
    }

    /// `POST_JSON(apiUrl . "api/v1/oauth2/token", params)`: no `Authorization`.
    async fn token_request(&mut self, body: &str) -> Response {
        let request = format!(
            "POST /api/v1/oauth2/token HTTP/1.1\r\nHost: {}\r\nAccept: */*\r\n\
             Content-Type:application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.sent
            .push(request.lines().next().unwrap_or_default().to_owned());
        exchange(self.addr, request.as_bytes(), None).await
    }

    /// Keeps the tokens of an answer the SDK accepts: exactly 200, a non-empty access token.
    fn accept_grant(&mut self, answer: &Response) -> bool {
        if answer.status != 200 {
            return false;
        }
        let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        let access = body["access_token"].as_str().unwrap_or_default();
        if access.is_empty() {
            return false;
        }
        self.access_token = access.to_owned();
        self.refresh_token = body["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        true
    }

    async fn client_credentials(&mut self) -> bool {
        let body = format!(
            r#"{{"grant_type":"client_credentials","client_id":"{}","client_secret":"{}","redirect_uri":"https:\/\/example.com\/callback"}}"#,
            WRITER.0, WRITER.1
        );
        let answer = self.token_request(&body).await;
        self.accept_grant(&answer)
    }

    /// The SDK's `renewAccessToken`: the refresh grant; on a 400 to it, the client credentials.
    async fn renew(&mut self) {
        let body = format!(
            r#"{{"grant_type":"refresh_token","refresh_token":"{}","client_id":"{}","client_secret":"{}","redirect_uri":"https:\/\/example.com\/callback"}}"#,
            self.refresh_token, WRITER.0, WRITER.1
        );
        let answer = self.token_request(&body).await;
        if self.accept_grant(&answer) {
            return;
        }
        assert_eq!(
            answer.status,
            400,
            "the SDK gives up on anything but 200 or 400 to a refresh grant: {}",
            String::from_utf8_lossy(&answer.body)
        );
        assert!(self.client_credentials().await, "the fallback grant");
    }

    /// One call of `IntegrationData`, as `AutoBillOAuth2ApiCaller` makes it: the request, and
    /// after an error whose `errors[0].code` is 401, a renewal and the request again.
    async fn call(&mut self, method: &str, path: &str, body: Option<&str>) -> Answer {
        for _ in 0..3 {
            let response = self.send(method, path, body).await;
            let decoded: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            if SUCCESS.contains(&response.status) {
                return Answer {
                    status: response.status,
                    body: decoded,
                };
            }
            // PHP's `==`: the integer 401 and the string "401" both match.
            let code = &decoded["errors"][0]["code"];
            if code == &json!(401) || code == &json!("401") {
                self.renew().await;
                continue;
            }
            return Answer {
                status: response.status,
                body: decoded,
            };
        }
        panic!("Token renewal failed after 3 attempts.");
    }

    /// The bytes libcurl writes for the SDK's request.
    async fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> Response {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: */*\r\n",
            self.addr
        );
        // GET goes through `GET($url, $params, $headers)` with the token alone; every other
        // method through `*_JSON`, which puts the JSON content type first.
        if method != "GET" {
            head.push_str("Content-Type:application/json\r\n");
        }
        head.push_str(&format!("Authorization: Bearer {}\r\n", self.access_token));
        let announced = body.is_some_and(|b| b.len() > 1024);
        if let Some(body) = body {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
            if announced {
                head.push_str("Expect: 100-continue\r\n");
            }
        }
        head.push_str("\r\n");
        self.sent
            .push(head.lines().next().unwrap_or_default().to_owned());
        let request = match body {
            Some(body) if !announced => format!("{head}{body}"),
            _ => head,
        };
        let later = body.filter(|_| announced);
        exchange(self.addr, request.as_bytes(), later.map(str::as_bytes)).await
    }
}

/// One request on a fresh connection (libcurl's handle is made and closed per call); with
/// `after_continue`, the body goes only once the server asked for it with `100 Continue`.
async fn exchange(addr: SocketAddr, request: &[u8], after_continue: Option<&[u8]>) -> Response {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    if let Some(body) = after_continue {
        let mut interim = Vec::new();
        let mut byte = [0u8; 1];
        while !interim.ends_with(b"\r\n\r\n") {
            let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte))
                .await
                .expect("the server answers an Expect")
                .unwrap();
            assert_eq!(n, 1, "closed before 100 Continue");
            interim.push(byte[0]);
        }
        assert!(
            interim.starts_with(b"HTTP/1.1 100 Continue\r\n"),
            "{}",
            String::from_utf8_lossy(&interim)
        );
        stream.write_all(body).await.unwrap();
    }
    read_response(&mut stream).await
}

#[tokio::test]
async fn the_php_sdks_requests_are_served_byte_for_byte() {
    let t = support::start().await;
    let mut php = Php::logged_in(t.addr).await;

    // `create`: the flat body, `/` escaped as PHP does.
    let created = php
        .call(
            "POST",
            "/api/v3/integration",
            Some(r#"{"provider":"XERO","remote_instance_id":"php-org","remote_instance_name":"PHP Ltd","integration_client_secret":"PHP-PARTNER-SECRET","api_domain":"https:\/\/api.xero.com"}"#),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();

    // `readAll` and `read`, at the v3 paths.
    let all = php
        .call("GET", "/api/v3/integration-connections", None)
        .await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body["integration_connection"][0]["uuid"], id.as_str());
    let one = php
        .call(
            "GET",
            &format!("/api/v3/integration-connections/{id}"),
            None,
        )
        .await;
    assert_eq!(
        one.body["integration_connection"]["integration_partner"],
        "XERO"
    );

    // `disable` and `enable`: the body `null`.
    let base = format!("/api/v3/integration/{id}");
    let disabled = php
        .call("POST", &format!("{base}/disable"), Some("null"))
        .await;
    assert_eq!(
        (disabled.status, disabled.body),
        (
            200,
            json!({"message": "XERO integration has been disabled successfully"})
        )
    );
    let enabled = php
        .call("POST", &format!("{base}/enable"), Some("null"))
        .await;
    assert_eq!(enabled.status, 200);

    // Automations: `addAutomation`, `readAutomation` (with its trailing slash),
    // `readAutomationDetails`, `automationDisable`, `automationEnable`.
    let added = php
        .call(
            "POST",
            &format!("{base}/automation"),
            Some(r#"{"integration":{"automation_details":{"name":"Invoices to Xero","direction":"EXPORT","applies_to":"INVOICE"},"additional_criteria_details":[{"group_condition":"AND","rules":[{"field_name":"status","operator":"EQUALS","value":"ACTIVE","condition":"AND"}]}]}}"#),
        )
        .await;
    assert_eq!(added.status, 201);
    let automation = added.body["integration_automation"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = php.call("GET", &format!("{base}/automation/"), None).await;
    assert_eq!(
        listed.body["integration_automations"][0]["uuid"],
        automation.as_str()
    );
    let rule = format!("{base}/automation/{automation}");
    let off = php
        .call("POST", &format!("{rule}/disable"), Some("null"))
        .await;
    assert_eq!(
        (off.status, off.body),
        (
            200,
            json!({"message": "Automation has been disabled successfully"})
        )
    );
    let read = php.call("GET", &rule, None).await;
    assert_eq!(read.body["integration_automation"]["status"], "INACTIVE");
    let on = php
        .call("POST", &format!("{rule}/enable"), Some("null"))
        .await;
    assert_eq!(on.status, 200);
    assert_eq!(
        php.call("GET", &rule, None).await.body["integration_automation"]["status"],
        "ACTIVE"
    );

    // Partner functions: `createPartnerFunction` (no trailing slash), `readPartner`,
    // `partnerFunctionDisable`, `partnerFunctionEnable`, `deletePartnerDetails`.
    let made = php
        .call(
            "POST",
            &format!("{base}/partner-function"),
            Some(r#"{"partner_function":{"name":"Push invoices","direction":"EXPORT","object_name":"INVOICE","object_mapping":"{\"a\":\"b\"}"}}"#),
        )
        .await;
    assert_eq!(made.status, 201);
    let function = made.body["partner_function"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let pf = format!("{base}/partner-function/{function}");
    let off = php
        .call("POST", &format!("{pf}/disable"), Some("null"))
        .await;
    assert_eq!(
        off.body,
        json!({"message": "Partner function has been disabled successfully"})
    );
    let functions = php
        .call("GET", &format!("{base}/partner-function"), None)
        .await;
    assert_eq!(functions.body["partner_functions"][0]["enabled"], false);
    let on = php
        .call("POST", &format!("{pf}/enable"), Some("null"))
        .await;
    assert_eq!(on.status, 200);

    // `updateConfiguration`, large enough for libcurl to ask `Expect: 100-continue`, then
    // `readIntegrationConfiguration`.
    let mappings: Vec<String> = (0..40)
        .map(|i| format!(r#"{{"source":"{}","target":"{}"}}"#, 1200 + i, 610 + i))
        .collect();
    let configuration = format!(
        r#"{{"account":{{"export":{{"enabled":"true","account_receivable_mapping":{{"enabled":"true","mappings":[{}]}}}},"import":{{"enabled":"false"}}}},"transaction":{{"invoice":{{"export":{{"enabled":"true"}}}}}}}}"#,
        mappings.join(",")
    );
    assert!(configuration.len() > 1024);
    let updated = php
        .call(
            "PATCH",
            &format!("{base}/configuration"),
            Some(&configuration),
        )
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.body["message"],
        "Integration configuration has been updated successfully"
    );
    let stored = php
        .call("GET", &format!("{base}/configuration"), None)
        .await;
    let sent: Value = serde_json::from_str(&configuration).unwrap();
    assert_eq!(stored.body["integration"]["account"], sent["account"]);
    assert_eq!(stored.body["integration"]["purchase"], json!({}));

    let removed = php.call("DELETE", &pf, None).await;
    assert_eq!((removed.status, removed.body), (204, Value::Null));

    // `delete`, then `read`: the SDK hands back the error object.
    let deleted = php.call("DELETE", &base, None).await;
    assert_eq!(deleted.status, 204);
    let gone = php
        .call(
            "GET",
            &format!("/api/v3/integration-connections/{id}"),
            None,
        )
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["errors"][0]["code"], 404);
    let gone = php
        .call("GET", &format!("{base}/configuration"), None)
        .await;
    assert_eq!(gone.status, 404);

    // No renewal was needed: one grant, and every call went out once.
    let grants = php
        .sent
        .iter()
        .filter(|l| l.contains("oauth2/token"))
        .count();
    assert_eq!(grants, 1, "{:#?}", php.sent);
}

#[tokio::test]
async fn a_revoked_token_is_renewed_through_the_refresh_grants_400() {
    let t = support::start().await;
    let mut php = Php::logged_in(t.addr).await;
    let created = php
        .call(
            "POST",
            "/api/v3/integration",
            Some(r#"{"provider":"XERO","remote_instance_id":"php-revoked"}"#),
        )
        .await;
    let id = created.body["integration"]["integration_connection"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another process of the same client logs in: the SDK's access and refresh tokens are both
    // revoked.
    support::grant(t.addr, WRITER).await;
    php.sent.clear();

    let disabled = php
        .call(
            "POST",
            &format!("/api/v3/integration/{id}/disable"),
            Some("null"),
        )
        .await;
    assert_eq!(disabled.status, 200);
    assert_eq!(
        php.sent,
        [
            format!("POST /api/v3/integration/{id}/disable HTTP/1.1"),
            "POST /api/v1/oauth2/token HTTP/1.1".to_owned(),
            "POST /api/v1/oauth2/token HTTP/1.1".to_owned(),
            format!("POST /api/v3/integration/{id}/disable HTTP/1.1"),
        ],
        "401, a refused refresh (400), the client credentials, the replay"
    );
    let read = php
        .call(
            "GET",
            &format!("/api/v3/integration-connections/{id}"),
            None,
        )
        .await;
    assert_eq!(read.body["integration_connection"]["status"], "INACTIVE");
}

#[tokio::test]
async fn an_expired_token_is_renewed_with_the_refresh_grant() {
    let clock = MovableClock::default();
    let t = support::start_at(&clock).await;
    let mut php = Php::logged_in(t.addr).await;
    let old_refresh = php.refresh_token.clone();
    // Past the access token's lifetime (an hour), within the refresh token's.
    clock.advance(Duration::from_secs(2 * 3600));
    php.sent.clear();

    let all = php
        .call("GET", "/api/v3/integration-connections", None)
        .await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body["integration_connection"], json!([]));
    assert_eq!(
        php.sent,
        [
            "GET /api/v3/integration-connections HTTP/1.1",
            "POST /api/v1/oauth2/token HTTP/1.1",
            "GET /api/v3/integration-connections HTTP/1.1",
        ],
        "401, the refresh grant, the replay"
    );
    assert_ne!(php.refresh_token, old_refresh, "the refresh token rotated");
}
