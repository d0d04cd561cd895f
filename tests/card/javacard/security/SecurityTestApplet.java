package sefleet.test.security;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;

/**
 * The known-answer test applet of javacard.security and javacardx.crypto. Each command (CLA 80, no
 * data) runs one group of checks and answers 9000 when all pass, 64xx when check xx of the group
 * failed (an uncaught exception of the API answers as usual: 6F00, or an ISOException's status word):
 *
 * <pre>
 *   INS 10  MessageDigest, RandomData, Checksum              (DigestChecks)
 *   INS 11  Cipher AES/DES/3DES, CBC-MAC, retail MAC, CMAC, HMAC  (SymmetricChecks)
 *   INS 12  AEADCipher: AES-GCM and AES-CCM                  (AeadChecks)
 *   INS 13  EC keys, ECDSA, ECDH, KeyPair over F(p)          (EcChecks)
 *   INS 14  RSA keys, signatures, ciphers, key generation    (RsaChecks)
 *   INS 15  KeyBuilder, key objects, NO_SUCH_ALGORITHM refusals, misuse (KeyChecks)
 *   INS 16  after INS 15 and a reselection: the CLEAR_ON_DESELECT key is gone (KeyChecks)
 *   INS 17  the OneShot classes                              (OneShotChecks)
 * </pre>
 */
public final class SecurityTestApplet extends Applet {
  private final byte[] buffer = JCSystem.makeTransientByteArray((short) 768, JCSystem.CLEAR_ON_DESELECT);
  private final DigestChecks digests = new DigestChecks();
  private final SymmetricChecks symmetric = new SymmetricChecks();
  private final AeadChecks aead = new AeadChecks();
  private final EcChecks ec = new EcChecks();
  private final RsaChecks rsa = new RsaChecks();
  private final KeyChecks keys = new KeyChecks();
  private final OneShotChecks oneShots = new OneShotChecks();

  private SecurityTestApplet() {
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new SecurityTestApplet().register(bArray, (short) (bOffset + 1), bArray[bOffset]);
  }

  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] apduBuffer = apdu.getBuffer();
    if (apduBuffer[ISO7816.OFFSET_CLA] != (byte) 0x80) {
      ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
    }
    switch (apduBuffer[ISO7816.OFFSET_INS]) {
      case 0x10:
        digests.run(buffer);
        break;
      case 0x11:
        symmetric.run(buffer);
        break;
      case 0x12:
        aead.run(buffer);
        break;
      case 0x13:
        ec.run(buffer);
        break;
      case 0x14:
        rsa.run(buffer);
        break;
      case 0x15:
        keys.run(buffer);
        break;
      case 0x16:
        keys.afterReselect(buffer);
        break;
      case 0x17:
        oneShots.run(buffer);
        break;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
  }
}
