//! The token request (`POST /api/v1/oauth2/token`): its body through
//! `exsited_spec::validate`, then the grant it asks for (`exsited_spec::token`).

use exsited_core::Error;
use exsited_spec::TokenRequest;
use exsited_spec::token::Grant;
use exsited_spec::validate::{self, BodyError};
use serde_json::Value;

use crate::planted::{Where, assert_clean, assert_clean_error, plant};

/// Reads `data` as a token request, as it is and with a secret planted in `client_secret` and
/// `refresh_token` (added when absent), then in every string, and checks:
///
/// - a refused body is never the generator bug `Mismatch`, and its error is bounded and quotes
///   no planted value;
/// - an accepted request's own JSON is accepted as the same request;
/// - its grant is what its `grant_type` says, a refresh grant carrying its non-empty refresh
///   token; a refused grant names `grant_type` or `refresh_token`, bounded, quoting no secret;
///   no grant prints a secret;
/// - the requests a client builds from its id and secret (`client_credentials`, then
///   `refreshing`) are accepted and ask for the grant they were built for.
pub fn token_request(data: &[u8]) {
    read(data);
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut secrets = value.clone();
    if let Value::Object(map) = &mut secrets {
        for field in ["client_secret", "refresh_token"] {
            map.entry(field)
                .or_insert_with(|| Value::String(String::new()));
        }
    }
    plant(&mut secrets, Where::SecretFields);
    read(&serde_json::to_vec(&secrets).expect("a JSON value serializes"));
    let mut every = value;
    plant(&mut every, Where::EveryString);
    read(&serde_json::to_vec(&every).expect("a JSON value serializes"));
}

fn read(body: &[u8]) {
    let request = match validate::from_slice::<TokenRequest>(body) {
        Ok(request) => request,
        Err(error) => {
            assert!(!matches!(error, BodyError::Mismatch { .. }), "{error}");
            assert_clean_error("a token body error", &error);
            return;
        }
    };
    let json = serde_json::to_vec(&request).expect("a wire value serializes");
    let again = validate::from_slice::<TokenRequest>(&json)
        .unwrap_or_else(|e| panic!("the JSON of an accepted token request is refused: {e}"));
    assert_eq!(again, request);
    match request.grant() {
        Ok(grant) => {
            assert_eq!(grant.grant_type(), request.grant_type);
            if let Grant::RefreshToken(token) = grant {
                assert!(!token.is_empty());
                assert_eq!(Some(token), request.refresh_token.as_ref());
            }
            assert_clean("the Debug of a grant", &format!("{grant:?}"), usize::MAX);
        }
        Err(error) => {
            let Error::InvalidInput { field, .. } = &error else {
                panic!("a grant error is an invalid input: {error:?}");
            };
            assert!(field == "grant_type" || field == "refresh_token", "{field}");
            assert_clean_error("a grant error", &error);
        }
    }
    built_by_a_client(&request);
}

fn built_by_a_client(request: &TokenRequest) {
    let secret = request.client_secret.clone().unwrap_or_default();
    let first = TokenRequest::client_credentials(request.client_id.clone(), secret);
    let sent = serde_json::to_vec(&first).expect("a wire value serializes");
    let read = validate::from_slice::<TokenRequest>(&sent)
        .unwrap_or_else(|e| panic!("a client's first token request is refused: {e}"));
    assert!(matches!(read.grant(), Ok(Grant::ClientCredentials)));
    let Some(token) = request.refresh_token.clone().filter(|t| !t.is_empty()) else {
        return;
    };
    let refresh = first.refreshing(token.clone());
    let sent = serde_json::to_vec(&refresh).expect("a wire value serializes");
    let read = validate::from_slice::<TokenRequest>(&sent)
        .unwrap_or_else(|e| panic!("a client's refresh request is refused: {e}"));
    assert_eq!(read.grant().ok(), Some(Grant::RefreshToken(&token)));
}
