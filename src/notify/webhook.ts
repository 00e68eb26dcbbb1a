/** POSTs JSON to a receiver; anything but a 2xx within the timeout is a failure (and retried). */
export async function postWebhook(url: string, body: unknown, timeoutMs = 10_000): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'roost-notify' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`webhook answered ${response.status}`);
}
