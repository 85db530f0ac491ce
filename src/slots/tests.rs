//! Table-driven tests of 1:1 placement (SPEC §4).
