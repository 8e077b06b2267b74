// pages/06_websocket_echo.mjs: mode `ws-echo`, for lesson 6's page.
//
//   node drive.mjs URL ws-echo MESSAGE
//       Wait for #state "open"; send MESSAGE with #send-text, then random
//       bytes with #send-binary (300 and 70000: the 16-bit and the 64-bit
//       length forms), and wait for the three echoes in #log; click #close
//       and wait for the CloseEvent's code in #closed.

export async function wsEcho(page, { message, step }) {
  step("wait for the socket to open");
  await page.waitForSelector('#state[data-state="open"]');

  step("send text and binary");
  await page.fill("#send-text #text", message);
  await page.click("#send-text button");
  for (const size of [300, 70000]) {
    await page.fill("#send-binary #size", String(size));
    await page.click("#send-binary button");
  }
  step("wait for the three echoes");
  await page.waitForFunction(
    () => document.querySelectorAll('#log li[data-direction="received"]').length >= 3,
    null,
    { polling: 100 },
  );
  // Oldest first, as sent: text, 300 bytes, 70000 bytes.
  const echoes = await page.evaluate(() =>
    [...document.querySelectorAll('#log li[data-direction="received"]')].reverse().map((li) => ({
      kind: li.dataset.kind,
      size: li.dataset.size,
      match: li.dataset.match,
      text: li.textContent,
    })),
  );

  step("close and wait for the close event");
  await page.click("#close");
  await page.waitForSelector('#state[data-state="closed"]');
  const closed = await page.evaluate(() => ({ ...document.querySelector("#closed").dataset }));

  // Flat fields, for the Rust test's string_field.
  const flat = {};
  echoes.forEach((echo, i) => {
    flat[`echo_${i}`] = `${echo.kind} ${echo.size} ${echo.match === "true" ? "identical" : "DIFFERENT"}`;
  });
  return {
    ...flat,
    echoed_text: echoes[0]?.text ?? null,
    close_code: closed.code ?? null,
    close_clean: closed.clean ?? null,
    close_text: await page.textContent("#closed"),
  };
}
