//! One open connection's place under `--max-connections`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One open connection's place under `--max-connections`; dropping it frees the place.
/// It travels with the socket: an event stream handed to another thread keeps counting.
pub struct ConnectionSlot(Option<Arc<AtomicUsize>>);

impl ConnectionSlot {
    /// Takes a place in `open`, the server's count of open connections.
    pub fn taken(open: &Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::AcqRel);
        ConnectionSlot(Some(Arc::clone(open)))
    }

    /// A slot that counts nothing, for connections served outside a
    /// [`Server`](super::Server).
    pub fn uncounted() -> Self {
        ConnectionSlot(None)
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if let Some(open) = &self.0 {
            open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}
