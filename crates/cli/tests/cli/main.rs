//! Tests of the real `exsited` binary: serving, restarts, administration, graceful shutdown
//! and crash safety with the SQLite store; several instances on one PostgreSQL database.

mod admin;
mod crash;
mod postgres;
mod postgres_crash;
mod serve;
mod support;
