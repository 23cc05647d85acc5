//! The files the `exsited` command reads from outside, as a library: the backup file that
//! `connections restore` reads ([`backup_file`]) and the ids file that `connections delete
//! --from-file` reads ([`delete_ids`]). They stay beside the commands that use them; the library
//! makes them reachable from the fuzz targets (`crates/fuzz`) without the rest of the command.

#![deny(missing_docs)]

#[path = "connections/backup_file.rs"]
pub mod backup_file;
#[path = "connections/delete/ids.rs"]
pub mod delete_ids;
