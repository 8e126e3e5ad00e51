/**
 * Escapes text a person typed before it is echoed in mrkdwn, so that `<!channel>`, `<@U123>` or
 * `<https://evil|a link>` show as typed instead of pinging or linking.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
