//! The route table, built from the spec's operations (`exsited_spec::paths::ALL`) so that the
//! transport, which builds its paths from the same constants, and the server cannot disagree.
//!
//! Tolerated quirks of deployed clients: repeated slashes are collapsed, and a path that does
//! not match is tried again with its trailing slash toggled (the partner-function routes end in
//! `/` in the spec, and some clients drop it; others add one elsewhere).
//!
//! Beyond the spec's operations: `HEAD` is served on every `GET` route by the `GET` endpoint
//! (hyper sends the head without the body), and every route allows `OPTIONS` (answered by the
//! service from [`Router::allow`]). `Allow` lists a route's methods in the spec's order, `HEAD`
//! after `GET`, `OPTIONS` last.

use std::borrow::Cow;

use exsited_spec::paths;
use http::Method;

use crate::docs::Asset;

/// What a route does. Every operation of the spec maps to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Endpoint {
    IssueToken,
    ListConnections,
    GetConnection,
    CreateConnection,
    DeleteConnection,
    EnableConnection,
    DisableConnection,
    ListAutomations,
    CreateAutomation,
    GetAutomation,
    UpdateAutomation,
    ListPartnerFunctions,
    CreatePartnerFunction,
    GetPartnerFunction,
    UpdatePartnerFunction,
    DeletePartnerFunction,
    EnableAutomation,
    DisableAutomation,
    EnablePartnerFunction,
    DisablePartnerFunction,
    GetConfiguration,
    UpdateConfiguration,
    Health,
    OpenApi,
    /// The API page and its files.
    Docs(Asset),
}

impl Endpoint {
    fn for_operation(op: &paths::Operation) -> Option<Self> {
        let table = [
            (paths::ISSUE_TOKEN, Self::IssueToken),
            (paths::LIST_CONNECTIONS, Self::ListConnections),
            (paths::GET_CONNECTION, Self::GetConnection),
            // The PHP SDK's paths: the same endpoints, so the same answers.
            (paths::LIST_CONNECTIONS_V3, Self::ListConnections),
            (paths::GET_CONNECTION_V3, Self::GetConnection),
            (paths::CREATE_CONNECTION, Self::CreateConnection),
            (paths::DELETE_CONNECTION, Self::DeleteConnection),
            (paths::ENABLE_CONNECTION, Self::EnableConnection),
            (paths::DISABLE_CONNECTION, Self::DisableConnection),
            (paths::LIST_AUTOMATIONS, Self::ListAutomations),
            (paths::CREATE_AUTOMATION, Self::CreateAutomation),
            (paths::GET_AUTOMATION, Self::GetAutomation),
            (paths::UPDATE_AUTOMATION, Self::UpdateAutomation),
            (paths::LIST_PARTNER_FUNCTIONS, Self::ListPartnerFunctions),
            (paths::CREATE_PARTNER_FUNCTION, Self::CreatePartnerFunction),
            (paths::GET_PARTNER_FUNCTION, Self::GetPartnerFunction),
            (paths::UPDATE_PARTNER_FUNCTION, Self::UpdatePartnerFunction),
            (paths::DELETE_PARTNER_FUNCTION, Self::DeletePartnerFunction),
            (paths::ENABLE_AUTOMATION, Self::EnableAutomation),
            (paths::DISABLE_AUTOMATION, Self::DisableAutomation),
            (paths::ENABLE_PARTNER_FUNCTION, Self::EnablePartnerFunction),
            (
                paths::DISABLE_PARTNER_FUNCTION,
                Self::DisablePartnerFunction,
            ),
            (paths::GET_CONFIGURATION, Self::GetConfiguration),
            (paths::UPDATE_CONFIGURATION, Self::UpdateConfiguration),
            (paths::HEALTH, Self::Health),
            (paths::OPENAPI_DOCUMENT, Self::OpenApi),
            (paths::API_DOCS, Self::Docs(Asset::Page)),
            (paths::API_DOCS_SCRIPT, Self::Docs(Asset::Script)),
            (paths::API_DOCS_SWAGGER_UI, Self::Docs(Asset::SwaggerUi)),
            (paths::API_DOCS_STYLE, Self::Docs(Asset::Style)),
        ];
        table
            .into_iter()
            .find(|(known, _)| known.id == op.id)
            .map(|(_, endpoint)| endpoint)
    }

    /// Whether a `read`-scope client is refused (403).
    pub(crate) fn is_write(self) -> bool {
        matches!(
            self,
            Self::CreateConnection
                | Self::DeleteConnection
                | Self::EnableConnection
                | Self::DisableConnection
                | Self::CreateAutomation
                | Self::UpdateAutomation
                | Self::CreatePartnerFunction
                | Self::UpdatePartnerFunction
                | Self::DeletePartnerFunction
                | Self::EnableAutomation
                | Self::DisableAutomation
                | Self::EnablePartnerFunction
                | Self::DisablePartnerFunction
                | Self::UpdateConfiguration
        )
    }
}

/// A matched route.
#[derive(Debug)]
pub(crate) struct Matched {
    pub(crate) endpoint: Endpoint,
    /// The spec's template, used as the path in logs (ids and junk stay out of them).
    pub(crate) template: &'static str,
    /// The path after normalisation, without the query.
    pub(crate) path: String,
    params: Vec<(String, String)>,
}

impl Matched {
    /// The raw value of a `{name}` segment.
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

/// Why a request matched no route.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Miss<'r> {
    NotFound,
    /// The path exists with other methods: the value of its `Allow` header.
    MethodNotAllowed(&'r str),
}

struct Route {
    template: &'static str,
    methods: Vec<(Method, Endpoint)>,
    /// The `Allow` header value.
    allow: String,
}

/// A route found for a path: its parameters and the path after the tolerated quirks.
struct Found<'r> {
    route: &'r Route,
    params: Vec<(String, String)>,
    path: String,
}

pub(crate) struct Router {
    tree: matchit::Router<usize>,
    routes: Vec<Route>,
    /// Every method some route allows, for `OPTIONS *`.
    allow_all: String,
}

impl Router {
    /// The table of every operation in `ops`.
    ///
    /// # Panics
    ///
    /// When an operation has no endpoint or its template does not parse: a spec this server
    /// was not written for, caught by the unit tests below.
    pub(crate) fn new(ops: &[paths::Operation]) -> Self {
        let mut routes: Vec<Route> = Vec::new();
        for op in ops {
            let endpoint = Endpoint::for_operation(op)
                .unwrap_or_else(|| panic!("operation {} has no endpoint", op.id));
            let method = Method::from_bytes(op.method.as_bytes()).expect("a valid method");
            match routes.iter_mut().find(|r| r.template == op.template) {
                Some(route) => route.methods.push((method, endpoint)),
                None => routes.push(Route {
                    template: op.template,
                    methods: vec![(method, endpoint)],
                    allow: String::new(),
                }),
            }
        }
        let mut tree = matchit::Router::new();
        for (index, route) in routes.iter_mut().enumerate() {
            tree.insert(route.template, index)
                .unwrap_or_else(|e| panic!("template {}: {e}", route.template));
            route.allow = allow(route.methods.iter().map(|(m, _)| m));
        }
        let allow_all = allow(routes.iter().flat_map(|r| r.methods.iter().map(|(m, _)| m)));
        Self {
            tree,
            routes,
            allow_all,
        }
    }

    /// The route for `method` and `path` (no query), after the tolerated quirks.
    pub(crate) fn find(&self, method: &Method, path: &str) -> Result<Matched, Miss<'_>> {
        let Found {
            route,
            params,
            path,
        } = self.route(path).ok_or(Miss::NotFound)?;
        let wanted = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        let Some((_, endpoint)) = route.methods.iter().find(|(m, _)| m == wanted) else {
            return Err(Miss::MethodNotAllowed(&route.allow));
        };
        Ok(Matched {
            endpoint: *endpoint,
            template: route.template,
            path,
            params,
        })
    }

    /// The template and `Allow` header value of the route at `path`, if there is one.
    pub(crate) fn allow(&self, path: &str) -> Option<(&'static str, &str)> {
        self.route(path)
            .map(|found| (found.route.template, found.route.allow.as_str()))
    }

    /// The `Allow` header value for the server as a whole (`OPTIONS *`).
    pub(crate) fn allow_all(&self) -> &str {
        &self.allow_all
    }

    /// The route at `path`, its parameters and the path it matched as.
    fn route(&self, path: &str) -> Option<Found<'_>> {
        let path = collapse_slashes(path);
        let toggled = if path.len() > 1 && path.ends_with('/') {
            path[..path.len() - 1].to_owned()
        } else {
            format!("{path}/")
        };
        let hit = self
            .tree
            .at(&path)
            .map(|m| (m, path.as_ref()))
            .or_else(|_| self.tree.at(&toggled).map(|m| (m, toggled.as_str())));
        let (found, matched_path) = hit.ok()?;
        let params = found
            .params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Some(Found {
            route: &self.routes[*found.value],
            params,
            path: matched_path.to_owned(),
        })
    }
}

/// The order of the methods in an `Allow` header.
const ALLOW_ORDER: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// The `Allow` value for `methods` (repeats ignored), with `HEAD` where there is `GET` and
/// `OPTIONS` always, in [`ALLOW_ORDER`].
fn allow<'m>(methods: impl Iterator<Item = &'m Method>) -> String {
    let mut allowed = vec![Method::OPTIONS];
    for method in methods {
        if *method == Method::GET {
            allowed.push(Method::HEAD);
        }
        allowed.push(method.clone());
    }
    ALLOW_ORDER
        .iter()
        .filter(|m| allowed.contains(m))
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `//api//v3` becomes `/api/v3`: clients that build paths by concatenation double slashes.
pub(crate) fn collapse_slashes(path: &str) -> Cow<'_, str> {
    if !path.contains("//") {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10";

    fn router() -> Router {
        Router::new(paths::ALL)
    }

    /// The operations that are another path to an endpoint: the v3 reads of the PHP SDK.
    const ALIASES: [(paths::Operation, paths::Operation); 2] = [
        (paths::LIST_CONNECTIONS_V3, paths::LIST_CONNECTIONS),
        (paths::GET_CONNECTION_V3, paths::GET_CONNECTION),
    ];

    #[test]
    fn every_operation_of_the_spec_is_routed_to_its_own_endpoint() {
        let router = router();
        let mut seen = std::collections::HashMap::new();
        for op in paths::ALL {
            // Every placeholder filled with the same id: the router does not tell ids apart.
            let path: String = op
                .template
                .split('{')
                .enumerate()
                .map(|(i, part)| match part.split_once('}') {
                    Some((_, rest)) if i > 0 => format!("{ID}{rest}"),
                    _ => part.to_owned(),
                })
                .collect();
            let method = Method::from_bytes(op.method.as_bytes()).unwrap();
            let matched = router.find(&method, &path).unwrap();
            assert_eq!(matched.template, op.template);
            let (_, allow) = router.allow(&path).unwrap();
            assert!(allow.split(", ").any(|m| m == op.method), "{allow}");
            let alias_of = ALIASES
                .iter()
                .find(|(alias, _)| alias == op)
                .map(|(_, original)| original.id);
            if let Some(earlier) = seen.insert(matched.endpoint, op.id) {
                assert_eq!(alias_of, Some(earlier), "{} shares an endpoint", op.id);
            }
        }
        assert_eq!(seen.len(), paths::ALL.len() - ALIASES.len());
    }

    #[test]
    fn the_sync_operations_are_writes_and_the_reads_are_not() {
        for (endpoint, write) in [
            (Endpoint::EnableAutomation, true),
            (Endpoint::DisableAutomation, true),
            (Endpoint::EnablePartnerFunction, true),
            (Endpoint::DisablePartnerFunction, true),
            (Endpoint::DeletePartnerFunction, true),
            (Endpoint::UpdateConfiguration, true),
            (Endpoint::GetConfiguration, false),
            (Endpoint::ListConnections, false),
        ] {
            assert_eq!(endpoint.is_write(), write, "{endpoint:?}");
        }
    }

    #[test]
    fn quirks_are_tolerated() {
        let router = router();
        let list = router
            .find(
                &Method::GET,
                &format!("//api/v3/integration/{ID}/partner-function"),
            )
            .unwrap();
        assert_eq!(list.endpoint, Endpoint::ListPartnerFunctions);
        assert_eq!(list.param("uuid"), ID);
        let create = router.find(&Method::POST, "/api/v3/integration/").unwrap();
        assert_eq!(create.endpoint, Endpoint::CreateConnection);
        let get = router
            .find(
                &Method::GET,
                &format!("/api/v3//integration/{ID}/automation/{ID}"),
            )
            .unwrap();
        assert_eq!(get.endpoint, Endpoint::GetAutomation);
        assert_eq!(get.param("automation_uuid"), ID);
    }

    #[test]
    fn misses_say_why() {
        let router = router();
        assert_eq!(
            router.find(&Method::GET, "/nope").unwrap_err(),
            Miss::NotFound
        );
        assert_eq!(
            router
                .find(&Method::GET, &format!("/api/v3/integration/{ID}"))
                .unwrap_err(),
            Miss::MethodNotAllowed("DELETE, OPTIONS")
        );
        assert_eq!(
            router
                .find(&Method::DELETE, "/api/v3/integration/x/automation")
                .unwrap_err(),
            Miss::MethodNotAllowed("GET, HEAD, POST, OPTIONS")
        );
    }

    #[test]
    fn head_is_get_without_the_body() {
        let router = router();
        let head = router
            .find(&Method::HEAD, "/api/v2/integration-connections")
            .unwrap();
        assert_eq!(head.endpoint, Endpoint::ListConnections);
        assert_eq!(
            router
                .find(&Method::HEAD, "/api/v3/integration")
                .unwrap_err(),
            Miss::MethodNotAllowed("POST, OPTIONS")
        );
        assert_eq!(
            router.allow("//api/v3/integration/x/partner-function"),
            Some((
                "/api/v3/integration/{uuid}/partner-function/",
                "GET, HEAD, POST, OPTIONS"
            ))
        );
        assert_eq!(router.allow("/nope"), None);
        assert_eq!(
            router.allow_all(),
            "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
        );
    }
}
