export interface PemBlock {
  /** What follows "-----BEGIN ", e.g. CERTIFICATE or PKCS7. */
  label: string;
  /** The text between the BEGIN and END lines (base64, perhaps with headers and line breaks). */
  body: string;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';

/**
 * The PEM blocks of a text (RFC 7468), exactly those /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END
 * \1-----/g finds, in linear time. That regex is quadratic: every BEGIN without its END scans to the
 * end of the text, so 256 KB of BEGIN lines (a hostile caIssuers answer) took 2 s of blocked event loop.
 * Here every END line is found once, and each BEGIN takes the first END of its label after it.
 */
export function pemBlocks(text: string): PemBlock[] {
  const ends = new Map<string, { at: number[]; next: number }>();
  for (let at = text.indexOf(END); at >= 0; at = text.indexOf(END, at + 1)) {
    const label = labelAt(text, at + END.length);
    if (label === undefined) continue;
    const list = ends.get(label) ?? { at: [], next: 0 };
    list.at.push(at);
    ends.set(label, list);
  }
  const blocks: PemBlock[] = [];
  for (let at = text.indexOf(BEGIN); at >= 0; ) {
    const label = labelAt(text, at + BEGIN.length);
    const bodyStart = at + BEGIN.length + (label?.length ?? 0) + DASHES.length;
    const list = label === undefined ? undefined : ends.get(label);
    // BEGINs are visited in order, so each label's ENDs before this one are never needed again.
    while (list && list.next < list.at.length && list.at[list.next]! < bodyStart) list.next++;
    const end = list?.at[list.next];
    if (label === undefined || end === undefined) {
      at = text.indexOf(BEGIN, at + 1);
      continue;
    }
    blocks.push({ label, body: text.slice(bodyStart, end) });
    at = text.indexOf(BEGIN, end + END.length + label.length + DASHES.length);
  }
  return blocks;
}

/** The label at `from` (one or more of A–Z, 0–9, space) when "-----" follows it. */
function labelAt(text: string, from: number): string | undefined {
  let to = from;
  while (to < text.length && /[A-Z0-9 ]/.test(text[to]!)) to++;
  return to > from && text.startsWith(DASHES, to) ? text.slice(from, to) : undefined;
}
