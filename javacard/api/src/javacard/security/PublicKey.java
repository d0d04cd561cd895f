package javacard.security;

/** The public half of an asymmetric key pair. */
public interface PublicKey extends Key {
}
