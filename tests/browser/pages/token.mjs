// pages/token.mjs: mode `token`, for the playground of a server started with
// --publish-token MESSAGE (the message is the token, too).
//
//   node drive.mjs URL token MESSAGE
//       Publish "form MESSAGE" with the #publish form: the server answers
//       401, the page asks for the token (a prompt, answered with MESSAGE),
//       and sends again with Authorization: Bearer MESSAGE. Then send
//       "socket MESSAGE" with the WebSocket panel's box: the server asked
//       for the token with {"auth":"Bearer"}, and the page sends
//       "Bearer MESSAGE" first, without asking again. Wait until every panel
//       lists both messages, and that no panel lists the token on its own.
//       Reports how many times the page asked.

export async function token(page, { message, step, publish, expectConsoleError }) {
  expectConsoleError(/status of 401/);
  let asked = 0;
  page.on("dialog", async (dialog) => {
    asked += 1;
    await dialog.accept(message);
  });

  step("publish with the form: 401, the prompt, then 200");
  const formId = await publish(page, `form ${message}`);

  step("send with the WebSocket panel's box");
  const box = 'section.panel[data-transport="websocket"] form.send';
  await page.waitForSelector('section.panel[data-transport="websocket"][data-state="open"]');
  await page.fill(`${box} input`, `socket ${message}`);
  await page.click(`${box} button`);

  step("wait for both messages on every panel");
  await page.waitForFunction(
    (texts) =>
      [...document.querySelectorAll("section.panel")].every((panel) => {
        const items = [...panel.querySelectorAll("ol.events li")].map((li) => li.textContent);
        return texts.every((text) => items.some((item) => item.includes(text)));
      }),
    [`form ${message}`, `socket ${message}`],
    { polling: 100 },
  );
  const leaked = await page.evaluate(
    (text) => [...document.querySelectorAll("ol.events li")].some((li) => li.textContent.includes(`Bearer ${text}`)),
    message,
  );
  return { form_id: formId, asked, leaked };
}
