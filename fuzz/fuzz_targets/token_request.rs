//! Fuzz target: the token request: its body through `exsited_spec::validate`, then its grant. The properties are `exsited_fuzz::token_request`'s.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| exsited_fuzz::token_request(data));
