"""Base58-btc multibase, the text form of Ed25519 keys (Multikey) and of eddsa-rdfc-2022 signatures."""
from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUBLIC_HEADER = b"\xed\x01"  # multicodec ed25519-pub


def encode(data: bytes) -> str:
    """'z' + base58-btc of `data`."""
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = ALPHABET[digit] + text
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "z" + "1" * zeros + text


def decode(text: str) -> bytes:
    """The bytes of a 'z' multibase string. Raises ValueError on anything else."""
    if not text.startswith("z") or len(text) < 2:
        raise ValueError("not a base58-btc multibase value")
    body = text[1:]
    number = 0
    for char in body:
        index = ALPHABET.find(char)
        if index < 0:
            raise ValueError("not a base58-btc multibase value")
        number = number * 58 + index
    zeros = len(body) - len(body.lstrip("1"))
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + raw


def public_key_multibase(public_key: bytes) -> str:
    return encode(ED25519_PUBLIC_HEADER + public_key)


def public_key_bytes(multibase: str) -> bytes:
    raw = decode(multibase)
    if not raw.startswith(ED25519_PUBLIC_HEADER) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return raw[2:]
