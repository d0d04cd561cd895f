package sefleet.test.cryptoops;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacard.security.AESKey;
import javacard.security.Checksum;
import javacard.security.DESKey;
import javacard.security.ECPrivateKey;
import javacard.security.ECPublicKey;
import javacard.security.HMACKey;
import javacard.security.Key;
import javacard.security.KeyAgreement;
import javacard.security.KeyBuilder;
import javacard.security.KeyPair;
import javacard.security.MessageDigest;
import javacard.security.PrivateKey;
import javacard.security.PublicKey;
import javacard.security.RSAPrivateCrtKey;
import javacard.security.RSAPrivateKey;
import javacard.security.RSAPublicKey;
import javacard.security.RandomData;
import javacard.security.Signature;
import javacardx.crypto.AEADCipher;
import javacardx.crypto.Cipher;

/**
 * Cryptography on data chosen by the host, for tests that compare the card's results with OpenSSL
 * computed in the test (tests/card/unit/javacard_crypto_ops_test.cpp). CLA 80, every input in the
 * command data, every result in the response data:
 *
 * <pre>
 *   20 DIGEST        P1 MessageDigest algorithm; data: message. Update with the first half, doFinal
 *                    with the rest. Response: the digest.
 *   21 CIPHER        P1 Cipher algorithm, P2 mode (1 decrypt, 2 encrypt); data: key length, key, IV
 *                    length, IV, input. The first whole blocks go through update. Response: the output.
 *   22 MAC           P1 Signature algorithm (DES/AES MACs, CMAC, HMAC); data: key length, key, input.
 *                    The MAC is also verified on card (6F01 when it does not). Response: the MAC.
 *   23 AEAD          P1 AEADCipher algorithm (GCM, CCM), P2 mode (1 decrypt, 2 encrypt); data: key length,
 *                    key, nonce length, nonce, associated data length, associated data, tag size,
 *                    input (decryption: ciphertext || tag). Associated data in two calls, the message
 *                    through update (first half) and doFinal. Response: encryption output || tag;
 *                    decryption plaintext || 01 when the tag verifies, 00 otherwise.
 *   30 RSA GENERATE  P1 P2 the modulus size in bits; data: the public exponent (may be empty: 65537).
 *                    Response: the modulus.
 *   31 RSA IMPORT    P1 P2 the size: a new CRT private key (parts set by 34), no public key.
 *   34 RSA PART      P1 0 P, 1 Q, 2 DP1, 3 DQ1, 4 PQ; data: the value.
 *   35 RSA PLAIN     P1 P2 the size: a new private key of modulus and private exponent (set by 36).
 *   36 RSA COMPONENT P1 0 modulus, 1 private exponent; data: the value.
 *   32 RSA SIGN      P1 Signature algorithm; data: message. Response: the signature.
 *   33 RSA CIPHER    P1 Cipher padding (PAD_NOPAD, PAD_PKCS1, PAD_PKCS1_OAEP, ..._SHA256), P2: 1 private
 *                    key decrypts, 2 public key encrypts, 3 private key encrypts, 4 public key decrypts;
 *                    data: input. Response: the output.
 *   40 EC BEGIN      P1 P2 the field size in bits: new public and private keys of that size.
 *   41 EC PARAMETER  P1 1 field P, 2 A, 3 B, 4 G, 5 R, 6 K (two bytes), 7 W, 8 S; data: the value.
 *   42 EC GENERATE   Response: W.
 *   43 ECDSA SIGN    P1 Signature algorithm, P2 1 for plain r || s (SHA-256); data: message. Response:
 *                    the signature.
 *   44 ECDSA VERIFY  P1 Signature algorithm; data: signature length, signature, message. Response: 01
 *                    when it verifies, 00 otherwise.
 *   45 ECDH          P1 KeyAgreement algorithm; data: the other party's point. Response: the secret.
 *   50 CHECKSUM      P1 Checksum algorithm; data: init length (0, 2 or 4), init value, message.
 *   51 RANDOM        P1 RandomData algorithm, P2 length. Response: the random bytes.
 * </pre>
 */
public final class CryptoOpsApplet extends Applet {
  private final byte[] work = JCSystem.makeTransientByteArray((short) 1024, JCSystem.CLEAR_ON_DESELECT);
  private PrivateKey rsaPrivate;
  private PublicKey rsaPublic;
  private ECPublicKey ecPublic;
  private ECPrivateKey ecPrivate;

  private CryptoOpsApplet() {
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new CryptoOpsApplet().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buffer = apdu.getBuffer();
    if (buffer[ISO7816.OFFSET_CLA] != (byte) 0x80) {
      ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
    }
    byte p1 = buffer[ISO7816.OFFSET_P1];
    byte p2 = buffer[ISO7816.OFFSET_P2];
    short p1p2 = Util.getShort(buffer, ISO7816.OFFSET_P1);
    short length = apdu.setIncomingAndReceive();
    short data = ISO7816.OFFSET_CDATA;
    short out;
    switch (buffer[ISO7816.OFFSET_INS]) {
      case 0x20:
        out = digest(p1, buffer, data, length);
        break;
      case 0x21:
        out = cipher(p1, p2, buffer, data, length);
        break;
      case 0x22:
        out = mac(p1, buffer, data, length);
        break;
      case 0x23:
        out = aead(p1, p2, buffer, data, length);
        break;
      case 0x30:
        out = rsaGenerate(p1p2, buffer, data, length);
        break;
      case 0x31:
        rsaPrivate = (PrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_RSA_CRT_PRIVATE, p1p2, false);
        rsaPublic = null;
        out = 0;
        break;
      case 0x34:
        rsaPart(p1, buffer, data, length);
        out = 0;
        break;
      case 0x35:
        rsaPrivate = (PrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_RSA_PRIVATE, p1p2, false);
        rsaPublic = null;
        out = 0;
        break;
      case 0x36:
        if (p1 == 0) {
          ((RSAPrivateKey) rsaPrivate).setModulus(buffer, data, length);
        } else {
          ((RSAPrivateKey) rsaPrivate).setExponent(buffer, data, length);
        }
        out = 0;
        break;
      case 0x32:
        out = rsaSign(p1, buffer, data, length);
        break;
      case 0x33:
        out = rsaCipher(p1, p2, buffer, data, length);
        break;
      case 0x40:
        ecPublic = (ECPublicKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PUBLIC, p1p2, false);
        ecPrivate = (ECPrivateKey) KeyBuilder.buildKey(KeyBuilder.TYPE_EC_FP_PRIVATE, p1p2, false);
        out = 0;
        break;
      case 0x41:
        ecParameter(p1, buffer, data, length);
        out = 0;
        break;
      case 0x42:
        new KeyPair(ecPublic, ecPrivate).genKeyPair();
        out = ecPublic.getW(work, (short) 0);
        break;
      case 0x43:
        out = ecdsaSign(p1, p2, buffer, data, length);
        break;
      case 0x44:
        out = ecdsaVerify(p1, buffer, data, length);
        break;
      case 0x45:
        out = ecdh(p1, buffer, data, length);
        break;
      case 0x50:
        out = checksum(p1, buffer, data, length);
        break;
      case 0x51:
        RandomData.getInstance(p1).nextBytes(work, (short) 0, (short) (p2 & 0xFF));
        out = (short) (p2 & 0xFF);
        break;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        return;
    }
    Util.arrayCopyNonAtomic(work, (short) 0, buffer, (short) 0, out);
    apdu.setOutgoingAndSend((short) 0, out);
  }

  private short digest(byte algorithm, byte[] buffer, short data, short length) {
    MessageDigest md = MessageDigest.getInstance(algorithm, false);
    short half = (short) (length / 2);
    md.update(buffer, data, half);
    return md.doFinal(buffer, (short) (data + half), (short) (length - half), work, (short) 0);
  }

  /** A secret key of the family the algorithm needs, holding {@code length} bytes at {@code offset}. */
  private static Key secretKey(byte family, byte[] buffer, short offset, short length) {
    short bits = (short) (length * 8);
    if (family == 1) {
      AESKey aes = (AESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_AES, bits, false);
      aes.setKey(buffer, offset);
      return aes;
    }
    if (family == 2) {
      DESKey des = (DESKey) KeyBuilder.buildKey(KeyBuilder.TYPE_DES, bits, false);
      des.setKey(buffer, offset);
      return des;
    }
    HMACKey hmac = (HMACKey) KeyBuilder.buildKey(KeyBuilder.TYPE_HMAC, bits, false);
    hmac.setKey(buffer, offset, length);
    return hmac;
  }

  /** 1 AES, 2 DES, 3 HMAC, for Cipher and Signature algorithm codes. */
  private static byte cipherFamily(byte algorithm) {
    return (algorithm >= 1 && algorithm <= 8) ? (byte) 2 : (byte) 1;
  }

  private static byte macFamily(byte algorithm) {
    if (algorithm >= Signature.ALG_HMAC_SHA1 && algorithm <= Signature.ALG_HMAC_SHA_512) {
      return 3;
    }
    if (algorithm == Signature.ALG_AES_MAC_128_NOPAD || algorithm == Signature.ALG_AES_CMAC_128
        || algorithm == Signature.ALG_AES_MAC_192_NOPAD || algorithm == Signature.ALG_AES_MAC_256_NOPAD) {
      return 1;
    }
    return 2;
  }

  private short cipher(byte algorithm, byte mode, byte[] buffer, short data, short length) {
    short keyLength = (short) (buffer[data] & 0xFF);
    Key key = secretKey(cipherFamily(algorithm), buffer, (short) (data + 1), keyLength);
    short ivAt = (short) (data + 1 + keyLength);
    short ivLength = (short) (buffer[ivAt] & 0xFF);
    short in = (short) (ivAt + 1 + ivLength);
    short inLength = (short) (length - (short) (in - data));
    Cipher cipher = Cipher.getInstance(algorithm, false);
    if (ivLength == 0) {
      cipher.init(key, mode);
    } else {
      cipher.init(key, mode, buffer, (short) (ivAt + 1), ivLength);
    }
    short first = (short) ((inLength / 2) & (short) 0xFFF0);
    short out = cipher.update(buffer, in, first, work, (short) 0);
    return (short) (out + cipher.doFinal(buffer, (short) (in + first), (short) (inLength - first), work, out));
  }

  private short mac(byte algorithm, byte[] buffer, short data, short length) {
    short keyLength = (short) (buffer[data] & 0xFF);
    Key key = secretKey(macFamily(algorithm), buffer, (short) (data + 1), keyLength);
    short in = (short) (data + 1 + keyLength);
    short inLength = (short) (length - 1 - keyLength);
    Signature signer = Signature.getInstance(algorithm, false);
    signer.init(key, Signature.MODE_SIGN);
    short half = (short) (inLength / 2);
    signer.update(buffer, in, half);
    short macLength = signer.sign(buffer, (short) (in + half), (short) (inLength - half), work, (short) 0);
    Signature verifier = Signature.getInstance(algorithm, false);
    verifier.init(key, Signature.MODE_VERIFY);
    if (!verifier.verify(buffer, in, inLength, work, (short) 0, macLength)) {
      ISOException.throwIt((short) 0x6F01);
    }
    return macLength;
  }

  private short aead(byte algorithm, byte mode, byte[] buffer, short data, short length) {
    short at = data;
    short keyLength = (short) (buffer[at] & 0xFF);
    Key key = secretKey((byte) 1, buffer, (short) (at + 1), keyLength);
    at += (short) (1 + keyLength);
    short nonceLength = (short) (buffer[at] & 0xFF);
    short nonce = (short) (at + 1);
    at += (short) (1 + nonceLength);
    short aadLength = (short) (buffer[at] & 0xFF);
    short aad = (short) (at + 1);
    at += (short) (1 + aadLength);
    short tagSize = (short) (buffer[at] & 0xFF);
    short in = (short) (at + 1);
    short inLength = (short) (length - (short) (in - data));
    short messageLength = mode == Cipher.MODE_DECRYPT ? (short) (inLength - tagSize) : inLength;
    AEADCipher cipher = (AEADCipher) Cipher.getInstance(algorithm, false);
    cipher.init(key, mode, buffer, nonce, nonceLength, aadLength, messageLength, tagSize);
    short half = (short) (aadLength / 2);
    cipher.updateAAD(buffer, aad, half);
    cipher.updateAAD(buffer, (short) (aad + half), (short) (aadLength - half));
    short first = (short) (messageLength / 2);
    short out = cipher.update(buffer, in, first, work, (short) 0);
    out += cipher.doFinal(buffer, (short) (in + first), (short) (messageLength - first), work, out);
    if (mode == Cipher.MODE_ENCRYPT) {
      return (short) (out + cipher.retrieveTag(work, out, tagSize));
    }
    work[out] = cipher.verifyTag(buffer, (short) (in + messageLength), tagSize, tagSize) ? (byte) 1 : (byte) 0;
    return (short) (out + 1);
  }

  private short rsaGenerate(short bits, byte[] buffer, short data, short length) {
    KeyPair pair = new KeyPair(KeyPair.ALG_RSA_CRT, bits);
    if (length > 0) {
      RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
      pub.setExponent(buffer, data, length);
    }
    pair.genKeyPair();
    rsaPrivate = pair.getPrivate();
    rsaPublic = pair.getPublic();
    return ((RSAPublicKey) rsaPublic).getModulus(work, (short) 0);
  }

  private void rsaPart(byte part, byte[] buffer, short data, short length) {
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) rsaPrivate;
    switch (part) {
      case 0:
        key.setP(buffer, data, length);
        break;
      case 1:
        key.setQ(buffer, data, length);
        break;
      case 2:
        key.setDP1(buffer, data, length);
        break;
      case 3:
        key.setDQ1(buffer, data, length);
        break;
      case 4:
        key.setPQ(buffer, data, length);
        break;
      default:
        ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
    }
  }

  private short rsaSign(byte algorithm, byte[] buffer, short data, short length) {
    Signature signer = Signature.getInstance(algorithm, false);
    signer.init(rsaPrivate, Signature.MODE_SIGN);
    return signer.sign(buffer, data, length, work, (short) 0);
  }

  private short rsaCipher(byte padding, byte use, byte[] buffer, short data, short length) {
    Cipher cipher = Cipher.getInstance(Cipher.CIPHER_RSA, padding, false);
    Key key = (use == 1 || use == 3) ? (Key) rsaPrivate : (Key) rsaPublic;
    byte mode = (use == 2 || use == 3) ? Cipher.MODE_ENCRYPT : Cipher.MODE_DECRYPT;
    cipher.init(key, mode);
    return cipher.doFinal(buffer, data, length, work, (short) 0);
  }

  private void ecParameter(byte which, byte[] buffer, short data, short length) {
    switch (which) {
      case 1:
        ecPublic.setFieldFP(buffer, data, length);
        ecPrivate.setFieldFP(buffer, data, length);
        break;
      case 2:
        ecPublic.setA(buffer, data, length);
        ecPrivate.setA(buffer, data, length);
        break;
      case 3:
        ecPublic.setB(buffer, data, length);
        ecPrivate.setB(buffer, data, length);
        break;
      case 4:
        ecPublic.setG(buffer, data, length);
        ecPrivate.setG(buffer, data, length);
        break;
      case 5:
        ecPublic.setR(buffer, data, length);
        ecPrivate.setR(buffer, data, length);
        break;
      case 6:
        ecPublic.setK(Util.getShort(buffer, data));
        ecPrivate.setK(Util.getShort(buffer, data));
        break;
      case 7:
        ecPublic.setW(buffer, data, length);
        break;
      case 8:
        ecPrivate.setS(buffer, data, length);
        break;
      default:
        ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
    }
  }

  private short ecdsaSign(byte algorithm, byte plain, byte[] buffer, short data, short length) {
    Signature signer = plain == 1
        ? Signature.getInstance(MessageDigest.ALG_SHA_256, Signature.SIG_CIPHER_ECDSA_PLAIN, Cipher.PAD_NULL, false)
        : Signature.getInstance(algorithm, false);
    signer.init(ecPrivate, Signature.MODE_SIGN);
    return signer.sign(buffer, data, length, work, (short) 0);
  }

  private short ecdsaVerify(byte algorithm, byte[] buffer, short data, short length) {
    short sigLength = (short) (buffer[data] & 0xFF);
    short message = (short) (data + 1 + sigLength);
    Signature verifier = Signature.getInstance(algorithm, false);
    verifier.init(ecPublic, Signature.MODE_VERIFY);
    boolean ok = verifier.verify(buffer, message, (short) (length - 1 - sigLength), buffer, (short) (data + 1),
        sigLength);
    work[0] = ok ? (byte) 1 : (byte) 0;
    return 1;
  }

  private short ecdh(byte algorithm, byte[] buffer, short data, short length) {
    KeyAgreement agreement = KeyAgreement.getInstance(algorithm, false);
    agreement.init(ecPrivate);
    return agreement.generateSecret(buffer, data, length, work, (short) 0);
  }

  private short checksum(byte algorithm, byte[] buffer, short data, short length) {
    Checksum crc = Checksum.getInstance(algorithm, false);
    short initLength = (short) (buffer[data] & 0xFF);
    if (initLength > 0) {
      crc.init(buffer, (short) (data + 1), initLength);
    }
    short message = (short) (data + 1 + initLength);
    return crc.doFinal(buffer, message, (short) (length - 1 - initLength), work, (short) 0);
  }
}
