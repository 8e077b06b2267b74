// pages/01_http.mjs: mode `echo`, for lesson 1's page.
//
//   node drive.mjs URL echo MESSAGE
//       Click #say-hello and wait for "hello, world" in #hello; send MESSAGE
//       with the #echo form and wait until #echoed shows it.

export async function echo(page, { message }) {
  await page.click("#say-hello");
  await page.waitForFunction(
    () => document.querySelector("#hello")?.textContent.includes("hello, world"),
    null,
    { polling: 100 },
  );

  await page.fill("#echo #message", message);
  await page.click("#echo button");
  await page.waitForFunction(
    (text) => document.querySelector("#echoed")?.textContent.includes(text),
    message,
    { polling: 100 },
  );

  return {
    hello: await page.textContent("#hello"),
    echoed: await page.textContent("#echoed"),
  };
}
