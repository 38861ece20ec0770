/**
 * A raw POST to a token-family endpoint with HTTP Basic client authentication (RFC 6749 §2.3.1),
 * so a refusal can be inspected without openid-client's exceptions.
 */
export async function tokenRequest(
  issuer: string,
  client: { clientId: string; clientSecret: string },
  body: Record<string, string>,
  path = '/token',
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}
