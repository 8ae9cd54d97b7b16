/**
 * `$BROWSER` for the conformance adapter: the suite's authorization endpoints redirect
 * straight to the `redirect_uri` with a code, so fetching the URL and following redirects
 * (ending at Switchboard's loopback listener) completes a sign-in with no person.
 */
const url = process.argv.at(-1);
if (!url) process.exit(2);
try {
  const response = await fetch(url, { redirect: 'follow' });
  await response.text();
} catch (error) {
  process.stderr.write(`fake browser: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
