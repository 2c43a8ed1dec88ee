// Not a test: measures how long unlocking (PBKDF2, 600 000 rounds) takes in this Chromium.
import { startServer, launchPhone, setPin, unlock } from '../tests/harness.mjs';
const server = await startServer();
const { page, browser } = await launchPhone();
await page.goto(server.url);
await setPin(page);
const times = [];
for (let i = 0; i < 5; i++) {
  await page.getByRole('button', { name: 'Verrouiller' }).click();
  const t0 = Date.now();
  await unlock(page);
  times.push(Date.now() - t0);
}
console.log('unlock ms:', times.join(', '));
await browser.close();
await server.stop();
