//! Fuzz target: a line of the backup file `exsited connections restore` reads (`exsited_cli::backup_file`). The properties are `exsited_fuzz::backup_line`'s.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| exsited_fuzz::backup_line(data));
