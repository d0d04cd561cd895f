package javacardx.crypto;

import javacard.framework.JCSystem;
import javacard.framework.SystemException;
import javacard.security.CryptoException;
import javacard.security.Key;
import org.sefleet.jcre.security.Engines;

/**
 * Encryption and decryption. A card reset returns an initialized object to the state right after
 * its last {@code init()}; the intermediate state never takes part in a transaction.
 */
public abstract class Cipher {
  /** DES/3DES in CBC mode, no padding. */
  public static final byte ALG_DES_CBC_NOPAD = 1;
  /** DES/3DES in CBC mode, ISO 9797 method 1 padding. */
  public static final byte ALG_DES_CBC_ISO9797_M1 = 2;
  /** DES/3DES in CBC mode, ISO 9797 method 2 padding. */
  public static final byte ALG_DES_CBC_ISO9797_M2 = 3;
  /** DES/3DES in CBC mode, PKCS#5 padding. */
  public static final byte ALG_DES_CBC_PKCS5 = 4;
  /** DES/3DES in ECB mode, no padding. */
  public static final byte ALG_DES_ECB_NOPAD = 5;
  /** DES/3DES in ECB mode, ISO 9797 method 1 padding. */
  public static final byte ALG_DES_ECB_ISO9797_M1 = 6;
  /** DES/3DES in ECB mode, ISO 9797 method 2 padding. */
  public static final byte ALG_DES_ECB_ISO9797_M2 = 7;
  /** DES/3DES in ECB mode, PKCS#5 padding. */
  public static final byte ALG_DES_ECB_PKCS5 = 8;
  /** RSA with ISO 14888 padding. */
  public static final byte ALG_RSA_ISO14888 = 9;
  /** RSA with PKCS#1 v1.5 padding (block type 2 with a public key, type 1 with a private key). */
  public static final byte ALG_RSA_PKCS1 = 10;
  /** RSA with ISO 9796 padding. */
  public static final byte ALG_RSA_ISO9796 = 11;
  /** Raw RSA, no padding. */
  public static final byte ALG_RSA_NOPAD = 12;
  /** AES (128-bit block) in CBC mode, no padding. */
  public static final byte ALG_AES_BLOCK_128_CBC_NOPAD = 13;
  /** AES (128-bit block) in ECB mode, no padding. */
  public static final byte ALG_AES_BLOCK_128_ECB_NOPAD = 14;
  /** RSA with OAEP padding (SHA-1, MGF1 with SHA-1, empty label). */
  public static final byte ALG_RSA_PKCS1_OAEP = 15;
  /** Korean SEED in ECB mode, no padding. */
  public static final byte ALG_KOREAN_SEED_ECB_NOPAD = 16;
  /** Korean SEED in CBC mode, no padding. */
  public static final byte ALG_KOREAN_SEED_CBC_NOPAD = 17;
  /** Rijndael with a 192-bit block in CBC mode, no padding. */
  public static final byte ALG_AES_BLOCK_192_CBC_NOPAD = 18;
  /** Rijndael with a 192-bit block in ECB mode, no padding. */
  public static final byte ALG_AES_BLOCK_192_ECB_NOPAD = 19;
  /** Rijndael with a 256-bit block in CBC mode, no padding. */
  public static final byte ALG_AES_BLOCK_256_CBC_NOPAD = 20;
  /** Rijndael with a 256-bit block in ECB mode, no padding. */
  public static final byte ALG_AES_BLOCK_256_ECB_NOPAD = 21;
  /** AES in CBC mode, ISO 9797 method 1 padding. */
  public static final byte ALG_AES_CBC_ISO9797_M1 = 22;
  /** AES in CBC mode, ISO 9797 method 2 padding. */
  public static final byte ALG_AES_CBC_ISO9797_M2 = 23;
  /** AES in CBC mode, PKCS#5 padding. */
  public static final byte ALG_AES_CBC_PKCS5 = 24;
  /** AES in ECB mode, ISO 9797 method 1 padding. */
  public static final byte ALG_AES_ECB_ISO9797_M1 = 25;
  /** AES in ECB mode, ISO 9797 method 2 padding. */
  public static final byte ALG_AES_ECB_ISO9797_M2 = 26;
  /** AES in ECB mode, PKCS#5 padding. */
  public static final byte ALG_AES_ECB_PKCS5 = 27;
  /** Cipher part for getInstance(byte, byte, boolean): AES in CBC mode. */
  public static final byte CIPHER_AES_CBC = 1;
  /** Cipher part: AES in ECB mode. */
  public static final byte CIPHER_AES_ECB = 2;
  /** Cipher part: DES/3DES in CBC mode. */
  public static final byte CIPHER_DES_CBC = 3;
  /** Cipher part: DES/3DES in ECB mode. */
  public static final byte CIPHER_DES_ECB = 4;
  /** Cipher part: Korean SEED in CBC mode. */
  public static final byte CIPHER_KOREAN_SEED_CBC = 5;
  /** Cipher part: Korean SEED in ECB mode. */
  public static final byte CIPHER_KOREAN_SEED_ECB = 6;
  /** Cipher part: RSA. */
  public static final byte CIPHER_RSA = 7;
  /** Padding part: none given (the algorithm's own). */
  public static final byte PAD_NULL = 0;
  /** Padding part: no padding. */
  public static final byte PAD_NOPAD = 1;
  /** Padding part: ISO 9797 method 1 (zeros). */
  public static final byte PAD_ISO9797_M1 = 2;
  /** Padding part: ISO 9797 method 2 (80 then zeros). */
  public static final byte PAD_ISO9797_M2 = 3;
  /** Padding part: ISO 9797-1 method 1 with MAC algorithm 3. */
  public static final byte PAD_ISO9797_1_M1_ALG3 = 4;
  /** Padding part: ISO 9797-1 method 2 with MAC algorithm 3. */
  public static final byte PAD_ISO9797_1_M2_ALG3 = 5;
  /** Padding part: PKCS#5. */
  public static final byte PAD_PKCS5 = 6;
  /** Padding part: PKCS#1 v1.5. */
  public static final byte PAD_PKCS1 = 7;
  /** Padding part: PKCS#1 PSS. */
  public static final byte PAD_PKCS1_PSS = 8;
  /** Padding part: PKCS#1 OAEP with SHA-1. */
  public static final byte PAD_PKCS1_OAEP = 9;
  /** Padding part: PKCS#1 OAEP with SHA-224. */
  public static final byte PAD_PKCS1_OAEP_SHA224 = 13;
  /** Padding part: PKCS#1 OAEP with SHA-256. */
  public static final byte PAD_PKCS1_OAEP_SHA256 = 14;
  /** Padding part: PKCS#1 OAEP with SHA-384. */
  public static final byte PAD_PKCS1_OAEP_SHA384 = 15;
  /** Padding part: PKCS#1 OAEP with SHA-512. */
  public static final byte PAD_PKCS1_OAEP_SHA512 = 16;
  /** Padding part: PKCS#1 OAEP with SHA3-224. */
  public static final byte PAD_PKCS1_OAEP_SHA3_224 = 17;
  /** Padding part: PKCS#1 OAEP with SHA3-256. */
  public static final byte PAD_PKCS1_OAEP_SHA3_256 = 18;
  /** Padding part: PKCS#1 OAEP with SHA3-384. */
  public static final byte PAD_PKCS1_OAEP_SHA3_384 = 19;
  /** Padding part: PKCS#1 OAEP with SHA3-512. */
  public static final byte PAD_PKCS1_OAEP_SHA3_512 = 20;
  /** Padding part: ISO 9796. */
  public static final byte PAD_ISO9796 = 10;
  /** Padding part: ISO 9796-2 with message recovery. */
  public static final byte PAD_ISO9796_MR = 11;
  /** Padding part: RFC 2409. */
  public static final byte PAD_RFC2409 = 12;
  /** Mode for init(): decrypt. */
  public static final byte MODE_DECRYPT = 1;
  /** Mode for init(): encrypt. */
  public static final byte MODE_ENCRYPT = 2;
  /** AES in counter mode (the 16-byte initial counter block is the IV). */
  public static final byte ALG_AES_CTR = -16;

  /** For subclasses. */
  protected Cipher() {
  }

  /**
   * Creates a cipher object for one of the {@code ALG_*} algorithms.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement it
   */
  public static final Cipher getInstance(byte algorithm, boolean externalAccess) throws CryptoException {
    return Engines.cipher(algorithm, externalAccess);
  }

  /**
   * Creates a cipher object from a cipher ({@code CIPHER_*}) and a padding ({@code PAD_*}).
   *
   * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement the combination
   */
  public static final Cipher getInstance(byte cipherAlgorithm, byte paddingAlgorithm, boolean externalAccess)
      throws CryptoException {
    return Engines.cipher(cipherAlgorithm, paddingAlgorithm, externalAccess);
  }

  /**
   * Initializes the object with a key for {@code MODE_ENCRYPT} or {@code MODE_DECRYPT}; CBC and
   * CTR modes start from a zero IV.
   *
   * @throws CryptoException ILLEGAL_VALUE for a mode or key that does not fit the algorithm,
   *     UNINITIALIZED_KEY when the key is not initialized
   */
  public abstract void init(Key theKey, byte theMode) throws CryptoException;

  /**
   * Initializes the object with a key and an IV (CBC: one block; CTR: the 16-byte initial counter).
   *
   * @throws CryptoException ILLEGAL_VALUE when the IV does not fit the algorithm
   */
  public abstract void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen)
      throws CryptoException;

  /** The {@code ALG_*} code, or 0 when the object was built from parts that match none. */
  public abstract byte getAlgorithm();

  /** The cipher part ({@code CIPHER_*}). */
  public abstract byte getCipherAlgorithm();

  /** The padding part ({@code PAD_*}). */
  public abstract byte getPaddingAlgorithm();

  /**
   * Processes the rest of the message and writes the output; the object then starts again from
   * the state after {@code init()}.
   *
   * @return the number of bytes written
   * @throws CryptoException INVALID_INIT when not initialized, ILLEGAL_USE when an unpadded
   *     algorithm receives data that is not block aligned or the padding does not verify
   */
  public abstract short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException;

  /**
   * Processes part of the message; whole blocks are output, the rest is kept for the next call.
   *
   * @return the number of bytes written
   */
  public abstract short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
      throws CryptoException;

  /** A cipher object for one-shot use, from a small pool shared by every applet. */
  public static final class OneShot extends Cipher {
    private static final byte POOL_SIZE = 2;
    private static final OneShot[] pool = new OneShot[POOL_SIZE];
    private static final boolean[] open = JCSystem.makeTransientBooleanArray(POOL_SIZE, JCSystem.CLEAR_ON_RESET);

    static {
      for (byte i = 0; i < POOL_SIZE; i++) {
        pool[i] = new OneShot(i);
      }
    }

    private final byte slot;
    private Cipher delegate;

    private OneShot(byte slot) {
      this.slot = slot;
    }

    /**
     * Takes an instance for the algorithm made of these parts.
     *
     * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement it
     * @throws SystemException NO_RESOURCE when every instance is in use
     */
    public static final OneShot open(byte cipherAlgorithm, byte paddingAlgorithm) throws CryptoException {
      for (byte i = 0; i < POOL_SIZE; i++) {
        if (!open[i]) {
          Cipher engine = Engines.oneShotCipher(cipherAlgorithm, paddingAlgorithm, i);
          Engines.forgetKey(engine);
          pool[i].delegate = engine;
          open[i] = true;
          return pool[i];
        }
      }
      SystemException.throwIt(SystemException.NO_RESOURCE);
      return null;
    }

    /** Releases the instance (and forgets its key). */
    public void close() {
      if (open[slot] && delegate != null) {
        Engines.forgetKey(delegate);
      }
      open[slot] = false;
      delegate = null;
    }

    private Cipher engine() {
      if (!open[slot] || delegate == null) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      return delegate;
    }

    public short update(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
        throws CryptoException {
      return engine().update(inBuff, inOffset, inLength, outBuff, outOffset);
    }

    public void init(Key theKey, byte theMode) throws CryptoException {
      engine().init(theKey, theMode);
    }

    public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
      engine().init(theKey, theMode, bArray, bOff, bLen);
    }

    public byte getAlgorithm() {
      return engine().getAlgorithm();
    }

    public byte getCipherAlgorithm() {
      return engine().getCipherAlgorithm();
    }

    public byte getPaddingAlgorithm() {
      return engine().getPaddingAlgorithm();
    }

    public short doFinal(byte[] inBuff, short inOffset, short inLength, byte[] outBuff, short outOffset)
        throws CryptoException {
      return engine().doFinal(inBuff, inOffset, inLength, outBuff, outOffset);
    }
  }
}
