//! Fuzz target: the request bodies of every route with one: `exsited_spec::validate`, then `exsited_spec::convert`. The properties are `exsited_fuzz::request_body`'s.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| exsited_fuzz::request_body(data));
