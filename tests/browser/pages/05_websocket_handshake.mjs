// pages/05_websocket_handshake.mjs: mode `handshake`, for lesson 5's page.
//
//   node drive.mjs URL handshake MESSAGE
//       Click #connect, wait for #state to be "open", send MESSAGE with the
//       #send form and wait until #echoes shows it back. Reports
//       socket.extensions and socket.protocol as the page shows them.

export async function handshake(page, { message, step }) {
  step("connect");
  await page.click("#connect");
  await page.waitForSelector('#state[data-state="open"]');

  step("send and wait for the echo");
  await page.fill("#send #text", message);
  await page.click("#send button");
  await page.waitForFunction(
    (text) => [...document.querySelectorAll("#echoes li")].some((li) => li.textContent.includes(text)),
    message,
    { polling: 100 },
  );

  return page.evaluate(() => {
    const fact = (name) => document.querySelector(`[data-fact="${name}"]`)?.textContent ?? null;
    return {
      state: document.querySelector("#state").dataset.state,
      echoed: document.querySelector("#echoes li")?.firstChild?.textContent ?? null,
      url_shown: fact("url"),
      protocol: fact("protocol"),
      extensions: fact("extensions"),
    };
  });
}
