//! Fuzz target: the list query string and `fields=` (`exsited_spec::query`). The properties are `exsited_fuzz::list_query`'s.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| exsited_fuzz::list_query(data));
