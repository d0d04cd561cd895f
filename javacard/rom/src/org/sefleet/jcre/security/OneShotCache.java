package org.sefleet.jcre.security;

/**
 * The engines behind the OneShot classes, kept by the ROM and reused: a OneShot must not allocate
 * (it exists to avoid persistent writes), so each (algorithm, pool slot) gets one engine, created
 * the first time and handed out again afterwards. Keying by slot keeps two OneShots that are open
 * at once on different engines.
 *
 * <p>The caches are created by the ROM's static initialiser, so they belong to the runtime, and the
 * VM treats them as permanent entry point objects (javacard/rom/NATIVES.md): calling
 * {@link #engine} switches to the runtime's context, so the engines it creates belong to the runtime
 * too and outlive the applet that first asked for them.
 */
final class OneShotCache {
  static final byte DIGEST = 1;
  static final byte RANDOM = 2;
  static final byte SIGNATURE = 3;
  static final byte CIPHER = 4;

  private static final short SIZE = 8;

  private final byte kind;
  private final Object[] engines = new Object[SIZE];
  private final short[] keys = new short[SIZE];
  private short next;

  OneShotCache(byte kind) {
    this.kind = kind;
  }

  /**
   * The engine cached under {@code key}, created from the algorithm parts {@code a}, {@code b},
   * {@code c} (their meaning depends on the kind) when there is none; the oldest entry is replaced
   * when the cache is full.
   */
  Object engine(short key, byte a, byte b, byte c) {
    for (short i = 0; i < SIZE; i++) {
      if (engines[i] != null && keys[i] == key) {
        return engines[i];
      }
    }
    Object engine = Engines.oneShotEngine(kind, a, b, c);
    engines[next] = engine;
    keys[next] = key;
    next = (short) ((short) (next + 1) % SIZE);
    return engine;
  }
}
