package org.sefleet.jcre.security;

/** An engine that can drop its key and mode (a one-shot engine passed from one user to the next). */
interface Forgettable {
  void forget();
}
