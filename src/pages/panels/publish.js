// panels/publish.js: the browser side of the `realtime` lessons, part 2 of 6:
// the publish box (POST /publish), and the token a server started with
// --publish-token asks for (lesson 11). Uses rememberPublish() of core.js,
// which GET /panels.js serves before this file.
(function (Realtime) {
  "use strict";

  const { rememberPublish } = Realtime.core;

  // ---------------------------------------------------------------------
  // Lesson 11: a server started with --publish-token wants
  // "Authorization: Bearer TOKEN" on POST /publish (401 without) and
  // "Bearer TOKEN" as the first message of a /ws socket, which it asks for
  // with {"auth":"Bearer"} (close 1008 without). The page asks for the token
  // when the server says so, keeps it for this tab only (sessionStorage), and
  // never sends it to a server that did not ask.
  // ---------------------------------------------------------------------
  const TOKEN_KEY = "realtime-publish-token";
  const publishToken = {
    // The token, once a server asked for one; null before.
    get: () => sessionStorage.getItem(TOKEN_KEY),
    ask(why) {
      const token = prompt(`${why}\nThis server was started with --publish-token. Token:`);
      if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
      return Boolean(token);
    },
    forget: () => sessionStorage.removeItem(TOKEN_KEY), // it was refused
  };

  // Whether this server asked for the token (a 401), in this page's life.
  let askedByServer = false;
  function bearer() {
    const token = askedByServer ? publishToken.get() : null;
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  // ---------------------------------------------------------------------
  // The publish box: POST /publish with the text as the body.
  // One form per page, whatever the number of panels.
  // ---------------------------------------------------------------------
  function publishForm(form) {
    const input = form.querySelector("#message");
    const result = form.querySelector("output");

    form.addEventListener("submit", async (event) => {
      event.preventDefault(); // we send it ourselves, without leaving the page
      const text = input.value;
      if (text === "") return;
      rememberPublish(text);
      input.value = "";
      try {
        // A string body goes out as "text/plain;charset=UTF-8".
        const post = () => fetch("/publish", { method: "POST", body: text, headers: bearer() });
        let response = await post();
        // 401 with "WWW-Authenticate: Bearer": send the token kept for this tab,
        // or ask for it; a token refused again is forgotten, and asked for once more.
        if (response.status === 401) {
          askedByServer = true;
          if (publishToken.get() || publishToken.ask("Publishing needs a token (401 Unauthorized).")) {
            response = await post();
          }
          if (response.status === 401) {
            publishToken.forget();
            if (publishToken.ask("That token was refused (401 Unauthorized).")) response = await post();
          }
        }
        const server = response.headers.get("X-Server"); // lesson 10: which one answered
        const by = server ? ` by ${server}` : "";
        if (!response.ok) {
          // The body says why ("the event log is unavailable: …" when Redis is
          // down, lesson 10) and Retry-After when to try again: show both.
          const why = (await response.text()).trim();
          const retry = response.headers.get("Retry-After");
          const after = retry ? ` (Retry-After: ${retry} s)` : "";
          throw new Error(`${response.status} ${response.statusText}${by}${why ? `: ${why}` : ""}${after}`);
        }
        const { id } = await response.json();
        if (result) result.textContent = `published as #${id}${by}`;
        result?.removeAttribute("data-failed");
      } catch (error) {
        if (result) result.textContent = `publish failed: ${error.message}`;
        result?.setAttribute("data-failed", ""); // in red (panels.css)
        input.value = text; // give the text back, so it can be sent again
      }
    });
  }

  Realtime.publishForm = publishForm;
  Realtime.core.publishToken = publishToken; // for websocket.js
})(window.Realtime);
