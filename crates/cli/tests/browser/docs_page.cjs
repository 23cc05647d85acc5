// Drives the reference server's API page (/docs) in the system's Chromium, as a user would:
// the operations render, a token request sent from the page gets its token, and a list of
// connections sent from the page, authorized by that token, gets its answer. Prints one JSON
// object with what it saw; the Rust test (tests/docs_page.rs) judges it. Exits 3 when
// Chromium cannot be started.
//
// Environment: EXSITED_URL (the server), EXSITED_CLIENT_ID, EXSITED_CLIENT_SECRET,
// CHROMIUM (the executable), SCREENSHOT (where to write it), PLAYWRIGHT_DIR (where
// playwright-core is installed).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require(path.join(process.env.PLAYWRIGHT_DIR, "node_modules", "playwright-core"));

const base = process.env.EXSITED_URL;
const STEP = 30000;

async function execute(page, block, body) {
  const op = page.locator(block);
  await op.locator(".opblock-summary").first().click();
  await op.locator(".try-out__btn").click();
  if (body !== undefined) {
    await op.locator("textarea.body-param__text").fill(JSON.stringify(body, null, 2));
  }
  await op.locator("button.execute").click();
  const status = op.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: STEP });
  const text = (await status.innerText()).trim();
  const shown = await op.locator(".live-responses-table .response-col_description pre").first().innerText();
  return { status: text, body: shown.slice(0, 2000) };
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "exsited-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM,
      headless: true,
      timeout: 60000,
      viewport: { width: 1280, height: 900 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  } catch (error) {
    console.error(`cannot start Chromium (${process.env.CHROMIUM}): ${error.message}`);
    process.exit(3);
  }
  const seen = { errors: [], offsite: [] };
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on("pageerror", (e) => seen.errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && seen.errors.push(m.text()));
    page.on("request", (r) => {
      const url = r.url();
      if (!url.startsWith(base) && !url.startsWith("data:")) seen.offsite.push(url);
    });
    await page.goto(`${base}/docs`, { waitUntil: "load", timeout: STEP });
    await page.locator(".opblock").first().waitFor({ timeout: STEP });
    seen.operations = await page.locator(".opblock").count();
    seen.title = await page.locator(".info .title").first().innerText();
    seen.servers = await page.locator(".servers select option").allInnerTexts();

    seen.token = await execute(page, "#operations-auth-issueToken", {
      grant_type: "client_credentials",
      client_id: process.env.EXSITED_CLIENT_ID,
      client_secret: process.env.EXSITED_CLIENT_SECRET,
      redirect_uri: "https://example.invalid/callback",
    });
    seen.list = await execute(page, "#operations-connections-listConnections");
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  } catch (error) {
    seen.failure = error.message;
    try {
      await context.pages()[0].screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    } catch (_) {
      // The failure above is what gets reported.
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify(seen));
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
