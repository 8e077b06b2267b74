//! One open connection's place under `--max-connections`, and where its bytes are counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ledger::{Ledger, Meter, Transport};

/// One open connection's place under `--max-connections`; dropping it frees the place.
/// It travels with the socket: an event stream handed to another thread keeps counting.
///
/// It also carries the connection's [`Meter`]: which transport of the server's
/// [`Ledger`] its bytes count in, and as which the connection counts as open
/// ([`count_as`](Self::count_as) moves it, request by request).
pub struct ConnectionSlot {
    open: Option<Arc<AtomicUsize>>,
    meter: Meter,
}

impl ConnectionSlot {
    /// Takes a place in `open`, the server's count of open connections; the connection
    /// counts in `ledger`, as [`Transport::Other`] until its first request says more.
    pub fn taken(open: &Arc<AtomicUsize>, ledger: &Arc<Ledger>) -> Self {
        open.fetch_add(1, Ordering::AcqRel);
        let meter = Meter::new(ledger, Transport::Other);
        meter.opened();
        ConnectionSlot {
            open: Some(Arc::clone(open)),
            meter,
        }
    }

    /// A slot that counts nothing, for connections served outside a
    /// [`Server`](super::Server).
    pub fn uncounted() -> Self {
        ConnectionSlot {
            open: None,
            meter: Meter::none(),
        }
    }

    /// From now on the connection counts as `transport` (its latest request's).
    pub fn count_as(&mut self, transport: Transport) {
        if transport != self.meter.transport() {
            self.meter.closed();
            self.meter = self.meter.as_transport(transport);
            self.meter.opened();
        }
    }

    /// Where this connection's bytes are counted.
    pub fn meter(&self) -> &Meter {
        &self.meter
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.meter.closed();
        if let Some(open) = &self.open {
            open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}
