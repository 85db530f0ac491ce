//! The suggestions feed: its rendering is the core's (`timeward_core::feed`, pure); this
//! shell module adds the HTTP server that serves it.

pub use timeward_core::feed::*;

pub mod http;
