//! The route table, built from the spec's operations (`exsited_spec::paths::ALL`) so that the
//! transport, which builds its paths from the same constants, and the server cannot disagree.
//!
//! Tolerated quirks of deployed clients: repeated slashes are collapsed, and a path that does
//! not match is tried again with its trailing slash toggled (the partner-function routes end in
//! `/` in the spec, and some clients drop it; others add one elsewhere).

use std::borrow::Cow;

use exsited_spec::paths;
use http::Method;

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
    Health,
    OpenApi,
}

impl Endpoint {
    fn for_operation(op: &paths::Operation) -> Option<Self> {
        let table = [
            (paths::ISSUE_TOKEN, Self::IssueToken),
            (paths::LIST_CONNECTIONS, Self::ListConnections),
            (paths::GET_CONNECTION, Self::GetConnection),
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
            (paths::HEALTH, Self::Health),
            (paths::OPENAPI_DOCUMENT, Self::OpenApi),
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
pub(crate) enum Miss {
    NotFound,
    /// The path exists with these methods.
    MethodNotAllowed(Vec<Method>),
}

struct Route {
    template: &'static str,
    methods: Vec<(Method, Endpoint)>,
}

pub(crate) struct Router {
    tree: matchit::Router<usize>,
    routes: Vec<Route>,
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
                }),
            }
        }
        let mut tree = matchit::Router::new();
        for (index, route) in routes.iter().enumerate() {
            tree.insert(route.template, index)
                .unwrap_or_else(|e| panic!("template {}: {e}", route.template));
        }
        Self { tree, routes }
    }

    /// The route for `method` and `path` (no query), after the tolerated quirks.
    pub(crate) fn find(&self, method: &Method, path: &str) -> Result<Matched, Miss> {
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
        let Ok((found, matched_path)) = hit else {
            return Err(Miss::NotFound);
        };
        let route = &self.routes[*found.value];
        let Some((_, endpoint)) = route.methods.iter().find(|(m, _)| m == method) else {
            return Err(Miss::MethodNotAllowed(
                route.methods.iter().map(|(m, _)| m.clone()).collect(),
            ));
        };
        Ok(Matched {
            endpoint: *endpoint,
            template: route.template,
            path: matched_path.to_owned(),
            params: found
                .params
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        })
    }
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

    #[test]
    fn every_operation_of_the_spec_is_routed_to_its_own_endpoint() {
        let router = router();
        let mut seen = std::collections::HashSet::new();
        for op in paths::ALL {
            let params: Vec<&str> = vec![ID; op.template.matches('{').count()];
            let method = Method::from_bytes(op.method.as_bytes()).unwrap();
            let matched = router.find(&method, &op.path(&params)).unwrap();
            assert_eq!(matched.template, op.template);
            assert!(
                seen.insert(matched.endpoint),
                "{} shares an endpoint",
                op.id
            );
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
            Miss::MethodNotAllowed(vec![Method::DELETE])
        );
        let mut allowed = match router.find(&Method::DELETE, "/api/v3/integration/x/automation") {
            Err(Miss::MethodNotAllowed(m)) => m,
            other => panic!("{other:?}"),
        };
        allowed.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        assert_eq!(allowed, vec![Method::GET, Method::POST]);
    }
}
