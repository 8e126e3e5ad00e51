/**
 * What a person reads in a Slack message or response_url post: its `text`, then each block's text
 * and its elements' texts (context lines, buttons), one a line.
 */
export function allText(message: { text?: string; blocks?: any[] }): string {
  const blocks = (message.blocks ?? []).flatMap((b: any) => [
    b.text?.text,
    ...(b.elements ?? []).map((e: any) => e.text),
  ]);
  return [message.text, ...blocks].filter(Boolean).join('\n');
}
