//! telefax-t30 (work in progress).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
