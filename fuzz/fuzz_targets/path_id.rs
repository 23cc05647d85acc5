//! Fuzz target: the path ids (`ConnectionId::parse` and the other ids of `exsited-core`). The properties are `exsited_fuzz::path_id`'s.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| exsited_fuzz::path_id(data));
