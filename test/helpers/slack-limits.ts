/** Slack's Block Kit and view limits (shared/reference/slack-platform.md), as a list of problems. */
export function blockKitProblems(method: string, args: Record<string, any>): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const len = (s: unknown) => (typeof s === 'string' ? [...s].length : 0);

  if (method.startsWith('views.')) {
    const view = args.view;
    if (!view) return ['no view'];
    // A Home tab has no title; a modal must have one.
    if (view.type !== 'home')
      check(
        len(view.title?.text) <= 24 && len(view.title?.text) > 0,
        `title "${view.title?.text}" must be 1–24 characters`,
      );
    check(len(view.submit?.text) <= 24, 'submit text over 24 characters');
    check(len(view.close?.text) <= 24, 'close text over 24 characters');
    check((view.blocks ?? []).length <= 100, `${view.blocks?.length} blocks in a view (max 100)`);
    check(len(view.private_metadata) <= 3_000, 'private_metadata over 3000 characters');
    check(len(view.callback_id) <= 255, 'callback_id over 255 characters');
    problems.push(...blocksProblems(view.blocks ?? []));
    return problems;
  }
  const blocks = args.blocks;
  if (method !== 'chat.update') check(Boolean(args.text) || Array.isArray(blocks), 'no_text');
  check(len(args.text) <= 40_000, 'text over 40000 characters');
  if (Array.isArray(blocks)) {
    check(blocks.length <= 50, `${blocks.length} blocks in a message (max 50)`);
    problems.push(...blocksProblems(blocks));
  }
  return problems;
}

function blocksProblems(blocks: any[]): string[] {
  const problems: string[] = [];
  const len = (s: unknown) => (typeof s === 'string' ? [...s].length : 0);
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const ids = new Set<string>();
  const option = (o: any) => {
    check(len(o?.text?.text) <= 75, `option text "${o?.text?.text}" over 75 characters`);
    check(len(o?.value) <= 150, 'option value over 150 characters');
  };
  const element = (e: any) => {
    if (!e) return;
    check(len(e.action_id) <= 255, 'action_id over 255 characters');
    if (e.type === 'button') {
      check(len(e.text?.text) <= 75, 'button text over 75 characters');
      check(len(e.value) <= 2_000, 'button value over 2000 characters');
    }
    if (e.type === 'overflow') {
      check(e.options?.length >= 1 && e.options.length <= 5, 'an overflow menu holds 1 to 5 options');
      for (const o of e.options ?? []) check(len(o?.value) <= 75, 'overflow option value over 75 characters');
    }
    if (e.options) {
      check(e.options.length <= 100, 'more than 100 options');
      e.options.forEach(option);
    }
    if (e.initial_option) option(e.initial_option);
    if (e.type === 'plain_text_input') check((e.max_length ?? 0) <= 3_000, 'max_length over 3000');
  };
  for (const block of blocks) {
    if (block.block_id) {
      check(len(block.block_id) <= 255, 'block_id over 255 characters');
      check(!ids.has(block.block_id), `duplicate block_id ${block.block_id}`);
      ids.add(block.block_id);
    }
    switch (block.type) {
      case 'section':
        check(Boolean(block.text || block.fields), 'section without text or fields');
        check(
          len(block.text?.text) <= 3_000,
          `section text of ${len(block.text?.text)} characters (max 3000)`,
        );
        check((block.fields ?? []).length <= 10, 'more than 10 fields');
        for (const f of block.fields ?? []) check(len(f.text) <= 2_000, 'field over 2000 characters');
        element(block.accessory);
        break;
      case 'header':
        check(len(block.text?.text) <= 150, 'header over 150 characters');
        break;
      case 'context':
        check((block.elements ?? []).length <= 10, 'more than 10 context elements');
        for (const e of block.elements ?? [])
          check(len(e.text) <= 3_000, 'context text over 3000 characters');
        break;
      case 'actions':
        check((block.elements ?? []).length <= 25, 'more than 25 elements in actions');
        for (const e of block.elements ?? []) element(e);
        break;
      case 'input':
        check(len(block.label?.text) <= 2_000, 'input label over 2000 characters');
        check(len(block.hint?.text) <= 2_000, 'input hint over 2000 characters');
        element(block.element);
        break;
      case 'divider':
      case 'rich_text':
        break;
      default:
        problems.push(`unknown block type ${block.type}`);
    }
  }
  return problems;
}
