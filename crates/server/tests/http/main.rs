//! HTTP-level tests of the reference server: a real server on 127.0.0.1:0, a raw HTTP/1.1
//! client, every status the contract names, the deployed clients' quirks (and the PHP SDK's
//! requests, replayed byte for byte), tenancy, scopes, tokens, idempotency, lists, the data-sync
//! operations, shutdown, the connection cap and the protocol edges (requests that do not
//! parse, the head limits, `Host`, `HEAD`, `OPTIONS`, oversize uploads).

mod auth;
mod bodies;
mod contract;
mod docs;
mod idempotency;
mod lists;
mod php_sdk;
mod protocol;
mod routes;
mod shutdown;
mod slots;
mod sqlite;
mod support;
mod sync;
mod tenancy;
