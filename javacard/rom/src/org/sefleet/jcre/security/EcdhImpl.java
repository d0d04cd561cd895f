package org.sefleet.jcre.security;

import javacard.framework.JCSystem;
import javacard.security.CryptoException;
import javacard.security.KeyAgreement;
import javacard.security.MessageDigest;
import javacard.security.PrivateKey;

/**
 * ECDH over F(p) (IEEE P1363 SVDP-DH and SVDP-DHC): the secret is the SHA-1 digest of the shared X
 * coordinate (ALG_EC_SVDP_DH, ALG_EC_SVDP_DHC), X itself (the _PLAIN variants) or the whole shared
 * point (ALG_EC_SVDP_DH_PLAIN_XY). The other party's point may be uncompressed or compressed; a
 * point not on the curve is refused with ILLEGAL_VALUE.
 */
final class EcdhImpl extends KeyAgreement implements Forgettable {
  private final byte algorithm;
  private final boolean cofactor;
  private final boolean hashed;
  private final boolean wholePoint;
  private final InitState state;
  /** SHA-1 of the X coordinate for the hashed variants, else null. */
  private final DigestImpl sha1;
  /** The X coordinate before hashing (hashed variants only). */
  private final byte[] scratch;

  EcdhImpl(byte algorithm, boolean oneShot) {
    this.algorithm = algorithm;
    cofactor = algorithm == ALG_EC_SVDP_DHC || algorithm == ALG_EC_SVDP_DHC_PLAIN;
    hashed = algorithm == ALG_EC_SVDP_DH || algorithm == ALG_EC_SVDP_DHC;
    wholePoint = algorithm == ALG_EC_SVDP_DH_PLAIN_XY;
    state = new InitState(oneShot);
    if (hashed) {
      sha1 = new DigestImpl(MessageDigest.ALG_SHA);
      scratch = JCSystem.makeTransientByteArray((short) 66, JCSystem.CLEAR_ON_RESET);
    } else {
      sha1 = null;
      scratch = null;
    }
  }

  public void forget() {
    state.forget();
  }

  public void init(PrivateKey privKey) throws CryptoException {
    if (!(privKey instanceof EcPrivateKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) privKey).requireInitialized();
    state.set(privKey, (byte) 1, null, (short) 0, (short) 0);
  }

  public byte getAlgorithm() {
    return algorithm;
  }

  public short generateSecret(byte[] publicData, short publicOffset, short publicLength, byte[] secret,
      short secretOffset) throws CryptoException {
    if (!state.initialized()) {
      CryptoException.throwIt(CryptoException.INVALID_INIT);
    }
    EcPrivateKeyImpl key = (EcPrivateKeyImpl) state.key();
    key.requireInitialized();
    Bounds.check(publicData, publicOffset, publicLength);
    short field = key.fieldLength;
    if (hashed) {
      Bounds.check(secret, secretOffset, MessageDigest.LENGTH_SHA);
      short length = Primitives.ecdh(key.domain, field, key.secret, (short) 0, publicData, publicOffset,
          publicLength, cofactor, false, scratch, (short) 0);
      sha1.reset();
      short result = sha1.doFinal(scratch, (short) 0, length, secret, secretOffset);
      Memory.zero(scratch, (short) 0, (short) scratch.length);
      return result;
    }
    Bounds.check(secret, secretOffset, wholePoint ? (short) (2 * field + 1) : field);
    return Primitives.ecdh(key.domain, field, key.secret, (short) 0, publicData, publicOffset, publicLength,
        cofactor, wholePoint, secret, secretOffset);
  }
}
