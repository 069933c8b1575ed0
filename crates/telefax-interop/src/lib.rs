//! Dev-only interop harness against spandsp 0.0.6 (FFI). Never published.
