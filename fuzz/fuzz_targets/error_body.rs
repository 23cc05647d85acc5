//! Fuzz target: the error-body reader of `exsited_spec::errors`, every shape (v3, v4, bare). The properties are `exsited_fuzz::error_body`'s.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| exsited_fuzz::error_body(data));
