//! HTTP-level tests of the reference server: a real server on 127.0.0.1:0, a raw HTTP/1.1
//! client, every status the contract names, the deployed clients' quirks, tenancy, scopes,
//! tokens, idempotency, lists and shutdown.

mod auth;
mod bodies;
mod contract;
mod idempotency;
mod lists;
mod routes;
mod shutdown;
mod sqlite;
mod support;
mod tenancy;
