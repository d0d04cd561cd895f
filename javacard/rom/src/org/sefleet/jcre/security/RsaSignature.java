package org.sefleet.jcre.security;

import javacard.security.CryptoException;
import javacard.security.Key;
import javacardx.crypto.Cipher;

/**
 * RSA signatures: PKCS#1 v1.5 (EMSA-PKCS1-v1_5 with the DigestInfo of the digest; without a digest,
 * the input itself is padded with block type 1) and PSS (MGF1 with the same hash, salt as long as
 * the digest). Private keys (plain or CRT) sign, public keys verify.
 */
final class RsaSignature extends HashSignature {
  RsaSignature(byte algorithm, byte digestAlgorithm, byte paddingAlgorithm, boolean oneShot) {
    super(algorithm, digestAlgorithm, SIG_CIPHER_RSA, paddingAlgorithm, oneShot);
  }

  public void init(Key theKey, byte theMode) throws CryptoException {
    requireMode(theMode);
    boolean valid = theMode == MODE_SIGN
        ? theKey instanceof RsaPrivateKeyImpl || theKey instanceof RsaCrtKeyImpl
        : theKey instanceof RsaPublicKeyImpl;
    if (!valid) {
      CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
    }
    ((KeyBase) theKey).requireInitialized();
    state.set(theKey, theMode, null, (short) 0, (short) 0);
    restart();
  }

  /** RSA signatures take no extra data. */
  public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
    CryptoException.throwIt(CryptoException.ILLEGAL_VALUE);
  }

  public short getLength() throws CryptoException {
    return RsaKeys.modulusLength(key());
  }

  private byte nativePadding() {
    return paddingAlgorithm == Cipher.PAD_PKCS1_PSS ? Cipher.PAD_PKCS1_PSS : Cipher.PAD_PKCS1;
  }

  short signDigest(KeyBase key, byte[] in, short inOff, short inLen, byte[] sig, short sigOff) {
    short modulusLength = RsaKeys.modulusLength(key);
    Bounds.check(sig, sigOff, modulusLength);
    return Primitives.rsaSignHash(RsaKeys.form(key), RsaKeys.first(key), RsaKeys.second(key), modulusLength,
        nativePadding(), digestAlgorithm, in, inOff, inLen, sig, sigOff);
  }

  boolean verifyDigest(KeyBase key, byte[] in, short inOff, short inLen, byte[] sig, short sigOff, short sigLen) {
    RsaPublicKeyImpl rsa = (RsaPublicKeyImpl) key;
    return Primitives.rsaVerifyHash(rsa.modulus, rsa.exponent, rsa.modulusLength, nativePadding(), digestAlgorithm,
        in, inOff, inLen, sig, sigOff, sigLen);
  }
}
