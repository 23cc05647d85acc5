//! The two grants of `issueToken`, both ways: the request a client sends for each
//! ([`TokenRequest::client_credentials`], [`TokenRequest::refreshing`]) and which one a request
//! asks for ([`TokenRequest::grant`]), so that neither side spells a `grant_type`.

use exsited_core::Error;

use crate::{Secret, TokenRequest};

/// The `grant_type` of a first token for a client's id and secret.
const CLIENT_CREDENTIALS: &str = "client_credentials";
/// The `grant_type` that redeems the refresh token of the last grant.
const REFRESH_TOKEN: &str = "refresh_token";

/// What a token request asks for. Exhaustive on purpose: a server that matches on it must
/// handle every grant of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant<'a> {
    /// A first token, for the client's id and secret.
    ClientCredentials,
    /// A new token for the refresh token of the client's last grant (never empty).
    RefreshToken(&'a Secret),
}

impl Grant<'_> {
    /// The `grant_type` the request sent, for logs.
    pub fn grant_type(&self) -> &'static str {
        match self {
            Grant::ClientCredentials => CLIENT_CREDENTIALS,
            Grant::RefreshToken(_) => REFRESH_TOKEN,
        }
    }
}

/// Why a refresh grant grants nothing: its refresh token is unknown, of another client,
/// revoked by a later grant, expired or already redeemed. An [`Error::InvalidInput`] naming the
/// field, which the server answers with 400 (RFC 6749, section 5.2: `invalid_grant`): a client
/// then asks for a new token with its credentials, and the vendor's PHP SDK does so only after
/// a 400. Which of the causes it was is not said.
///
/// ```
/// use exsited_core::Error;
///
/// let error = exsited_spec::token::refresh_refused();
/// assert!(matches!(error, Error::InvalidInput { ref field, .. } if field == "refresh_token"));
/// ```
pub fn refresh_refused() -> Error {
    Error::invalid_input(
        REFRESH_TOKEN,
        "is unknown, revoked, expired or already used; request a new token with the client credentials",
    )
}

impl TokenRequest {
    /// The request for a first token: the `client_credentials` grant, without a redirect URI
    /// (set [`redirect_uri`](Self::redirect_uri) when the caller has one).
    ///
    /// ```
    /// use exsited_spec::token::Grant;
    /// use exsited_spec::{Secret, TokenRequest};
    ///
    /// let first = TokenRequest::client_credentials("my-client", Secret::new("s".to_owned()));
    /// assert_eq!(first.grant()?, Grant::ClientCredentials);
    /// let refresh = first.refreshing(Secret::new("rt_1".to_owned()));
    /// assert!(matches!(refresh.grant()?, Grant::RefreshToken(token) if token.expose() == "rt_1"));
    /// # Ok::<(), exsited_core::Error>(())
    /// ```
    pub fn client_credentials(client_id: impl Into<String>, client_secret: Secret) -> Self {
        Self {
            grant_type: CLIENT_CREDENTIALS.to_owned(),
            client_id: client_id.into(),
            client_secret: Some(client_secret),
            refresh_token: None,
            redirect_uri: String::new(),
        }
    }

    /// The same request as the `refresh_token` grant, redeeming `refresh_token`.
    pub fn refreshing(self, refresh_token: Secret) -> Self {
        Self {
            grant_type: REFRESH_TOKEN.to_owned(),
            refresh_token: Some(refresh_token),
            ..self
        }
    }

    /// Which grant the request asks for. A `grant_type` the document does not name, or a
    /// refresh grant without a refresh token, is an [`Error::InvalidInput`] naming the field.
    pub fn grant(&self) -> Result<Grant<'_>, Error> {
        match self.grant_type.as_str() {
            CLIENT_CREDENTIALS => Ok(Grant::ClientCredentials),
            REFRESH_TOKEN => self
                .refresh_token
                .as_ref()
                .filter(|token| !token.is_empty())
                .map(Grant::RefreshToken)
                .ok_or_else(|| {
                    Error::invalid_input(
                        REFRESH_TOKEN,
                        format!("is required for the {REFRESH_TOKEN} grant"),
                    )
                }),
            _ => Err(Error::invalid_input(
                "grant_type",
                format!("must be {CLIENT_CREDENTIALS} or {REFRESH_TOKEN}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Described;

    #[test]
    fn the_grant_types_are_the_documents() {
        let grant_type = TokenRequest::schema()
            .object()
            .and_then(|o| o.property("grant_type"))
            .expect("grant_type is a property");
        let crate::schema::Kind::String(text) = &grant_type.schema.kind else {
            panic!("grant_type is a string");
        };
        assert_eq!(text.allowed, [CLIENT_CREDENTIALS, REFRESH_TOKEN]);
        assert!(
            TokenRequest::schema()
                .object()
                .and_then(|o| o.property(REFRESH_TOKEN))
                .is_some(),
            "the refresh grant's field is called like the grant"
        );
    }

    #[test]
    fn a_request_says_which_grant_it_asks_for() {
        let first = TokenRequest::client_credentials("c", Secret::new("s".to_owned()));
        assert_eq!(first.grant().unwrap().grant_type(), CLIENT_CREDENTIALS);
        let refresh = first.clone().refreshing(Secret::new("rt".to_owned()));
        assert_eq!(refresh.grant().unwrap().grant_type(), REFRESH_TOKEN);

        let empty = first.clone().refreshing(Secret::new(String::new()));
        assert!(matches!(
            empty.grant(),
            Err(Error::InvalidInput { ref field, .. }) if field == REFRESH_TOKEN
        ));
        let without = TokenRequest {
            grant_type: REFRESH_TOKEN.to_owned(),
            ..first.clone()
        };
        assert!(without.grant().is_err());
        let password = TokenRequest {
            grant_type: "password".to_owned(),
            ..first
        };
        assert!(matches!(
            password.grant(),
            Err(Error::InvalidInput { ref field, .. }) if field == "grant_type"
        ));
    }
}
