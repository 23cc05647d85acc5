//! `exsited demo` runs offline, exits 0, prints each HTTP exchange (a 204 and 404s among them)
//! and no secret.

use std::process::Command;

#[test]
fn demo_exits_0_and_prints_the_exchanges() {
    let output = Command::new(env!("CARGO_BIN_EXE_exsited"))
        .arg("demo")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("DELETE /api/v3/integration/{uuid}"),
        "{stdout}"
    );
    assert!(stdout.contains("-> 204"), "{stdout}");
    assert!(stdout.contains("-> 404"), "{stdout}");
    assert!(stdout.contains("requests sent for it: 0"), "{stdout}");
    for secret in ["demo-secret-", "demo-token-", "cs_"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret}"
        );
    }
}
