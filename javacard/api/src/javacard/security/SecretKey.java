package javacard.security;

/** A key for a symmetric algorithm (DES, AES, HMAC, SEED). */
public interface SecretKey extends Key {
}
