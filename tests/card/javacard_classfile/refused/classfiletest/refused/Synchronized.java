package classfiletest.refused;

/** A synchronized method and a synchronized block (monitorenter/monitorexit). */
public class Synchronized {
  private short count;

  synchronized void locked() {
    count++;
  }

  void block() {
    synchronized (this) {
      count++;
    }
  }
}
