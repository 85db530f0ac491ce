//! Calendar sources: where a [`Snapshot`](crate::calendar::Snapshot) comes from. The I/O
//! shell: this module reads files and URLs; the parsing it hands off to is pure.

pub mod demo;
pub mod google;
pub mod google_publish;
pub mod google_reserve;
pub mod google_token;
pub mod ics;
pub mod url;
