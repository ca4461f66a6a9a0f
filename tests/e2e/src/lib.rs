//! End-to-end tests live in tests/; see xtask e2e.
