/**
 * ITU-T G.711 expansion: one 8-bit A-law or µ-law code to a 16-bit linear PCM sample.
 *
 * A-law codes carry 13-bit magnitudes (G.711 Table 1a), µ-law codes 14-bit ones (Table 2a); both are
 * left-aligned to 16 bits here, so A-law spans ±32256 and µ-law ±32124, as every G.711 codec in common
 * use (ffmpeg's pcm_alaw/pcm_mulaw among them) outputs. Two 256-entry tables are built once.
 */
export type G711Law = 'alaw' | 'ulaw';

/** A-law: even bits inverted on the line (0x55); then sign, 3-bit segment, 4-bit quantisation step. */
function expandAlaw(code: number): number {
  const v = code ^ 0x55;
  const segment = (v >> 4) & 0x07;
  const step = v & 0x0f;
  // Segment 0 and 1 share a step size; each later segment doubles it (G.711 Table 1a, in units of 8).
  const magnitude = segment === 0 ? (step << 4) + 8 : ((step << 4) + 0x108) << (segment - 1);
  return v & 0x80 ? magnitude : -magnitude;
}

/** µ-law: all bits inverted on the line; magnitude from a biased (0x84) exponent/mantissa. */
const ULAW_BIAS = 0x84;
function expandUlaw(code: number): number {
  const v = ~code & 0xff;
  const segment = (v >> 4) & 0x07;
  const magnitude = (((v & 0x0f) << 3) + ULAW_BIAS) << segment;
  return v & 0x80 ? ULAW_BIAS - magnitude : magnitude - ULAW_BIAS;
}

function table(expand: (code: number) => number): Int16Array {
  const out = new Int16Array(256);
  for (let code = 0; code < 256; code++) out[code] = expand(code);
  return out;
}

const TABLES: Record<G711Law, Int16Array> = { alaw: table(expandAlaw), ulaw: table(expandUlaw) };

/** The linear value of every code of a law, indexed by code. */
export function g711Table(law: G711Law): Int16Array {
  return TABLES[law];
}

/** Expands G.711 codes into 16-bit PCM; writes into `out` when given (it must be as long as `codes`). */
export function decodeG711(law: G711Law, codes: Uint8Array, out: Int16Array = new Int16Array(codes.length)): Int16Array {
  if (out.length < codes.length) throw new RangeError(`decodeG711: output holds ${out.length} samples, input has ${codes.length}`);
  const t = TABLES[law];
  for (let i = 0; i < codes.length; i++) out[i] = t[codes[i]!]!;
  return out;
}

/** The law a DASH/RFC 6381 codec string names (`alaw`, `ulaw`, and the `mulaw` some producers write). */
export function g711LawOf(codec: string | undefined): G711Law | undefined {
  const c = codec?.trim().toLowerCase();
  if (c === 'alaw') return 'alaw';
  if (c === 'ulaw' || c === 'mulaw') return 'ulaw';
  return undefined;
}
