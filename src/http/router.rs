//! A small router: (method, path) → handler, with `404`, `405` + `Allow`, and `HEAD`.

use super::reply::Reply;
use super::request::Request;
use super::response::Response;
use super::status::Status;

/// A request handler: a function from the request to the [`Reply`]. It runs on the
/// connection's own thread, so it may block (a long poll parks here) without stopping
/// anyone else. Every closure `Fn(&Request) -> Reply + Send + Sync` is one.
pub trait Handler: Fn(&Request) -> Reply + Send + Sync + 'static {}

impl<F: Fn(&Request) -> Reply + Send + Sync + 'static> Handler for F {}

struct Route {
    method: &'static str,
    path: &'static str,
    handler: Box<dyn Handler>,
}

/// Routes requests by exact method and path (the query is not part of the match).
///
/// - No route with the path → `404 Not Found` (RFC 9110 §15.5.5).
/// - Routes with the path, none with the method → `405 Method Not Allowed` with an `Allow`
///   field listing the methods that would work (RFC 9110 §15.5.6 says it MUST).
/// - `HEAD` is answered by the `GET` route (RFC 9110 §9.3.2); the connection drops the body.
#[derive(Default)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// An empty router: every request gets `404`.
    pub fn new() -> Self {
        Router::default()
    }

    /// Adds a route for `method` (`"GET"`, `"POST"`, …) and the exact `path` (`"/poll"`).
    pub fn route(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: impl Handler,
    ) -> Self {
        self.routes.push(Route {
            method,
            path,
            handler: Box::new(handler),
        });
        self
    }

    /// Adds a `GET` route (which also answers `HEAD`).
    pub fn get(self, path: &'static str, handler: impl Handler) -> Self {
        self.route("GET", path, handler)
    }

    /// Adds a `POST` route.
    pub fn post(self, path: &'static str, handler: impl Handler) -> Self {
        self.route("POST", path, handler)
    }

    /// Finds the handler for `request` and runs it, or answers `404`/`405`.
    pub fn dispatch(&self, request: &Request) -> Reply {
        let method = if request.method == "HEAD" {
            "GET"
        } else {
            request.method.as_str()
        };
        let path = request.path();
        let mut allowed = Vec::new();
        for route in self.routes.iter().filter(|r| r.path == path) {
            if route.method == method {
                return (route.handler)(request);
            }
            allowed.push(route.method);
            if route.method == "GET" {
                allowed.push("HEAD");
            }
        }
        if allowed.is_empty() {
            return Response::text(Status::NOT_FOUND, format!("no route for {path}\n")).into();
        }
        Response::text(
            Status::METHOD_NOT_ALLOWED,
            format!("{path} allows {}\n", allowed.join(", ")),
        )
        .with_field("Allow", allowed.join(", "))
        .into()
    }
}
