//! Lesson 4: Server-Sent Events, an HTTP response that never ends.
pub mod encode;
pub mod parse;
