//! The base URL, parsed and checked once: scheme, authority and path prefix, from which every
//! request URL is built the same way.

use std::fmt;
use std::net::IpAddr;

use crate::config_error::ConfigError;

/// The base URL, split once so that every request URL is built the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    pub(crate) scheme: &'static str,
    pub(crate) authority: String,
    /// The path prefix without a trailing slash (`""` or `/exsited`).
    pub(crate) prefix: String,
    pub(crate) host: String,
}

impl BaseUrl {
    pub(crate) fn parse(input: &str) -> Result<Self, ConfigError> {
        let bad = |reason: &str| ConfigError::InvalidBaseUrl {
            reason: reason.to_owned(),
        };
        let input = input.trim();
        if input.contains('#') {
            return Err(bad("it must not have a fragment"));
        }
        let uri: http::Uri = input
            .parse()
            .map_err(|_| bad("not a URL like https://dev-api.exsited.com"))?;
        let scheme = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
            Some("https") => "https",
            Some("http") => "http",
            Some(_) => return Err(bad("the scheme must be http or https")),
            None => return Err(bad("it must be absolute, like https://dev-api.exsited.com")),
        };
        let authority = uri.authority().ok_or_else(|| bad("it has no host"))?;
        // Credentials in the URL would end up in logs and error messages.
        if authority.as_str().contains('@') {
            return Err(bad("it must not contain a user name or password"));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(bad("it has no host"));
        }
        if uri.query().is_some() {
            return Err(bad("it must not have a query"));
        }
        Ok(Self {
            scheme,
            authority: authority.as_str().to_ascii_lowercase(),
            prefix: uri.path().trim_end_matches('/').to_owned(),
            host: host.to_ascii_lowercase(),
        })
    }

    /// Whether the host is a loopback name or address, where plain `http` is allowed.
    pub(crate) fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || host.ends_with(".localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The absolute URL of `path_and_query` (which starts with `/`).
    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!(
            "{}://{}{}{}",
            self.scheme, self.authority, self.prefix, path_and_query
        )
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_split_and_checked() {
        let base = BaseUrl::parse("https://API.example.com:8443/prefix/").unwrap();
        assert_eq!(
            base.url("/api/v1/x"),
            "https://api.example.com:8443/prefix/api/v1/x"
        );
        assert!(BaseUrl::parse("http://[::1]:8080").unwrap().is_loopback());
        assert!(BaseUrl::parse("http://127.0.0.2").unwrap().is_loopback());
        assert!(!BaseUrl::parse("http://10.0.0.1").unwrap().is_loopback());
        for bad in [
            "dev-api.exsited.com",
            "ftp://host",
            "https://user:pw@host",
            "https://host/?q=1",
            "https://host/#x",
            "",
        ] {
            assert!(
                matches!(BaseUrl::parse(bad), Err(ConfigError::InvalidBaseUrl { .. })),
                "{bad}"
            );
        }
    }
}
