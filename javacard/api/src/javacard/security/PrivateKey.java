package javacard.security;

/** The private half of an asymmetric key pair. */
public interface PrivateKey extends Key {
}
