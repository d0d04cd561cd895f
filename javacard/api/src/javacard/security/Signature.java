package javacard.security;

import javacard.framework.JCSystem;
import javacard.framework.SystemException;
import org.sefleet.jcre.security.Engines;

/**
 * Signatures and MACs. A card reset returns an initialized object to the state right after its
 * last {@code init()}; a transient key used to initialize it leaves it without a usable key after
 * the key's clear event. The intermediate state never takes part in a transaction.
 */
public abstract class Signature {
  /** 4-byte DES/3DES CBC-MAC, no padding. */
  public static final byte ALG_DES_MAC4_NOPAD = 1;
  /** 8-byte DES/3DES CBC-MAC, no padding. */
  public static final byte ALG_DES_MAC8_NOPAD = 2;
  /** 4-byte DES/3DES CBC-MAC, ISO 9797 method 1 padding. */
  public static final byte ALG_DES_MAC4_ISO9797_M1 = 3;
  /** 8-byte DES/3DES CBC-MAC, ISO 9797 method 1 padding. */
  public static final byte ALG_DES_MAC8_ISO9797_M1 = 4;
  /** 4-byte DES/3DES CBC-MAC, ISO 9797 method 2 padding. */
  public static final byte ALG_DES_MAC4_ISO9797_M2 = 5;
  /** 8-byte DES/3DES CBC-MAC, ISO 9797 method 2 padding. */
  public static final byte ALG_DES_MAC8_ISO9797_M2 = 6;
  /** 4-byte DES/3DES CBC-MAC, PKCS#5 padding. */
  public static final byte ALG_DES_MAC4_PKCS5 = 7;
  /** 8-byte DES/3DES CBC-MAC, PKCS#5 padding. */
  public static final byte ALG_DES_MAC8_PKCS5 = 8;
  /** RSA with SHA-1, ISO 9796-1 padding. */
  public static final byte ALG_RSA_SHA_ISO9796 = 9;
  /** RSA with SHA-1, PKCS#1 v1.5 padding. */
  public static final byte ALG_RSA_SHA_PKCS1 = 10;
  /** RSA with MD5, PKCS#1 v1.5 padding. */
  public static final byte ALG_RSA_MD5_PKCS1 = 11;
  /** RSA with RIPEMD-160, ISO 9796-1 padding. */
  public static final byte ALG_RSA_RIPEMD160_ISO9796 = 12;
  /** RSA with RIPEMD-160, PKCS#1 v1.5 padding. */
  public static final byte ALG_RSA_RIPEMD160_PKCS1 = 13;
  /** DSA with SHA-1. */
  public static final byte ALG_DSA_SHA = 14;
  /** RSA with SHA-1, RFC 2409 padding. */
  public static final byte ALG_RSA_SHA_RFC2409 = 15;
  /** RSA with MD5, RFC 2409 padding. */
  public static final byte ALG_RSA_MD5_RFC2409 = 16;
  /** ECDSA with SHA-1 (DER-encoded signature). */
  public static final byte ALG_ECDSA_SHA = 17;
  /** 16-byte AES CBC-MAC (128-bit block), no padding. */
  public static final byte ALG_AES_MAC_128_NOPAD = 18;
  /** 16-byte AES CMAC (NIST SP 800-38B). */
  public static final byte ALG_AES_CMAC_128 = 49;
  /** 4-byte ISO 9797-1 MAC algorithm 3 (retail MAC), method 2 padding. */
  public static final byte ALG_DES_MAC4_ISO9797_1_M2_ALG3 = 19;
  /** 8-byte ISO 9797-1 MAC algorithm 3 (retail MAC), method 2 padding. */
  public static final byte ALG_DES_MAC8_ISO9797_1_M2_ALG3 = 20;
  /** RSA with SHA-1, PKCS#1 PSS padding. */
  public static final byte ALG_RSA_SHA_PKCS1_PSS = 21;
  /** RSA with MD5, PKCS#1 PSS padding. */
  public static final byte ALG_RSA_MD5_PKCS1_PSS = 22;
  /** RSA with RIPEMD-160, PKCS#1 PSS padding. */
  public static final byte ALG_RSA_RIPEMD160_PKCS1_PSS = 23;
  /** HMAC-SHA-1. */
  public static final byte ALG_HMAC_SHA1 = 24;
  /** HMAC-SHA-256. */
  public static final byte ALG_HMAC_SHA_256 = 25;
  /** HMAC-SHA-384. */
  public static final byte ALG_HMAC_SHA_384 = 26;
  /** HMAC-SHA-512. */
  public static final byte ALG_HMAC_SHA_512 = 27;
  /** HMAC-MD5. */
  public static final byte ALG_HMAC_MD5 = 28;
  /** HMAC-RIPEMD-160. */
  public static final byte ALG_HMAC_RIPEMD160 = 29;
  /** RSA with SHA-1, ISO 9796-2 with message recovery. */
  public static final byte ALG_RSA_SHA_ISO9796_MR = 30;
  /** RSA with RIPEMD-160, ISO 9796-2 with message recovery. */
  public static final byte ALG_RSA_RIPEMD160_ISO9796_MR = 31;
  /** 16-byte Korean SEED CBC-MAC, no padding. */
  public static final byte ALG_KOREAN_SEED_MAC_NOPAD = 32;
  /** ECDSA with SHA-256. */
  public static final byte ALG_ECDSA_SHA_256 = 33;
  /** ECDSA with SHA-384. */
  public static final byte ALG_ECDSA_SHA_384 = 34;
  /** 24-byte Rijndael CBC-MAC with a 192-bit block, no padding. */
  public static final byte ALG_AES_MAC_192_NOPAD = 35;
  /** 32-byte Rijndael CBC-MAC with a 256-bit block, no padding. */
  public static final byte ALG_AES_MAC_256_NOPAD = 36;
  /** ECDSA with SHA-224. */
  public static final byte ALG_ECDSA_SHA_224 = 37;
  /** ECDSA with SHA-512. */
  public static final byte ALG_ECDSA_SHA_512 = 38;
  /** RSA with SHA-224, PKCS#1 v1.5 padding. */
  public static final byte ALG_RSA_SHA_224_PKCS1 = 39;
  /** RSA with SHA-256, PKCS#1 v1.5 padding. */
  public static final byte ALG_RSA_SHA_256_PKCS1 = 40;
  /** RSA with SHA-384, PKCS#1 v1.5 padding. */
  public static final byte ALG_RSA_SHA_384_PKCS1 = 41;
  /** RSA with SHA-512, PKCS#1 v1.5 padding. */
  public static final byte ALG_RSA_SHA_512_PKCS1 = 42;
  /** RSA with SHA-224, PSS padding. */
  public static final byte ALG_RSA_SHA_224_PKCS1_PSS = 43;
  /** RSA with SHA-256, PSS padding. */
  public static final byte ALG_RSA_SHA_256_PKCS1_PSS = 44;
  /** RSA with SHA-384, PSS padding. */
  public static final byte ALG_RSA_SHA_384_PKCS1_PSS = 45;
  /** RSA with SHA-512, PSS padding. */
  public static final byte ALG_RSA_SHA_512_PKCS1_PSS = 46;
  /** 4-byte ISO 9797-1 MAC algorithm 3 (retail MAC), method 1 padding. */
  public static final byte ALG_DES_MAC4_ISO9797_1_M1_ALG3 = 47;
  /** 8-byte ISO 9797-1 MAC algorithm 3 (retail MAC), method 1 padding. */
  public static final byte ALG_DES_MAC8_ISO9797_1_M1_ALG3 = 48;
  /** Cipher part for getInstance(byte, byte, byte, boolean): 4-byte DES MAC. */
  public static final byte SIG_CIPHER_DES_MAC4 = 1;
  /** Cipher part: 8-byte DES MAC. */
  public static final byte SIG_CIPHER_DES_MAC8 = 2;
  /** Cipher part: RSA. */
  public static final byte SIG_CIPHER_RSA = 3;
  /** Cipher part: DSA. */
  public static final byte SIG_CIPHER_DSA = 4;
  /** Cipher part: ECDSA, DER-encoded signature. */
  public static final byte SIG_CIPHER_ECDSA = 5;
  /** Cipher part: ECDSA, plain signature r || s (BSI TR-03111). */
  public static final byte SIG_CIPHER_ECDSA_PLAIN = 9;
  /** Cipher part: 16-byte AES CBC-MAC. */
  public static final byte SIG_CIPHER_AES_MAC128 = 6;
  /** Cipher part: 16-byte AES CMAC. */
  public static final byte SIG_CIPHER_AES_CMAC128 = 10;
  /** Cipher part: HMAC. */
  public static final byte SIG_CIPHER_HMAC = 7;
  /** Cipher part: Korean SEED MAC. */
  public static final byte SIG_CIPHER_KOREAN_SEED_MAC = 8;
  /** Mode for init(): sign. */
  public static final byte MODE_SIGN = 1;
  /** Mode for init(): verify. */
  public static final byte MODE_VERIFY = 2;

  /** For subclasses. */
  protected Signature() {
  }

  /**
   * Creates a signature object for one of the {@code ALG_*} algorithms.
   *
   * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement it
   */
  public static final Signature getInstance(byte algorithm, boolean externalAccess) throws CryptoException {
    return Engines.signature(algorithm, externalAccess);
  }

  /**
   * Creates a signature object from its parts: a message digest ({@code MessageDigest.ALG_*}, or
   * {@code ALG_NULL} for none), a cipher ({@code SIG_CIPHER_*}) and a padding
   * ({@code Cipher.PAD_*}, or {@code PAD_NULL}).
   *
   * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement the combination
   */
  public static final Signature getInstance(byte messageDigestAlgorithm, byte cipherAlgorithm,
      byte paddingAlgorithm, boolean externalAccess) throws CryptoException {
    return Engines.signature(messageDigestAlgorithm, cipherAlgorithm, paddingAlgorithm, externalAccess);
  }

  /**
   * Initializes the object with a key for {@code MODE_SIGN} or {@code MODE_VERIFY}.
   *
   * @throws CryptoException ILLEGAL_VALUE for a mode or key that does not fit the algorithm,
   *     UNINITIALIZED_KEY when the key is not initialized
   */
  public abstract void init(Key theKey, byte theMode) throws CryptoException;

  /**
   * Initializes the object with a key and algorithm-specific data (the IV of the CBC-MACs).
   *
   * @throws CryptoException ILLEGAL_VALUE when the data does not fit the algorithm
   */
  public abstract void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen)
      throws CryptoException;

  /**
   * Sets the intermediate digest state of a hash-then-sign algorithm.
   *
   * @throws CryptoException ILLEGAL_USE when the algorithm does not support it
   */
  public abstract void setInitialDigest(byte[] state, short stateOffset, short stateLength, byte[] digestedMsgLenBuf,
      short digestedMsgLenOffset, short digestedMsgLenLength) throws CryptoException;

  /** The {@code ALG_*} code, or 0 when the object was built from parts that match none. */
  public abstract byte getAlgorithm();

  /** The message digest part ({@code MessageDigest.ALG_*}). */
  public abstract byte getMessageDigestAlgorithm();

  /** The cipher part ({@code SIG_CIPHER_*}). */
  public abstract byte getCipherAlgorithm();

  /** The padding part ({@code Cipher.PAD_*}). */
  public abstract byte getPaddingAlgorithm();

  /**
   * The signature length in bytes (the maximum for DER-encoded ECDSA).
   *
   * @throws CryptoException INVALID_INIT when the length depends on a key and none is set
   */
  public abstract short getLength() throws CryptoException;

  /** Adds message data. */
  public abstract void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException;

  /**
   * Signs the whole message (the data given to {@code update} and this input).
   *
   * @return the signature length
   * @throws CryptoException INVALID_INIT when not initialized for signing, ILLEGAL_USE when an
   *     unpadded algorithm receives a message that is not block aligned
   */
  public abstract short sign(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset)
      throws CryptoException;

  /**
   * Signs a digest computed elsewhere (hash-then-sign algorithms only).
   *
   * @throws CryptoException ILLEGAL_USE when the algorithm does not hash, ILLEGAL_VALUE when the
   *     length is not the digest length
   */
  public abstract short signPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff,
      short sigOffset) throws CryptoException;

  /**
   * Verifies a signature over the whole message.
   *
   * @return true when the signature is valid
   */
  public abstract boolean verify(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset,
      short sigLength) throws CryptoException;

  /** Verifies a signature over a digest computed elsewhere (hash-then-sign algorithms only). */
  public abstract boolean verifyPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff,
      short sigOffset, short sigLength) throws CryptoException;

  /**
   * A signature object for one-shot use (init then one sign or verify), from a small pool shared by
   * every applet. {@code update} is not available.
   */
  public static final class OneShot extends Signature {
    private static final byte POOL_SIZE = 2;
    private static final OneShot[] pool = new OneShot[POOL_SIZE];
    private static final boolean[] open = JCSystem.makeTransientBooleanArray(POOL_SIZE, JCSystem.CLEAR_ON_RESET);

    static {
      for (byte i = 0; i < POOL_SIZE; i++) {
        pool[i] = new OneShot(i);
      }
    }

    private final byte slot;
    private Signature delegate;

    private OneShot(byte slot) {
      this.slot = slot;
    }

    /**
     * Takes an instance for the algorithm made of these parts (see
     * {@link Signature#getInstance(byte, byte, byte, boolean)}).
     *
     * @throws CryptoException NO_SUCH_ALGORITHM when the card does not implement it
     * @throws SystemException NO_RESOURCE when every instance is in use
     */
    public static final OneShot open(byte messageDigestAlgorithm, byte cipherAlgorithm, byte paddingAlgorithm)
        throws CryptoException {
      for (byte i = 0; i < POOL_SIZE; i++) {
        if (!open[i]) {
          Signature engine = Engines.oneShotSignature(messageDigestAlgorithm, cipherAlgorithm, paddingAlgorithm, i);
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

    private Signature engine() {
      if (!open[slot] || delegate == null) {
        CryptoException.throwIt(CryptoException.ILLEGAL_USE);
      }
      return delegate;
    }

    /**
     * Not available on a one-shot object.
     *
     * @throws CryptoException ILLEGAL_USE always
     */
    public final void update(byte[] inBuff, short inOffset, short inLength) throws CryptoException {
      CryptoException.throwIt(CryptoException.ILLEGAL_USE);
    }

    public void init(Key theKey, byte theMode) throws CryptoException {
      engine().init(theKey, theMode);
    }

    public void init(Key theKey, byte theMode, byte[] bArray, short bOff, short bLen) throws CryptoException {
      engine().init(theKey, theMode, bArray, bOff, bLen);
    }

    public void setInitialDigest(byte[] state, short stateOffset, short stateLength, byte[] digestedMsgLenBuf,
        short digestedMsgLenOffset, short digestedMsgLenLength) throws CryptoException {
      engine().setInitialDigest(state, stateOffset, stateLength, digestedMsgLenBuf, digestedMsgLenOffset,
          digestedMsgLenLength);
    }

    public byte getAlgorithm() {
      return engine().getAlgorithm();
    }

    public byte getMessageDigestAlgorithm() {
      return engine().getMessageDigestAlgorithm();
    }

    public byte getCipherAlgorithm() {
      return engine().getCipherAlgorithm();
    }

    public byte getPaddingAlgorithm() {
      return engine().getPaddingAlgorithm();
    }

    public short getLength() throws CryptoException {
      return engine().getLength();
    }

    public short sign(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset)
        throws CryptoException {
      return engine().sign(inBuff, inOffset, inLength, sigBuff, sigOffset);
    }

    public short signPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff,
        short sigOffset) throws CryptoException {
      return engine().signPreComputedHash(hashBuff, hashOff, hashLength, sigBuff, sigOffset);
    }

    public boolean verify(byte[] inBuff, short inOffset, short inLength, byte[] sigBuff, short sigOffset,
        short sigLength) throws CryptoException {
      return engine().verify(inBuff, inOffset, inLength, sigBuff, sigOffset, sigLength);
    }

    public boolean verifyPreComputedHash(byte[] hashBuff, short hashOff, short hashLength, byte[] sigBuff,
        short sigOffset, short sigLength) throws CryptoException {
      return engine().verifyPreComputedHash(hashBuff, hashOff, hashLength, sigBuff, sigOffset, sigLength);
    }
  }
}
