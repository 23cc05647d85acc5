//! Fuzz target: the ids file `exsited connections delete --from-file` reads (`exsited_cli::delete_ids`). The properties are `exsited_fuzz::delete_ids`'s.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| exsited_fuzz::delete_ids(data));
