//! A command-line tool whose reader goes away (`telefax info X | head -1`) must end quietly,
//! not panic with a backtrace.
use std::process::{Command, Stdio};

#[test]
fn closed_stdout_ends_quietly() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/pages/multi3_std.tif"
    );
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_telefax"))
            .args(["info", file])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run telefax");
        // Close the reading end before the program writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "stderr: {err}");
        assert!(
            out.status.success(),
            "status {:?}, stderr: {err}",
            out.status
        );
    }
}
