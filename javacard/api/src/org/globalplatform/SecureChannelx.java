package org.globalplatform;

/** A secure channel whose current security level the application may change. */
public interface SecureChannelx extends SecureChannel {
  /** Sets the Current Security Level used by {@code wrap}/{@code unwrap}. */
  void setSecurityLevel(byte bSecuritylevel);
}
