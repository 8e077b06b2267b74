//! What a handler returns: a whole answer, or a head after which it takes the connection
//! over.
//!
//! Most answers are [`Reply::Answer`]: a [`Response`] with a complete body, after which the
//! connection reads the next request. Two kinds of answer never end that way, and they
//! come later in the course: an event stream (lesson 4), whose body goes on for as long as
//! the connection lives, and `101 Switching Protocols` (lesson 5), after which the bytes
//! are WebSocket frames. Both are [`Reply::Takeover`]: the connection writes the head
//! ([`Framing::Open`](super::response::Framing::Open): no `Content-Length`) and hands
//! the socket to the takeover, on the same thread.
//!
//! ```text
//! Answer(response)            ──► write head + body ──► next request
//! Takeover(head, takeover)    ──► write head ──► takeover(Handoff { stream, leftover, slot })
//! ```

use std::net::TcpStream;

use super::response::Response;
use super::slot::ConnectionSlot;

/// What a handler answers.
pub enum Reply {
    /// A complete answer; the connection persists after it if the request allows.
    Answer(Response),
    /// A head with an open-ended body, then the takeover runs with the connection.
    Takeover(Response, Takeover),
}

/// Code that takes over the connection after the head: an event stream, a WebSocket.
pub type Takeover = Box<dyn FnOnce(Handoff) + Send>;

/// What a takeover gets: the socket, any bytes the client sent after its request (the
/// start of a WebSocket's first frame), and the connection's place under
/// `--max-connections`, held for as long as it lives.
pub struct Handoff {
    /// The client's socket, with the server's read and write timeouts still set.
    pub stream: TcpStream,
    /// Bytes already read past the request's head and body.
    pub leftover: Vec<u8>,
    /// Dropping it frees the connection's place under the cap.
    pub slot: ConnectionSlot,
}

impl Reply {
    /// A takeover reply: `head` goes out without `Content-Length`, then `takeover` runs
    /// on the connection's thread with the socket.
    pub fn takeover(head: Response, takeover: impl FnOnce(Handoff) + Send + 'static) -> Self {
        Reply::Takeover(head, Box::new(takeover))
    }

    /// The response (for a takeover, its head).
    pub fn head(&self) -> &Response {
        match self {
            Reply::Answer(answer) | Reply::Takeover(answer, _) => answer,
        }
    }

    /// The response, mutably: the connection adds fields every answer gets.
    pub fn head_mut(&mut self) -> &mut Response {
        match self {
            Reply::Answer(answer) | Reply::Takeover(answer, _) => answer,
        }
    }
}

impl From<Response> for Reply {
    fn from(answer: Response) -> Self {
        Reply::Answer(answer)
    }
}
