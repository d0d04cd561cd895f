package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.Key;

/**
 * ECDSA over F(p) with SHA-1/224/256/384/512 or a digest computed elsewhere; signatures DER-encoded
 * (SEQUENCE of two INTEGERs) or plain r || s (SIG_CIPHER_ECDSA_PLAIN). A digest longer than the
 * order is truncated to its leftmost bits, as ECDSA defines.
 */
final class EcdsaSignature extends HashSignature {
  private final boolean plain;

  EcdsaSignature(byte algorithm, byte digestAlgorithm, byte cipherAlgorithm, boolean oneShot) {
    super(algorithm, digestAlgorithm, cipherAlgorithm, javacardx.crypto.Cipher.PAD_NULL, oneShot);
    plain = cipherAlgorithm == SIG_CIPHER_ECDSA_PLAIN;
  }

  public void init(Key theKey, byte theMode) throws CryptoException {
    requireMode(theMode);
    if (theMode == MODE_SIGN ? !(theKey instanceof EcPrivateKeyImpl) : !(theKey instanceof EcPublicKeyImpl)) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    state.set(theKey, theMode, null, (short) 0, (short) 0);
    restart();
  }

  /** ECDSA takes no extra data. */
  public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
  }

  /** Plain: 2 x the order length; DER: the longest encoding (both INTEGERs with a leading zero). */
  public short getLength() throws CryptoException {
    EcKeyImpl key = (EcKeyImpl) key();
    short order = key.orderLength();
    if (plain) {
      return (short) (2 * order);
    }
    short integer = (short) (order + 1);
    short integerHeader = integer > 127 ? (short) 3 : (short) 2;
    short content = (short) (2 * (integerHeader + integer));
    return (short) (content + (content > 127 ? 3 : 2));
  }

  short signDigest(KeyBase key, byte[] in, short inOff, short inLen, byte[] sig, short sigOff) {
    EcPrivateKeyImpl ec = (EcPrivateKeyImpl) key;
    Bounds.check(sig, sigOff, getLength());
    return Primitives.ecdsaSign(ec.domain, ec.fieldLength, ec.secret, (short) 0, in, inOff, inLen, plain, sig,
        sigOff);
  }

  boolean verifyDigest(KeyBase key, byte[] in, short inOff, short inLen, byte[] sig, short sigOff, short sigLen) {
    EcPublicKeyImpl ec = (EcPublicKeyImpl) key;
    return Primitives.ecdsaVerify(ec.domain, ec.fieldLength, ec.point, (short) 0, in, inOff, inLen, plain, sig,
        sigOff, sigLen);
  }
}
