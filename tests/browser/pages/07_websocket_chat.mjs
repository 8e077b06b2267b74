// pages/07_websocket_chat.mjs: mode `chat`, for lesson 7's page.
//
//   node drive.mjs URL chat MESSAGE
//       Two tabs, A and B, in one browser context, both open on /ws. A sends
//       "ana: MESSAGE"; POST /publish (fetch, from node) sends
//       "server: MESSAGE"; both must show both, with the same data-id. Then
//       a third tab C joins and must show both from the history.

export async function chat(pageA, { url, message, step, newTab, shot }) {
  const tabs = { a: pageA };
  step("open tab B");
  tabs.b = await newTab();

  step("wait for A and B to be open");
  for (const page of Object.values(tabs)) await page.waitForSelector('#state[data-state="open"]');

  // What a list shows, oldest first: each message's data-id, and its text ("#7 ana: hi").
  const shown = (page) =>
    page.evaluate(() => {
      const items = [...document.querySelectorAll("#messages li[data-id]")];
      return { ids: items.map((li) => li.dataset.id).join(","), texts: items.map((li) => li.textContent).join(" | ") };
    });
  const waitFor = (page, text) =>
    page.waitForFunction(
      (text) => [...document.querySelectorAll("#messages li[data-id]")].some((li) => li.textContent.includes(text)),
      text,
      { polling: 100 },
    );

  step("A says something");
  const typed = `ana: ${message}`;
  await tabs.a.fill("#name", "ana");
  await tabs.a.fill("#text", message);
  await tabs.a.click("#chat button");
  step("wait for A's message in A and B");
  await Promise.all([waitFor(tabs.a, typed), waitFor(tabs.b, typed)]);

  step("POST /publish from node");
  const published = `server: ${message}`;
  const response = await fetch(new URL("/publish", url), { method: "POST", body: published });
  if (!response.ok) throw new Error(`POST /publish: ${response.status}`);
  const { id: publishedId } = await response.json();
  step("wait for the published message in A and B");
  await Promise.all([waitFor(tabs.a, published), waitFor(tabs.b, published)]);

  step("tab C joins and gets the history");
  tabs.c = await newTab();
  await tabs.c.waitForSelector('#state[data-state="open"]');
  await Promise.all([waitFor(tabs.c, typed), waitFor(tabs.c, published)]);
  await shot(tabs.b, "chat-b");
  await shot(tabs.c, "chat-c");

  const lists = {};
  for (const [name, page] of Object.entries(tabs)) {
    const { ids, texts } = await shown(page);
    lists[`ids_${name}`] = ids;
    lists[`tab_${name}`] = texts;
  }
  return { published_id: String(publishedId), ...lists };
}
