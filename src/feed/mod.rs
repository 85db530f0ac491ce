//! The suggestions feed: its rendering is the core's (`timeward_core::feed`, pure), served
//! by [`crate::server`].

pub use timeward_core::feed::*;
