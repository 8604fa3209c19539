import { desEncryptBlock } from '@sts/core/des';

export type KeyAlgorithm = 'DES' | 'AES' | 'HMAC';

/** Hex text as bytes; undefined when it is not whole bytes of hex. */
export function hexBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  const clean = text.trim();
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) {
    return undefined;
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function kcvOfBlock(block: Uint8Array): string {
  return Array.from(block.subarray(0, 3), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The check value of a key component, as the service computes it: DES (8 bytes) with the STS
 * core's DES, first 3 bytes of E_K(0^64); AES with WebCrypto, first 3 bytes of E_K(0^128); HMAC,
 * first 3 bytes of HMAC-SHA-256(K, 8 zero bytes). Runs in the page: nothing is sent.
 */
export async function checkValueOf(
  algorithm: KeyAlgorithm,
  key: Uint8Array<ArrayBuffer>,
): Promise<string> {
  switch (algorithm) {
    case 'DES': {
      if (key.length !== 8) throw new Error('a DES component is 8 bytes (16 hex digits)');
      const block = desEncryptBlock(key, new Uint8Array(8));
      const kcv = kcvOfBlock(block);
      block.fill(0);
      return kcv;
    }
    case 'AES': {
      if (![16, 24, 32].includes(key.length)) {
        throw new Error('an AES component is 16, 24 or 32 bytes');
      }
      const aes = await crypto.subtle.importKey('raw', key, 'AES-CBC', false, ['encrypt']);
      // CBC with a zero IV over one zero block is that block's ECB encryption (padding follows).
      const out = await crypto.subtle.encrypt(
        { name: 'AES-CBC', iv: new Uint8Array(16) },
        aes,
        new Uint8Array(16),
      );
      return kcvOfBlock(new Uint8Array(out));
    }
    case 'HMAC': {
      if (key.length === 0) throw new Error('an HMAC component is at least 1 byte');
      const mac = await crypto.subtle.importKey(
        'raw',
        key,
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      return kcvOfBlock(new Uint8Array(await crypto.subtle.sign('HMAC', mac, new Uint8Array(8))));
    }
  }
}
