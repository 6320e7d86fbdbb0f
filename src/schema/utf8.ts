/**
 * The offset of the first byte that makes `bytes` invalid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1 when it is valid. Used only to explain a rejection, after
 * the fast built-in check has failed, so clarity matters more than speed here.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    let length: number;
    let min: number;
    let max: number;
    if (lead >= 0xc2 && lead <= 0xdf) {
      [length, min, max] = [2, 0x80, 0xbf];
    } else if (lead === 0xe0) {
      [length, min, max] = [3, 0xa0, 0xbf]; // no overlong three-byte forms
    } else if (lead === 0xed) {
      [length, min, max] = [3, 0x80, 0x9f]; // no UTF-16 surrogates
    } else if (lead >= 0xe1 && lead <= 0xef) {
      [length, min, max] = [3, 0x80, 0xbf];
    } else if (lead === 0xf0) {
      [length, min, max] = [4, 0x90, 0xbf]; // no overlong four-byte forms
    } else if (lead >= 0xf1 && lead <= 0xf3) {
      [length, min, max] = [4, 0x80, 0xbf];
    } else if (lead === 0xf4) {
      [length, min, max] = [4, 0x80, 0x8f]; // nothing above U+10FFFF
    } else {
      return i;
    }
    const second = bytes[i + 1];
    if (second === undefined || second < min || second > max) {
      return i;
    }
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) {
        return i;
      }
    }
    i += length;
  }
  return -1;
}
