//! The desk's sessions, kept in the store (tree `sessions`) so that a restart does not
//! sign the assistant out: a random id (the cookie), its CSRF token, and when it expires.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use crate::server::random_id;

/// One signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Every form of the desk carries it; a POST without it is refused.
    pub csrf: String,
    /// Seconds since the Unix epoch.
    pub expires: u64,
}

#[derive(Clone)]
pub struct Sessions {
    tree: sled::Tree,
    /// How long a sign-in lasts.
    pub length: Duration,
    /// Answers handed to a session to send by hand.
    pub handouts: super::handout::Handouts,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Sessions {
    pub fn new(tree: sled::Tree, length: Duration) -> Sessions {
        Sessions {
            tree,
            length,
            handouts: super::handout::Handouts::default(),
        }
    }

    /// A new session: its id (the cookie's value) and the session.
    pub fn create(&self) -> Option<(String, Session)> {
        let id = random_id()?;
        let session = Session {
            csrf: random_id()?,
            expires: now_secs().saturating_add(self.length.as_secs()),
        };
        let bytes = serde_json::to_vec(&session).ok()?;
        self.tree.insert(id.as_bytes(), bytes).ok()?;
        // Expired sessions are dropped as new ones are made.
        self.sweep();
        Some((id, session))
    }

    /// The session with this id, if it exists and has not expired.
    pub fn get(&self, id: &str) -> Option<Session> {
        if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let bytes = self.tree.get(id.as_bytes()).ok()??;
        let session: Session = serde_json::from_slice(&bytes).ok()?;
        (session.expires > now_secs()).then_some(session)
    }

    pub fn remove(&self, id: &str) {
        let _ = self.tree.remove(id.as_bytes());
    }

    fn sweep(&self) {
        let now = now_secs();
        for item in self.tree.iter().flatten() {
            let expired =
                serde_json::from_slice::<Session>(&item.1).map_or(true, |s| s.expires <= now);
            if expired {
                let _ = self.tree.remove(item.0);
            }
        }
    }
}
