package org.sefleet.jcre.security;

/**
 * The engines behind the OneShot classes, kept by the ROM and reused: a OneShot must not allocate
 * (it exists to avoid persistent writes), so each (algorithm, pool slot) gets one engine, created
 * the first time and handed out again afterwards. Keying by slot keeps two OneShots that are open
 * at once on different engines.
 */
final class OneShotCache {
  private static final short SIZE = 8;

  private final Object[] engines = new Object[SIZE];
  private final short[] keys = new short[SIZE];
  private short next;

  /** The engine cached for {@code key}, or null. */
  Object find(short key) {
    for (short i = 0; i < SIZE; i++) {
      if (engines[i] != null && keys[i] == key) {
        return engines[i];
      }
    }
    return null;
  }

  /** Caches {@code engine} under {@code key}, replacing the oldest entry when full. */
  void put(short key, Object engine) {
    engines[next] = engine;
    keys[next] = key;
    next = (short) ((short) (next + 1) % SIZE);
  }
}
