/**
 * PEM (RFC 7468) reading and writing for the labels P-256 keys use: `PRIVATE KEY` (PKCS #8,
 * RFC 7468 §10), `EC PRIVATE KEY` (SEC 1, RFC 5915 §4) and `PUBLIC KEY` (SPKI, RFC 7468 §13).
 *
 * @module
 */

import type { Bytes } from './bytes.js'
import { decodeBase64Lenient, encodeBase64 } from './base64.js'

/** One decoded PEM block. */
export interface PemBlock {
  readonly label: string
  readonly der: Bytes | undefined
  /** RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (legacy encrypted SEC 1 keys). */
  readonly hasHeaders: boolean
}

/** `true` if `text` looks like PEM (so it should not be read as base64). */
export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ')
}

/**
 * Every PEM block in `text`, in order. Tolerates CRLF line ends, surrounding text (such as the `EC
 * PARAMETERS` block `openssl ecparam -genkey` writes first), and PEM kept in one line with literal
 * `\n` escapes, as environment variables often do.
 */
export function readPemBlocks(text: string): PemBlock[] {
  const normalized = text.replaceAll('\\n', '\n').replaceAll('\r', '')
  const blocks: PemBlock[] = []
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----\n?([\s\S]*?)-----END \1-----/g
  for (const match of normalized.matchAll(pattern)) {
    const label = match[1] ?? ''
    const body = match[2] ?? ''
    const hasHeaders = /^[A-Za-z-]+:/m.test(body)
    const der = hasHeaders ? undefined : decodeBase64Lenient(body.replace(/\s+/g, ''))
    blocks.push({ label, der, hasHeaders })
  }
  return blocks
}

/** Writes one PEM block with 64-character lines and a final newline (RFC 7468 §2). */
export function writePem(label: string, der: Uint8Array): string {
  const base64 = encodeBase64(der)
  const lines: string[] = []
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64))
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}
