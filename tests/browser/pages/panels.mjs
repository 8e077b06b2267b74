// pages/panels.mjs: mode `panels`, for every page made of transport panels
// (the playground, lessons 2 and 3).
//
//   node drive.mjs URL panels MESSAGE
//       Publish MESSAGE with the page's #publish form, then wait until every
//       <section class="panel"> shows it in its <ol class="events"> and has
//       counted at least one request.

export async function panels(page, { message }) {
  const count = await page.locator("section.panel").count();
  if (count === 0) throw new Error("no <section class=\"panel\"> on the page");

  await page.fill("#publish #message", message);
  await page.click("#publish button");

  // Wait in the page itself: cheap, and it sees exactly what a reader sees.
  await page.waitForFunction(
    (text) =>
      [...document.querySelectorAll("section.panel")].every((panel) => {
        const shown = [...panel.querySelectorAll("ol.events li")].some((li) =>
          li.textContent.includes(text),
        );
        const requests = Number(panel.querySelector('[data-counter="requests"]')?.textContent);
        return shown && requests > 0;
      }),
    message,
    { polling: 100 },
  );

  const found = await page.evaluate((text) => {
    const counters = (panel) =>
      Object.fromEntries(
        [...panel.querySelectorAll("[data-counter]")].map((el) => [el.dataset.counter, el.textContent]),
      );
    return {
      published: document.querySelector("#publish output")?.textContent ?? null,
      panels: [...document.querySelectorAll("section.panel")].map((panel) => ({
        transport: panel.dataset.transport,
        id: [...panel.querySelectorAll("ol.events li")].find((li) => li.textContent.includes(text))
          ?.dataset.id,
        status: panel.querySelector("[data-status]")?.textContent ?? null,
        counters: counters(panel),
      })),
    };
  }, message);
  return found;
}
