//! Tests of the real `exsited` binary: serving, restarts, administration, graceful shutdown
//! and crash safety with the SQLite store; several instances on one PostgreSQL database, and
//! the linearizability of their histories.

mod admin;
mod completions;
mod crash;
mod docs_page;
mod logs;
mod metrics;
mod postgres;
mod postgres_crash;
mod postgres_linearizable;
mod profiles;
mod serve;
mod support;
