//! Tests of the real `exsited` binary: serving, restarts, administration, graceful shutdown
//! and crash safety with the SQLite store.

mod admin;
mod crash;
mod serve;
mod support;
